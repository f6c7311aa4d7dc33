#include "core/im2col.h"

#include "core/kernel_table.h"

namespace torchlet {

// The loops live in kernels/nn_impl.h, compiled per ISA (masked vector row copies).
void Im2Col(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1) {
  Kernels().im2col(&g, x, col, r0, r1, 0, g.oh * g.ow);
}

void Im2ColBlock(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  Kernels().im2col(&g, x, col, r0, r1, j0, j1);
}

void Col2ImAdd(const ConvGeom& g, const float* col, float* dx, int64_t c0, int64_t c1) {
  Kernels().col2im_add(&g, col, dx, c0, c1);
}

void Im2ColSource::Pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* out) const {
  const ConvGeom& g = g_;
  for (int64_t jb = 0; jb < nc; jb += nr) {
    const int cols = static_cast<int>(nc - jb < nr ? nc - jb : nr);
    float* panel = out + jb * kc;
    const int64_t j = j0 + jb;
    const int64_t oy0 = j / g.ow, ox0 = j % g.ow;
    for (int64_t p = 0; p < kc; ++p) {
      const int64_t r = p0 + p;
      const int64_t kx = r % g.kw, ky = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
      const float* xc = x_ + c * g.h * g.w;
      const int64_t yoff = ky * g.dh - g.ph, xoff = kx * g.dw - g.pw;
      float* dst = panel + p * nr;
      int64_t oy = oy0, ox = ox0;
      int filled = 0;
      while (filled < cols) {
        const int seg = static_cast<int>(g.ow - ox < cols - filled ? g.ow - ox : cols - filled);
        const int64_t iy = oy * g.sh + yoff;
        float* d = dst + filled;
        if (iy < 0 || iy >= g.h) {
          for (int t = 0; t < seg; ++t) d[t] = 0.0f;
        } else {
          const float* row = xc + iy * g.w;
          int64_t ix = ox * g.sw + xoff;
          for (int t = 0; t < seg; ++t, ix += g.sw) d[t] = (ix >= 0 && ix < g.w) ? row[ix] : 0.0f;
        }
        filled += seg;
        ox = 0;
        ++oy;
      }
      for (int t = cols; t < nr; ++t) dst[t] = 0.0f;
    }
  }
}

}  // namespace torchlet
