#include "core/pool2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/denormal.h"
#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// Input values per task: a parallel region costs ~10 us of wall time on the 2-core build VM
// (condition-variable wake-up and the wait for the last part), so pooling only splits when each
// part has ~30 us of work.
int64_t Grain(int64_t per_plane) { return std::max<int64_t>(1, 131072 / std::max<int64_t>(1, per_plane)); }

// PyTorch's adaptive window: [floor(o*in/out), ceil((o+1)*in/out)).
inline int64_t AStart(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
inline int64_t AEnd(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// PyTorch's avg-pool window and divisor for one output coordinate.
struct AvgWin {
  int64_t y0, y1, x0, x1;
  float inv;
};
inline AvgWin AvgWindow(const Pool2dParams& p, int64_t oy, int64_t ox) {
  int64_t y0 = oy * p.sh - p.ph, x0 = ox * p.sw - p.pw;
  int64_t y1 = std::min(y0 + p.kh, p.h + p.ph), x1 = std::min(x0 + p.kw, p.w + p.pw);
  const int64_t pool_size = (y1 - y0) * (x1 - x0);
  y0 = std::max<int64_t>(y0, 0);
  x0 = std::max<int64_t>(x0, 0);
  y1 = std::min(y1, p.h);
  x1 = std::min(x1, p.w);
  int64_t div;
  if (p.divisor_override)
    div = p.divisor_override;
  else if (p.count_include_pad)
    div = pool_size;
  else
    div = (y1 - y0) * (x1 - x0);
  return AvgWin{y0, y1, x0, x1, div > 0 ? 1.0f / static_cast<float>(div) : 0.0f};
}

}  // namespace

void MaxPool2dForward(const Pool2dParams& p, const float* x, float* y, int32_t* idx) {
  const KernelTable& kt = Kernels();
  const int64_t hw = p.h * p.w, ohw = p.oh * p.ow;
  ParallelFor(p.planes, Grain(hw), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q)
      kt.maxpool2d_plane(x + q * hw, p.h, p.w, y + q * ohw, idx ? idx + q * ohw : nullptr, p.oh, p.ow, p.kh, p.kw, p.sh,
                         p.sw, p.ph, p.pw, p.dh, p.dw);
  });
}

void MaxPool2dBackward(int64_t planes, int64_t hw, int64_t ohw, const float* gy, const int32_t* idx, float* gx) {
  ParallelFor(planes, Grain(hw), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      float* g = gx + q * hw;
      std::memset(g, 0, sizeof(float) * hw);
      const float* s = gy + q * ohw;
      const int32_t* ix = idx + q * ohw;
      for (int64_t i = 0; i < ohw; ++i) {
        const int32_t k = ix[i];
        if (k >= 0 && k < hw) g[k] += s[i];
      }
    }
  });
}

void AvgPool2dForward(const Pool2dParams& p, const float* x, float* y) {
  const int64_t hw = p.h * p.w, ohw = p.oh * p.ow;
  ParallelFor(p.planes, Grain(hw), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const float* xp = x + q * hw;
      float* yp = y + q * ohw;
      for (int64_t oy = 0; oy < p.oh; ++oy)
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          const AvgWin win = AvgWindow(p, oy, ox);
          float s = 0;
          for (int64_t yy = win.y0; yy < win.y1; ++yy)
            for (int64_t xx = win.x0; xx < win.x1; ++xx) s += xp[yy * p.w + xx];
          yp[oy * p.ow + ox] = s * win.inv;
        }
    }
  });
}

void AvgPool2dBackward(const Pool2dParams& p, const float* gy, float* gx) {
  const int64_t hw = p.h * p.w, ohw = p.oh * p.ow;
  ParallelFor(p.planes, Grain(hw), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      float* gp = gx + q * hw;
      std::memset(gp, 0, sizeof(float) * hw);
      const float* g = gy + q * ohw;
      for (int64_t oy = 0; oy < p.oh; ++oy)
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          const AvgWin win = AvgWindow(p, oy, ox);
          const float v = g[oy * p.ow + ox] * win.inv;
          for (int64_t yy = win.y0; yy < win.y1; ++yy)
            for (int64_t xx = win.x0; xx < win.x1; ++xx) gp[yy * p.w + xx] += v;
        }
    }
  });
}

void AdaptiveAvgPool2dForward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* x, float* y) {
  ParallelFor(planes, Grain(h * w), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const float* xp = x + q * h * w;
      float* yp = y + q * oh * ow;
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t y0 = AStart(oy, h, oh), y1 = AEnd(oy, h, oh);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t x0 = AStart(ox, w, ow), x1 = AEnd(ox, w, ow);
          float s = 0;
          for (int64_t yy = y0; yy < y1; ++yy)
            for (int64_t xx = x0; xx < x1; ++xx) s += xp[yy * w + xx];
          yp[oy * ow + ox] = s / static_cast<float>((y1 - y0) * (x1 - x0));
        }
      }
    }
  });
}

void AdaptiveAvgPool2dBackward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* gy,
                               float* gx) {
  ParallelFor(planes, Grain(h * w), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      float* gp = gx + q * h * w;
      std::memset(gp, 0, sizeof(float) * h * w);
      const float* g = gy + q * oh * ow;
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t y0 = AStart(oy, h, oh), y1 = AEnd(oy, h, oh);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t x0 = AStart(ox, w, ow), x1 = AEnd(ox, w, ow);
          const float v = g[oy * ow + ox] / static_cast<float>((y1 - y0) * (x1 - x0));
          for (int64_t yy = y0; yy < y1; ++yy)
            for (int64_t xx = x0; xx < x1; ++xx) gp[yy * w + xx] += v;
        }
      }
    }
  });
}

void AdaptiveMaxPool2dForward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* x, float* y,
                              int32_t* idx) {
  ParallelFor(planes, Grain(h * w), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const float* xp = x + q * h * w;
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t y0 = AStart(oy, h, oh), y1 = AEnd(oy, h, oh);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t x0 = AStart(ox, w, ow), x1 = AEnd(ox, w, ow);
          float m = -std::numeric_limits<float>::infinity();
          int64_t best = y0 * w + x0;
          for (int64_t yy = y0; yy < y1; ++yy)
            for (int64_t xx = x0; xx < x1; ++xx) {
              const float v = xp[yy * w + xx];
              if (v > m || std::isnan(v)) {
                m = v;
                best = yy * w + xx;
              }
            }
          y[q * oh * ow + oy * ow + ox] = m;
          if (idx) idx[q * oh * ow + oy * ow + ox] = static_cast<int32_t>(best);
        }
      }
    }
  });
}

}  // namespace torchlet
