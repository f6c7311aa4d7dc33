// GEMM and NN kernels written once as plain loops (the portable path, and the tails / fallbacks of
// the intrinsics paths) and compiled per ISA: each native/kernels/<isa>.cc includes this file
// inside its own namespace after its target pragma. Only <cstdint>/<cstring>/<cmath> may be used
// (see elementwise_impl.h for why no std:: templates are instantiated here).

// Register-tiled SGEMM micro-kernel over a packed A panel [kc x MR] and a B panel with row stride
// ldb (see KernelTable::sgemm_ukernel). Columns >= n of B are never read.
template <int MR, int NR>
static void SgemmUkernelGeneric(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                                int n, bool accumulate) {
  float acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = 0.0f;
  if (n == NR) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* ap = a + p * MR;
      const float* bp = b + p * ldb;
      for (int i = 0; i < MR; ++i) {
        const float av = ap[i];
        for (int j = 0; j < NR; ++j) acc[i][j] += av * bp[j];
      }
    }
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      const float* ap = a + p * MR;
      const float* bp = b + p * ldb;
      for (int i = 0; i < MR; ++i) {
        const float av = ap[i];
        for (int j = 0; j < n; ++j) acc[i][j] += av * bp[j];
      }
    }
  }
  for (int i = 0; i < m; ++i) {
    float* cr = c + i * ldc;
    if (accumulate)
      for (int j = 0; j < n; ++j) cr[j] += acc[i][j];
    else
      for (int j = 0; j < n; ++j) cr[j] = acc[i][j];
  }
}

template <int MR, int NR>
static void SgemmUkernelIndirectGeneric(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                        int64_t ldc, int m, int n, bool accumulate) {
  float acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = 0.0f;
  for (int64_t p = 0; p < kc; ++p) {
    const float* ap = a + p * MR;
    const float* bp = brows[p] + boff;
    for (int i = 0; i < MR; ++i) {
      const float av = ap[i];
      for (int j = 0; j < n; ++j) acc[i][j] += av * bp[j];
    }
  }
  for (int i = 0; i < m; ++i) {
    float* cr = c + i * ldc;
    if (accumulate)
      for (int j = 0; j < n; ++j) cr[j] += acc[i][j];
    else
      for (int j = 0; j < n; ++j) cr[j] = acc[i][j];
  }
}

static inline float DotGeneric(const float* x, const float* y, int64_t k) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t p = 0;
  for (; p + 8 <= k; p += 8)
    for (int j = 0; j < 8; ++j) acc[j] += x[p + j] * y[p + j];
  float s = 0;
  for (; p < k; ++p) s += x[p] * y[p];
  return s + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static inline void SgemmDotGeneric(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                                   const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float d = alpha * DotGeneric(a + i * lda, b + j * ldb, k);
      float* cp = c + i * ldc + j;
      *cp = beta == 0.0f ? d : d + beta * *cp;
    }
}

[[maybe_unused]] static void SgemmDotIndirectGeneric(int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                                                     int64_t lda, const float* const* brows, float beta, float* c,
                                                     int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float d = alpha * DotGeneric(a + i * lda, brows[j], k);
      float* cp = c + i * ldc + j;
      *cp = beta == 0.0f ? d : d + beta * *cp;
    }
}

// Max pooling of one plane (see KernelTable::maxpool2d_plane). PyTorch's order: taps row-major,
// a later tap replaces the running max when strictly greater or NaN.
static void MaxPool2dPlane(const float* x, int64_t h, int64_t w, float* y, int32_t* idx, int64_t oh, int64_t ow, int kh,
                           int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && 2 * ow <= w &&
      2 * oh <= h) {
    // The common 2x2/2 case: branch-free so it vectorizes.
    for (int64_t oy = 0; oy < oh; ++oy) {
      const float* r0 = x + 2 * oy * w;
      const float* r1 = r0 + w;
      float* yr = y + oy * ow;
      if (idx) {
        int32_t* ir = idx + oy * ow;
        const int32_t base = static_cast<int32_t>(2 * oy * w);
        const int32_t wi = static_cast<int32_t>(w);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
          float m = a;
          int32_t k = 0;
          bool t = (b > m) | (b != b);
          m = t ? b : m;
          k = t ? 1 : k;
          t = (c > m) | (c != c);
          m = t ? c : m;
          k = t ? wi : k;
          t = (d > m) | (d != d);
          m = t ? d : m;
          k = t ? wi + 1 : k;
          yr[ox] = m;
          ir[ox] = base + 2 * static_cast<int32_t>(ox) + k;
        }
      } else {
        for (int64_t ox = 0; ox < ow; ++ox) {
          const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
          float m = a;
          m = ((b > m) | (b != b)) ? b : m;
          m = ((c > m) | (c != c)) ? c : m;
          m = ((d > m) | (d != d)) ? d : m;
          yr[ox] = m;
        }
      }
    }
    return;
  }
  const float ninf = -BitsToFloat(0x7f800000);
  // Output columns whose whole window is inside the row, [cx0, cx1): run tap by tap over blocks of
  // columns (MaxTapBlock, vector code from the including ISA file); the
  // edge columns take the scalar loop. Both start from -inf and the first valid tap, and visit the
  // taps in the same order, so they agree with PyTorch bit for bit (NaN and ties included).
  int64_t cx0 = pw <= 0 ? 0 : (pw + sw - 1) / sw;
  int64_t cx1 = w - 1 - static_cast<int64_t>(kw - 1) * dw + pw;
  cx1 = cx1 < 0 ? 0 : cx1 / sw + 1;
  cx1 = cx1 < ow ? cx1 : ow;
  cx0 = cx0 < cx1 ? cx0 : cx1;
  for (int64_t oy = 0; oy < oh; ++oy) {
    int64_t y0 = oy * sh - ph;
    int64_t ky0 = 0;
    while (y0 + ky0 * dh < 0) ++ky0;
    int64_t ky1 = ky0;
    while (ky1 < kh && y0 + ky1 * dh < h) ++ky1;
    float* yr = y + oy * ow;
    int32_t* ir = idx ? idx + oy * ow : nullptr;
    constexpr int64_t kBlock = 64;
    for (int64_t b0 = cx0; b0 < cx1; b0 += kBlock) {
      const int64_t bn = cx1 - b0 < kBlock ? cx1 - b0 : kBlock;
      float m[kBlock];
      int32_t k[kBlock];
      for (int64_t j = 0; j < bn; ++j) {
        m[j] = ninf;
        k[j] = static_cast<int32_t>((y0 + ky0 * dh) * w + (b0 + j) * sw - pw);
      }
      for (int64_t ky = ky0; ky < ky1; ++ky) {
        const int64_t yy = y0 + ky * dh;
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t off = kx * dw - pw;
          const float* src = x + yy * w + b0 * sw + off;
          const int32_t base = static_cast<int32_t>(yy * w + b0 * sw + off);
          MaxTapBlock(src, sw, bn, base, m, ir ? k : nullptr);
        }
      }
      for (int64_t j = 0; j < bn; ++j) yr[b0 + j] = m[j];
      if (ir)
        for (int64_t j = 0; j < bn; ++j) ir[b0 + j] = k[j];
    }
    for (int64_t ox = 0; ox < ow; ++ox) {
      if (ox == cx0) ox = cx1;
      if (ox >= ow) break;
      int64_t x0 = ox * sw - pw;
      int64_t kx0 = 0;
      while (x0 + kx0 * dw < 0) ++kx0;
      float mv = ninf;
      int64_t best = (y0 + ky0 * dh) * w + (x0 + kx0 * dw);
      for (int64_t ky = ky0; ky < ky1; ++ky) {
        const float* row = x + (y0 + ky * dh) * w;
        for (int64_t kx = kx0; kx < kw; ++kx) {
          const int64_t xx = x0 + kx * dw;
          if (xx >= w) break;
          const float v = row[xx];
          if (v > mv || v != v) {
            mv = v;
            best = (y0 + ky * dh) * w + xx;
          }
        }
      }
      yr[ox] = mv;
      if (ir) ir[ox] = static_cast<int32_t>(best);
    }
  }
}

// ---- im2col / col2im (see core/im2col.h). Row helpers CopyRow / AddRow / ZeroRow come from the
// including ISA file (masked vector code on AVX-512/AVX2: output rows are short, e.g. 28 floats).

// Output columns ox in [lo, hi) read an in-range input column for tap offset `off` (= kx*dw - pw).
static inline void ValidRange(int64_t off, int64_t stride, int64_t in, int64_t out, int64_t* lo, int64_t* hi) {
  int64_t l = off >= 0 ? 0 : (-off + stride - 1) / stride;
  int64_t h = in - off <= 0 ? 0 : (in - off + stride - 1) / stride;
  l = l < out ? l : out;
  h = h < out ? h : out;
  h = h > l ? h : l;
  *lo = l;
  *hi = h;
}

// col rows [r0, r1), pixel columns [j0, j1) (row stride j1 - j0).
static void Im2Col(const ConvGeom* gp, const float* x, float* col, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  const ConvGeom& g = *gp;
  const int64_t width = j1 - j0;
  if (width <= 0) return;
  const int64_t oy_first = j0 / g.ow, oy_last = (j1 - 1) / g.ow;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t kx = r % g.kw, ky = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
    const float* xc = x + c * g.h * g.w;
    float* dst = col + (r - r0) * width - j0;  // indexed by absolute pixel
    const int64_t xoff = kx * g.dw - g.pw;
    int64_t lo, hi;
    ValidRange(xoff, g.sw, g.w, g.ow, &lo, &hi);
    for (int64_t oy = oy_first; oy <= oy_last; ++oy) {
      const int64_t base = oy * g.ow;
      const int64_t a = j0 > base ? j0 - base : 0, b = j1 - base < g.ow ? j1 - base : g.ow;
      float* d = dst + base;
      const int64_t iy = oy * g.sh - g.ph + ky * g.dh;
      if (iy < 0 || iy >= g.h) {
        ZeroRow(d + a, b - a);
        continue;
      }
      const float* src = xc + iy * g.w + xoff;
      const int64_t l = lo > a ? lo : a, h = hi < b ? hi : b;
      if (h <= l) {
        ZeroRow(d + a, b - a);
        continue;
      }
      if (l > a) ZeroRow(d + a, l - a);
      if (g.sw == 1) {
        CopyRow(d + l, src + l, h - l);
      } else {
        for (int64_t ox = l; ox < h; ++ox) d[ox] = src[ox * g.sw];
      }
      if (h < b) ZeroRow(d + h, b - h);
    }
  }
}

static void Col2ImAdd(const ConvGeom* gp, const float* col, float* dx, int64_t c0, int64_t c1) {
  const ConvGeom& g = *gp;
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
          const float* sr = src + oy * g.ow;
          if (g.sw == 1) {
            AddRow(d + lo, sr + lo, hi - lo);
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) d[ox * g.sw] += sr[ox];
          }
        }
      }
  }
}
