#include "core/batchnorm.h"

#include <algorithm>
#include <cmath>

#include "core/denormal.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// Plane sums accumulate in double, as PyTorch's CPU kernel does (acc_type<float> is double): a
// float running sum over a 112x112 plane drifts ~4x further from the float64 result. Four
// independent accumulators keep the additions from forming one serial dependency chain.
template <typename F>
double SumPlane(int64_t hw, F term) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 4 <= hw; i += 4) {
    a0 += term(i);
    a1 += term(i + 1);
    a2 += term(i + 2);
    a3 += term(i + 3);
  }
  for (; i < hw; ++i) a0 += term(i);
  return (a0 + a1) + (a2 + a3);
}

}  // namespace

void BatchNormForward(int64_t n, int64_t c, int64_t hw, const float* x, const float* weight, const float* bias,
                      float* running_mean, float* running_var, bool training, float momentum, float eps, float* y,
                      float* save_mean, float* save_invstd) {
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n * hw));
  ParallelFor(c, grain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t ch = lo; ch < hi; ++ch) {
      float mean, invstd;
      if (training) {
        // Two passes: the mean, then the centred sum of squares (more accurate than E[x^2] - m^2).
        double s = 0;
        for (int64_t b = 0; b < n; ++b) {
          const float* xp = x + (b * c + ch) * hw;
          s += SumPlane(hw, [xp](int64_t i) { return static_cast<double>(xp[i]); });
        }
        const int64_t count = n * hw;
        const double m = s / static_cast<double>(count);
        double ss = 0;
        for (int64_t b = 0; b < n; ++b) {
          const float* xp = x + (b * c + ch) * hw;
          ss += SumPlane(hw, [xp, m](int64_t i) {
            const double d = static_cast<double>(xp[i]) - m;
            return d * d;
          });
        }
        const double var = ss / static_cast<double>(count);
        mean = static_cast<float>(m);
        invstd = static_cast<float>(1.0 / std::sqrt(var + eps));
        if (running_mean) running_mean[ch] = (1 - momentum) * running_mean[ch] + momentum * mean;
        if (running_var) {
          const double unbiased = count > 1 ? ss / static_cast<double>(count - 1) : var;
          running_var[ch] = static_cast<float>((1 - momentum) * running_var[ch] + momentum * unbiased);
        }
      } else {
        mean = running_mean[ch];
        invstd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[ch]) + eps));
      }
      if (save_mean) save_mean[ch] = mean;
      if (save_invstd) save_invstd[ch] = invstd;
      const float scale = invstd * (weight ? weight[ch] : 1.0f);
      const float shift = (bias ? bias[ch] : 0.0f) - mean * scale;
      for (int64_t b = 0; b < n; ++b) {
        const float* xp = x + (b * c + ch) * hw;
        float* yp = y + (b * c + ch) * hw;
        for (int64_t i = 0; i < hw; ++i) yp[i] = xp[i] * scale + shift;
      }
    }
  });
}

void BatchNormBackward(int64_t n, int64_t c, int64_t hw, const float* x, const float* gy, const float* weight,
                       const float* save_mean, const float* save_invstd, bool training, float* gx, float* gw,
                       float* gb) {
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n * hw));
  ParallelFor(c, grain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t ch = lo; ch < hi; ++ch) {
      const float mean = save_mean[ch], invstd = save_invstd[ch];
      double sum_g = 0, sum_gx = 0;  // sum(gy), sum(gy * (x - mean))
      for (int64_t b = 0; b < n; ++b) {
        const float* xp = x + (b * c + ch) * hw;
        const float* g = gy + (b * c + ch) * hw;
        const double md = mean;
        sum_g += SumPlane(hw, [g](int64_t i) { return static_cast<double>(g[i]); });
        sum_gx += SumPlane(
            hw, [g, xp, md](int64_t i) { return static_cast<double>(g[i]) * (static_cast<double>(xp[i]) - md); });
      }
      const float w = weight ? weight[ch] : 1.0f;
      if (gb) gb[ch] = static_cast<float>(sum_g);
      if (gw) gw[ch] = static_cast<float>(sum_gx * invstd);
      if (!gx) continue;
      if (training) {
        const double count = static_cast<double>(n * hw);
        // gx = w*invstd * (gy - mean(gy) - xhat * mean(gy*xhat))
        const float k = static_cast<float>(sum_gx / count) * invstd * invstd;
        const float mg = static_cast<float>(sum_g / count);
        const float s = w * invstd;
        for (int64_t b = 0; b < n; ++b) {
          const float* xp = x + (b * c + ch) * hw;
          const float* g = gy + (b * c + ch) * hw;
          float* o = gx + (b * c + ch) * hw;
          for (int64_t i = 0; i < hw; ++i) o[i] = (g[i] - mg - (xp[i] - mean) * k) * s;
        }
      } else {
        const float s = w * invstd;
        for (int64_t b = 0; b < n; ++b) {
          const float* g = gy + (b * c + ch) * hw;
          float* o = gx + (b * c + ch) * hw;
          for (int64_t i = 0; i < hw; ++i) o[i] = g[i] * s;
        }
      }
    }
  });
}

}  // namespace torchlet
