#include "core/conv2d.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/denormal.h"
#include "core/gemm.h"
#include "core/im2col.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int kGemm1x1 = 0, kDepthwise = 1, kIm2col = 2;

ConvGeom GroupGeom(const Conv2dParams& p) {
  return ConvGeom{p.c / p.groups, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.oh, p.ow};
}

std::vector<float>& ThreadCol() {
  thread_local std::vector<float> col;
  return col;
}
float* Grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Parallel over batch items only when each thread gets at least one whole item and the items are
// big enough to be worth a wake-up; otherwise the GEMMs themselves run in parallel.
bool BatchParallel(const Conv2dParams& p) {
  const int t = GetNumThreads();
  const int64_t work = p.oc * p.oh * p.ow * (p.c / p.groups) * p.kh * p.kw;
  return t > 1 && p.n >= t && work * p.n >= (1 << 18);
}

// ---- depthwise (groups == c, oc = c * mult) --------------------------------------------------

void DepthwisePlane(const Conv2dParams& p, const float* x, const float* w, float bias, float* y) {
  for (int64_t i = 0; i < p.oh * p.ow; ++i) y[i] = bias;
  for (int64_t ky = 0; ky < p.kh; ++ky)
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const float wv = w[ky * p.kw + kx];
      const int64_t xoff = kx * p.dw - p.pw;
      int64_t lo = xoff >= 0 ? 0 : (-xoff + p.sw - 1) / p.sw;
      int64_t hi = p.w - xoff <= 0 ? 0 : (p.w - xoff + p.sw - 1) / p.sw;
      lo = std::min(lo, p.ow);
      hi = std::max(lo, std::min(hi, p.ow));
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
        if (iy < 0 || iy >= p.h) continue;
        const float* src = x + iy * p.w + xoff;
        float* d = y + oy * p.ow;
        if (p.sw == 1) for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * src[ox];
        else for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * src[ox * p.sw];
      }
    }
}

// gx plane += adjoint; gw (kh*kw) += correlation of gy with x.
void DepthwisePlaneBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx,
                            float* gw) {
  for (int64_t ky = 0; ky < p.kh; ++ky)
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const float wv = w[ky * p.kw + kx];
      const int64_t xoff = kx * p.dw - p.pw;
      int64_t lo = xoff >= 0 ? 0 : (-xoff + p.sw - 1) / p.sw;
      int64_t hi = p.w - xoff <= 0 ? 0 : (p.w - xoff + p.sw - 1) / p.sw;
      lo = std::min(lo, p.ow);
      hi = std::max(lo, std::min(hi, p.ow));
      double acc = 0;
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
        if (iy < 0 || iy >= p.h) continue;
        const float* g = gy + oy * p.ow;
        const int64_t base = iy * p.w + xoff;
        if (gx) {
          float* d = gx + base;
          if (p.sw == 1) for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * g[ox];
          else for (int64_t ox = lo; ox < hi; ++ox) d[ox * p.sw] += wv * g[ox];
        }
        if (gw) {
          const float* s = x + base;
          float a = 0;
          if (p.sw == 1) for (int64_t ox = lo; ox < hi; ++ox) a += g[ox] * s[ox];
          else for (int64_t ox = lo; ox < hi; ++ox) a += g[ox] * s[ox * p.sw];
          acc += a;
        }
      }
      if (gw) gw[ky * p.kw + kx] += static_cast<float>(acc);
    }
}

void DepthwiseForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t mult = p.oc / p.c, planes = p.n * p.oc, ohw = p.oh * p.ow, khw = p.kh * p.kw;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, ohw * khw));
  ParallelFor(planes, grain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const int64_t b = q / p.oc, o = q % p.oc, ic = o / mult;
      DepthwisePlane(p, x + (b * p.c + ic) * p.h * p.w, w + o * khw, bias ? bias[o] : 0.0f, y + q * ohw);
    }
  });
}

void DepthwiseBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw) {
  const int64_t mult = p.oc / p.c, ohw = p.oh * p.ow, khw = p.kh * p.kw, hw = p.h * p.w;
  // Parallel over input channels: channel ic owns gx planes (all images) and gw rows ic*mult..;
  // no two threads write the same memory.
  if (gw) std::memset(gw, 0, sizeof(float) * p.oc * khw);
  if (gx) std::memset(gx, 0, sizeof(float) * p.n * p.c * hw);
  ParallelFor(p.c, 1, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t ic = lo; ic < hi; ++ic)
      for (int64_t b = 0; b < p.n; ++b)
        for (int64_t m = 0; m < mult; ++m) {
          const int64_t o = ic * mult + m;
          DepthwisePlaneBackward(p, x + (b * p.c + ic) * hw, w + o * khw, gy + (b * p.oc + o) * ohw,
                                 gx ? gx + (b * p.c + ic) * hw : nullptr, gw ? gw + o * khw : nullptr);
        }
  });
}

// ---- GEMM-based (1x1 and im2col) ---------------------------------------------------------------

// One image: y_b = W * col(x_b) (+ bias), every group.
void ForwardItem(const Conv2dParams& p, int algo, const float* xb, const float* w, const float* bias, float* yb,
                 bool parallel_im2col) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const ConvGeom geom = GroupGeom(p);
  float* col = nullptr;
  if (algo == kIm2col) col = Grow(ThreadCol(), static_cast<size_t>(kg * ohw));
  if (bias)
    for (int64_t o = 0; o < p.oc; ++o) std::fill(yb + o * ohw, yb + (o + 1) * ohw, bias[o]);
  for (int64_t g = 0; g < p.groups; ++g) {
    const float* xg = xb + g * cg * p.h * p.w;
    const float* b = xg;
    if (algo == kIm2col) {
      if (parallel_im2col) {
        ParallelFor(kg, 4, [&](int64_t lo, int64_t hi) { Im2Col(geom, xg, col + lo * ohw, lo, hi); });
      } else {
        Im2Col(geom, xg, col, 0, kg);
      }
      b = col;
    }
    Sgemm(false, false, ocg, ohw, kg, 1.0f, w + g * ocg * kg, kg, b, ohw, bias ? 1.0f : 0.0f, yb + g * ocg * ohw, ohw);
  }
}

// One image's gradients: gx_b = col2im(W^T gy_b); gw += gy_b col(x_b)^T.
void BackwardItem(const Conv2dParams& p, int algo, const float* xb, const float* w, const float* gyb, float* gxb,
                  float* gw, bool gw_accumulate, bool parallel_inner) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t hw = p.h * p.w;
  const ConvGeom geom = GroupGeom(p);
  float* col = nullptr;
  if (algo == kIm2col) col = Grow(ThreadCol(), static_cast<size_t>(kg * ohw));
  for (int64_t g = 0; g < p.groups; ++g) {
    const float* xg = xb + g * cg * hw;
    const float* wg = w + g * ocg * kg;
    const float* gyg = gyb + g * ocg * ohw;
    if (gw) {
      const float* b = xg;
      if (algo == kIm2col) {
        if (parallel_inner) ParallelFor(kg, 4, [&](int64_t lo, int64_t hi) { Im2Col(geom, xg, col + lo * ohw, lo, hi); });
        else Im2Col(geom, xg, col, 0, kg);
        b = col;
      }
      Sgemm(false, true, ocg, kg, ohw, 1.0f, gyg, ohw, b, ohw, gw_accumulate ? 1.0f : 0.0f, gw + g * ocg * kg, kg);
    }
    if (gxb) {
      float* gxg = gxb + g * cg * hw;
      if (algo == kGemm1x1) {
        Sgemm(true, false, cg, ohw, ocg, 1.0f, wg, kg, gyg, ohw, 0.0f, gxg, ohw);
      } else {
        Sgemm(true, false, kg, ohw, ocg, 1.0f, wg, kg, gyg, ohw, 0.0f, col, ohw);
        std::memset(gxg, 0, sizeof(float) * cg * hw);
        if (parallel_inner) ParallelFor(cg, 1, [&](int64_t lo, int64_t hi) { Col2ImAdd(geom, col, gxg, lo, hi); });
        else Col2ImAdd(geom, col, gxg, 0, cg);
      }
    }
  }
}

}  // namespace

int Conv2dAlgorithm(const Conv2dParams& p) {
  if (p.groups == p.c && p.groups > 1 && p.oc % p.c == 0) return kDepthwise;
  if (p.kh == 1 && p.kw == 1 && p.sh == 1 && p.sw == 1 && p.ph == 0 && p.pw == 0 && p.oh == p.h && p.ow == p.w)
    return kGemm1x1;
  return kIm2col;
}

void Conv2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  DenormalGuard dg;
  const int algo = Conv2dAlgorithm(p);
  if (algo == kDepthwise) return DepthwiseForward(p, x, w, bias, y);
  const int64_t xs = p.c * p.h * p.w, ys = p.oc * p.oh * p.ow;
  if (BatchParallel(p)) {
    ParallelFor(p.n, 1, [&](int64_t lo, int64_t hi) {
      DenormalGuard g;
      for (int64_t b = lo; b < hi; ++b) ForwardItem(p, algo, x + b * xs, w, bias, y + b * ys, false);
    });
  } else {
    for (int64_t b = 0; b < p.n; ++b) ForwardItem(p, algo, x + b * xs, w, bias, y + b * ys, true);
  }
}

void Conv2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw,
                    float* gb) {
  DenormalGuard dg;
  const int64_t ohw = p.oh * p.ow;
  if (gb) {
    ParallelFor(p.oc, 8, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) {
        double s = 0;
        for (int64_t b = 0; b < p.n; ++b) {
          const float* g = gy + (b * p.oc + o) * ohw;
          float a = 0;
          for (int64_t i = 0; i < ohw; ++i) a += g[i];
          s += a;
        }
        gb[o] = static_cast<float>(s);
      }
    });
  }
  if (!gx && !gw) return;
  const int algo = Conv2dAlgorithm(p);
  if (algo == kDepthwise) return DepthwiseBackward(p, x, w, gy, gx, gw);
  const int64_t xs = p.c * p.h * p.w, ys = p.oc * ohw, wn = p.oc * (p.c / p.groups) * p.kh * p.kw;
  if (p.n == 0) {
    if (gw) std::memset(gw, 0, sizeof(float) * wn);
    return;
  }
  if (BatchParallel(p)) {
    const int parts = std::min<int64_t>(GetNumThreads(), p.n);
    // Each part accumulates its own weight gradient (part 0 straight into gw), summed at the end.
    std::vector<float> partial(gw ? static_cast<size_t>((parts - 1) * wn) : 0);
    ParallelFor(parts, 1, [&](int64_t lo, int64_t hi) {
      DenormalGuard g;
      for (int64_t part = lo; part < hi; ++part) {
        float* gwp = gw ? (part == 0 ? gw : partial.data() + (part - 1) * wn) : nullptr;
        const int64_t b0 = p.n * part / parts, b1 = p.n * (part + 1) / parts;
        for (int64_t b = b0; b < b1; ++b)
          BackwardItem(p, algo, x + b * xs, w, gy + b * ys, gx ? gx + b * xs : nullptr, gwp, b > b0, false);
      }
    });
    if (gw)
      for (int part = 1; part < parts; ++part) {
        const float* src = partial.data() + (part - 1) * wn;
        for (int64_t i = 0; i < wn; ++i) gw[i] += src[i];
      }
  } else {
    for (int64_t b = 0; b < p.n; ++b)
      BackwardItem(p, algo, x + b * xs, w, gy + b * ys, gx ? gx + b * xs : nullptr, gw, b > 0, true);
  }
}

}  // namespace torchlet
