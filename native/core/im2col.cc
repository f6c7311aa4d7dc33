#include "core/im2col.h"

#include <algorithm>
#include <cstring>

namespace torchlet {
namespace {

// Output columns ox in [lo, hi) read an in-range input column for tap offset `off` (= kx*dw - pw).
inline void ValidRange(int64_t off, int64_t stride, int64_t in, int64_t out, int64_t* lo, int64_t* hi) {
  // need 0 <= ox*stride + off < in
  int64_t l = off >= 0 ? 0 : (-off + stride - 1) / stride;
  int64_t h = in - off <= 0 ? 0 : (in - off + stride - 1) / stride;
  l = std::min(l, out);
  h = std::max(l, std::min(h, out));
  *lo = l;
  *hi = h;
}

}  // namespace

void Im2Col(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1) {
  const int64_t ohw = g.oh * g.ow;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t kx = r % g.kw, ky = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
    const float* xc = x + c * g.h * g.w;
    float* dst = col + (r - r0) * ohw;
    const int64_t xoff = kx * g.dw - g.pw;
    int64_t lo, hi;
    ValidRange(xoff, g.sw, g.w, g.ow, &lo, &hi);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      float* d = dst + oy * g.ow;
      const int64_t iy = oy * g.sh - g.ph + ky * g.dh;
      if (iy < 0 || iy >= g.h) {
        std::memset(d, 0, sizeof(float) * g.ow);
        continue;
      }
      const float* src = xc + iy * g.w + xoff;
      for (int64_t ox = 0; ox < lo; ++ox) d[ox] = 0.0f;
      if (g.sw == 1) {
        if (hi > lo) std::memcpy(d + lo, src + lo, sizeof(float) * (hi - lo));
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) d[ox] = src[ox * g.sw];
      }
      for (int64_t ox = hi; ox < g.ow; ++ox) d[ox] = 0.0f;
    }
  }
}

void Col2ImAdd(const ConvGeom& g, const float* col, float* dx, int64_t c0, int64_t c1) {
  const int64_t ohw = g.oh * g.ow;
  for (int64_t c = c0; c < c1; ++c) {
    float* xc = dx + c * g.h * g.w;
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const float* src = col + ((c * g.kh + ky) * g.kw + kx) * ohw;
        const int64_t xoff = kx * g.dw - g.pw;
        int64_t lo, hi;
        ValidRange(xoff, g.sw, g.w, g.ow, &lo, &hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.sh - g.ph + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          float* d = xc + iy * g.w + xoff;
          const float* s = src + oy * g.ow;
          if (g.sw == 1) {
            for (int64_t ox = lo; ox < hi; ++ox) d[ox] += s[ox];
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) d[ox * g.sw] += s[ox];
          }
        }
      }
  }
}

}  // namespace torchlet
