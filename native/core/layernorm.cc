#include "core/layernorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/denormal.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int64_t kWork = 1 << 15;  // elements per task

int64_t RowGrain(int64_t d) { return std::max<int64_t>(1, kWork / std::max<int64_t>(1, d)); }

// Mean and 1/sqrt(var + eps) of n contiguous values. Float partial sums over short blocks added
// in double: the inner loop vectorizes and the total keeps double accuracy.
void Stats(const float* x, int64_t n, float eps, float* mean, float* rstd) {
  double s = 0;
  for (int64_t i = 0; i < n; i += 256) {
    const int64_t e = std::min(n, i + 256);
    float a = 0;
    for (int64_t k = i; k < e; ++k) a += x[k];
    s += a;
  }
  const double m = n ? s / static_cast<double>(n) : 0.0;
  const float mf = static_cast<float>(m);
  double ss = 0;
  for (int64_t i = 0; i < n; i += 256) {
    const int64_t e = std::min(n, i + 256);
    float a = 0;
    for (int64_t k = i; k < e; ++k) {
      const float dv = x[k] - mf;
      a += dv * dv;
    }
    ss += a;
  }
  const double var = n ? ss / static_cast<double>(n) : 0.0;
  *mean = mf;
  *rstd = static_cast<float>(1.0 / std::sqrt(var + static_cast<double>(eps)));
}

}  // namespace

void LayerNormForward(int64_t rows, int64_t d, const float* x, const float* weight, const float* bias, float eps,
                      float* y, float* mean, float* rstd) {
  ParallelFor(rows, RowGrain(d), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t r = lo; r < hi; ++r) {
      const float* xp = x + r * d;
      float* yp = y + r * d;
      Stats(xp, d, eps, &mean[r], &rstd[r]);
      const float m = mean[r], s = rstd[r];
      if (weight && bias) {
        for (int64_t j = 0; j < d; ++j) yp[j] = (xp[j] - m) * s * weight[j] + bias[j];
      } else if (weight) {
        for (int64_t j = 0; j < d; ++j) yp[j] = (xp[j] - m) * s * weight[j];
      } else if (bias) {
        for (int64_t j = 0; j < d; ++j) yp[j] = (xp[j] - m) * s + bias[j];
      } else {
        for (int64_t j = 0; j < d; ++j) yp[j] = (xp[j] - m) * s;
      }
    }
  });
}

void LayerNormBackward(int64_t rows, int64_t d, const float* x, const float* gy, const float* weight, const float* mean,
                       const float* rstd, float* gx, float* gw, float* gb) {
  if (gx) {
    ParallelFor(rows, RowGrain(d), [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      for (int64_t r = lo; r < hi; ++r) {
        const float* xp = x + r * d;
        const float* g = gy + r * d;
        float* o = gx + r * d;
        const float m = mean[r], s = rstd[r];
        // gx = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)), gxhat = gy * w.
        double a = 0, b = 0;
        for (int64_t j = 0; j < d; ++j) {
          const float gh = weight ? g[j] * weight[j] : g[j];
          a += gh;
          b += gh * (xp[j] - m) * s;
        }
        const float ma = static_cast<float>(a / static_cast<double>(d));
        const float mb = static_cast<float>(b / static_cast<double>(d));
        for (int64_t j = 0; j < d; ++j) {
          const float gh = weight ? g[j] * weight[j] : g[j];
          o[j] = s * (gh - ma - (xp[j] - m) * s * mb);
        }
      }
    });
  }
  if (gw || gb) {
    // Column blocks: each task sums its columns over every row, in row order (deterministic).
    ParallelFor(d, std::max<int64_t>(16, kWork / std::max<int64_t>(1, rows)), [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      std::vector<double> sw(static_cast<size_t>(hi - lo), 0.0), sb(static_cast<size_t>(hi - lo), 0.0);
      for (int64_t r = 0; r < rows; ++r) {
        const float* xp = x + r * d;
        const float* g = gy + r * d;
        const float m = mean[r], s = rstd[r];
        for (int64_t j = lo; j < hi; ++j) {
          sw[static_cast<size_t>(j - lo)] += g[j] * ((xp[j] - m) * s);
          sb[static_cast<size_t>(j - lo)] += g[j];
        }
      }
      for (int64_t j = lo; j < hi; ++j) {
        if (gw) gw[j] = static_cast<float>(sw[static_cast<size_t>(j - lo)]);
        if (gb) gb[j] = static_cast<float>(sb[static_cast<size_t>(j - lo)]);
      }
    });
  }
}

void GroupNormForward(int64_t n, int64_t c, int64_t hw, int64_t groups, const float* x, const float* weight,
                      const float* bias, float eps, float* y, float* mean, float* rstd) {
  const int64_t cg = c / groups, d = cg * hw;
  ParallelFor(n * groups, RowGrain(d), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t r = lo; r < hi; ++r) {
      const float* xp = x + r * d;
      float* yp = y + r * d;
      Stats(xp, d, eps, &mean[r], &rstd[r]);
      const float m = mean[r], s = rstd[r];
      for (int64_t k = 0; k < cg; ++k) {
        const int64_t ch = (r % groups) * cg + k;
        const float sc = s * (weight ? weight[ch] : 1.0f);
        const float sh = (bias ? bias[ch] : 0.0f) - m * sc;
        const float* xc = xp + k * hw;
        float* yc = yp + k * hw;
        for (int64_t i = 0; i < hw; ++i) yc[i] = xc[i] * sc + sh;
      }
    }
  });
}

void GroupNormBackward(int64_t n, int64_t c, int64_t hw, int64_t groups, const float* x, const float* gy,
                       const float* weight, const float* mean, const float* rstd, float* gx, float* gw, float* gb) {
  const int64_t cg = c / groups, d = cg * hw;
  // Per (image, channel): ds = sum(gy * x), db = sum(gy). Every gradient follows from these.
  std::vector<double> ds(static_cast<size_t>(n * c)), db(static_cast<size_t>(n * c));
  ParallelFor(n * c, std::max<int64_t>(1, kWork / std::max<int64_t>(1, hw)), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * hw;
      const float* g = gy + p * hw;
      double a = 0, b = 0;
      for (int64_t i = 0; i < hw; i += 256) {
        const int64_t e = std::min(hw, i + 256);
        float fa = 0, fb = 0;
        for (int64_t k = i; k < e; ++k) {
          fa += g[k] * xp[k];
          fb += g[k];
        }
        a += fa;
        b += fb;
      }
      ds[static_cast<size_t>(p)] = a;
      db[static_cast<size_t>(p)] = b;
    }
  });
  if (gw || gb) {
    for (int64_t ch = 0; ch < c; ++ch) {
      double sw = 0, sb = 0;
      for (int64_t b = 0; b < n; ++b) {
        const int64_t r = b * groups + ch / cg;
        const size_t p = static_cast<size_t>(b * c + ch);
        // sum(gy * xhat) = rstd * (ds - mean * db)
        sw += (ds[p] - static_cast<double>(mean[r]) * db[p]) * rstd[r];
        sb += db[p];
      }
      if (gw) gw[ch] = static_cast<float>(sw);
      if (gb) gb[ch] = static_cast<float>(sb);
    }
  }
  if (!gx) return;
  ParallelFor(n * groups, RowGrain(d), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t b = r / groups, g0 = (r % groups) * cg;
      const double m = mean[r], s = rstd[r];
      // With gxhat = gy * w: A = sum(gxhat), B = sum(gxhat * xhat), over the group.
      double A = 0, B = 0;
      for (int64_t k = 0; k < cg; ++k) {
        const size_t p = static_cast<size_t>(b * c + g0 + k);
        const double w = weight ? weight[g0 + k] : 1.0;
        A += w * db[p];
        B += w * (ds[p] - m * db[p]) * s;
      }
      const double ma = A / static_cast<double>(d), mb = B / static_cast<double>(d);
      for (int64_t k = 0; k < cg; ++k) {
        const float w = weight ? weight[g0 + k] : 1.0f;
        // gx = s * (w * gy - ma - xhat * mb) = (s * w) * gy + (s * (m * s * mb - ma)) - (s * s * mb) * x
        const float k1 = static_cast<float>(s * w);
        const float k0 = static_cast<float>(s * (m * s * mb - ma));
        const float k2 = static_cast<float>(s * s * mb);
        const float* xp = x + (b * c + g0 + k) * hw;
        const float* g = gy + (b * c + g0 + k) * hw;
        float* o = gx + (b * c + g0 + k) * hw;
        for (int64_t i = 0; i < hw; ++i) o[i] = k1 * g[i] + k0 - k2 * xp[i];
      }
    }
  });
}

}  // namespace torchlet
