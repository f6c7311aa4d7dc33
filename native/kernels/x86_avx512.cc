// AVX-512F kernels. Standard headers come before the target pragma (see elementwise_impl.h).
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
// GCC 12's own AVX-512 headers seed "undefined" vectors with `__m512 __Y = __Y;`, which its
// uninitialized-use analysis then reports inside every inlined _mm512_reduce_*/shuffle/scalef
// (GCC bug 105593, fixed in 13). The value is never read. Scoped to the header's own lines: the
// pragma state is looked up at the warning's location, so this file's code is still checked.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#endif

#include "core/im2col.h"
#include "core/kernel_table.h"
#include "core/ops.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif

namespace torchlet {
namespace avx512 {
#include "kernels/elementwise_impl.h"
static inline __mmask16 RowMask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }
static inline void CopyRow(float* d, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));
  if (i < n) _mm512_mask_storeu_ps(d + i, RowMask(n - i), _mm512_maskz_loadu_ps(RowMask(n - i), s + i));
}
static inline void AddRow(float* d, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_add_ps(_mm512_loadu_ps(d + i), _mm512_loadu_ps(s + i)));
  if (i < n) {
    const __mmask16 m = RowMask(n - i);
    _mm512_mask_storeu_ps(d + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d + i), _mm512_maskz_loadu_ps(m, s + i)));
  }
}
static inline void ZeroRow(float* d, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_setzero_ps());
  if (i < n) _mm512_mask_storeu_ps(d + i, RowMask(n - i), _mm512_setzero_ps());
}
// Max pooling, one tap over a block of output columns: v = src[j * sw] replaces m[j] (and its index
// base + j * sw in k[j], when k is given) when greater or NaN, PyTorch's rule. Stride 2 de-interleaves
// two loads; the last vector of a block and other strides gather (no read past src[(n-1) * sw]).
static inline void MaxTapBlock(const float* src, int64_t sw, int64_t n, int32_t base, float* m, int32_t* k) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i step = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(static_cast<int>(sw)));
  auto update = [&](int64_t j, __m512 v, __mmask16 valid) {
    const __m512 mv = _mm512_maskz_loadu_ps(valid, m + j);
    const __mmask16 t = (_mm512_cmp_ps_mask(v, mv, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q)) & valid;
    _mm512_mask_storeu_ps(m + j, t, v);
    if (k)
      _mm512_mask_storeu_epi32(k + j, t,
                               _mm512_add_epi32(_mm512_set1_epi32(base + static_cast<int32_t>(j * sw)), step));
  };
  int64_t j = 0;
  if (sw == 1) {
    for (; j + 16 <= n; j += 16) update(j, _mm512_loadu_ps(src + j), 0xFFFF);
  } else if (sw == 2) {
    for (; j + 16 < n; j += 16)
      update(j, _mm512_permutex2var_ps(_mm512_loadu_ps(src + 2 * j), even, _mm512_loadu_ps(src + 2 * j + 16)), 0xFFFF);
  }
  for (; j < n; j += 16) {
    const __mmask16 valid = RowMask(n - j < 16 ? n - j : 16);
    update(j, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, step, src + j * sw, 4), valid);
  }
}
#include "kernels/nn_impl.h"

constexpr int kMr = 14, kNr = 32, kMrSmall = 8;

static inline __mmask16 TailMask(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1);
}

// 14x32 register tile: 28 zmm accumulators, 2 zmm for the B row, A values broadcast from memory
// (folded into the FMA). N tails use masked loads/stores; M tails skip rows.
// B rows either strided (ldb) or through a row-pointer table (brows[p] + ldb as the offset).
template <int MR, bool kFullN, bool kIndirect = false>
static inline void UkernelX32(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool accumulate, const float* const* brows = nullptr) {
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 14
  for (int i = 0; i < MR; ++i) {
    c0[i] = _mm512_setzero_ps();
    c1[i] = _mm512_setzero_ps();
  }
  const __mmask16 m0 = TailMask(n), m1 = TailMask(n - 16);
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0, b1;
    if (kIndirect) b = brows[p] + ldb;
    if (kFullN) {
      b0 = _mm512_loadu_ps(b);
      b1 = _mm512_loadu_ps(b + 16);
    } else {
      b0 = _mm512_maskz_loadu_ps(m0, b);
      b1 = _mm512_maskz_loadu_ps(m1, b + 16);
    }
#pragma GCC unroll 14
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
    }
    a += MR;
    if (!kIndirect) b += ldb;
  }
#pragma GCC unroll 14
  for (int i = 0; i < MR; ++i) {
    if (i < m) {
      float* cr = c + i * ldc;
      if (kFullN) {
        if (accumulate) {
          c0[i] = _mm512_add_ps(c0[i], _mm512_loadu_ps(cr));
          c1[i] = _mm512_add_ps(c1[i], _mm512_loadu_ps(cr + 16));
        }
        _mm512_storeu_ps(cr, c0[i]);
        _mm512_storeu_ps(cr + 16, c1[i]);
      } else {
        if (accumulate) {
          c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, cr));
          c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, cr + 16));
        }
        _mm512_mask_storeu_ps(cr, m0, c0[i]);
        _mm512_mask_storeu_ps(cr + 16, m1, c1[i]);
      }
    }
  }
}

// N tails of at most 16 columns: one masked zmm per row, half the FMAs of the 32-wide tile (whose
// second half would multiply zeros). E.g. the last 8 columns of a conv's 136-column pixel row.
template <int MR, bool kIndirect = false>
static inline void UkernelX16(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool accumulate, const float* const* brows = nullptr) {
  __m512 c0[MR];
#pragma GCC unroll 14
  for (int i = 0; i < MR; ++i) c0[i] = _mm512_setzero_ps();
  const __mmask16 m0 = TailMask(n);
  for (int64_t p = 0; p < kc; ++p) {
    if (kIndirect) b = brows[p] + ldb;
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
#pragma GCC unroll 14
    for (int i = 0; i < MR; ++i) c0[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), b0, c0[i]);
    a += MR;
    if (!kIndirect) b += ldb;
  }
#pragma GCC unroll 14
  for (int i = 0; i < MR; ++i) {
    if (i < m) {
      float* cr = c + i * ldc;
      if (accumulate) c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, cr));
      _mm512_mask_storeu_ps(cr, m0, c0[i]);
    }
  }
}

static void SgemmUkernel(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                         bool acc) {
  if (n == kNr)
    UkernelX32<kMr, true>(kc, a, b, ldb, c, ldc, m, n, acc);
  else if (n <= 16)
    UkernelX16<kMr>(kc, a, b, ldb, c, ldc, m, n, acc);
  else
    UkernelX32<kMr, false>(kc, a, b, ldb, c, ldc, m, n, acc);
}

static void SgemmUkernelSmall(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool acc) {
  if (n == kNr)
    UkernelX32<kMrSmall, true>(kc, a, b, ldb, c, ldc, m, n, acc);
  else if (n <= 16)
    UkernelX16<kMrSmall>(kc, a, b, ldb, c, ldc, m, n, acc);
  else
    UkernelX32<kMrSmall, false>(kc, a, b, ldb, c, ldc, m, n, acc);
}

static void SgemmUkernelIndirect(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                 int64_t ldc, int m, int n, bool acc) {
  if (n == kNr)
    UkernelX32<kMr, true, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else if (n <= 16)
    UkernelX16<kMr, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else
    UkernelX32<kMr, false, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
}

static void SgemmUkernelIndirectSmall(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                      int64_t ldc, int m, int n, bool acc) {
  if (n == kNr)
    UkernelX32<kMrSmall, true, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else if (n <= 16)
    UkernelX16<kMrSmall, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else
    UkernelX32<kMrSmall, false, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
}

// In-register 16x16 transpose: on return r[c] holds column c of the input rows.
static inline void Transpose16x16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // u[4g + j], 128-bit lane L, holds column 4L + j of rows 4g..4g+3.
  for (int j = 0; j < 4; ++j) {
    const __m512 v = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88), w = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xdd);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88),
                 w2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xdd);
    r[j] = _mm512_shuffle_f32x4(v, v2, 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(v, v2, 0xdd);
    r[j + 4] = _mm512_shuffle_f32x4(w, w2, 0x88);
    r[j + 12] = _mm512_shuffle_f32x4(w, w2, 0xdd);
  }
}

// One NR-column panel of a transposed B (see KernelTable::pack_b_trans), 16x16 blocks at a time.
static void PackBTrans(const float* b, int64_t ldb, int64_t kc, int cols, int nr, float* panel) {
  for (int c0 = 0; c0 < nr; c0 += 16) {
    const int nrows = cols - c0 < 0 ? 0 : (cols - c0 > 16 ? 16 : cols - c0);
    for (int64_t p0 = 0; p0 < kc; p0 += 16) {
      const int np = kc - p0 < 16 ? static_cast<int>(kc - p0) : 16;
      __m512 r[16];
      if (np == 16) {
        for (int i = 0; i < 16; ++i) r[i] = i < nrows ? _mm512_loadu_ps(b + (c0 + i) * ldb + p0) : _mm512_setzero_ps();
      } else {
        const __mmask16 m = TailMask(np);
        for (int i = 0; i < 16; ++i)
          r[i] = i < nrows ? _mm512_maskz_loadu_ps(m, b + (c0 + i) * ldb + p0) : _mm512_setzero_ps();
      }
      Transpose16x16(r);
      for (int q = 0; q < np; ++q) _mm512_storeu_ps(panel + (p0 + q) * nr + c0, r[q]);
    }
  }
}

// 2x2 / stride 2 max pooling, 16 outputs per step (masked tails), PyTorch's tap order and NaN rule;
// other shapes take the portable loop.
static void MaxPool2dPlane512(const float* x, int64_t h, int64_t w, float* y, int32_t* idx, int64_t oh, int64_t ow,
                              int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
  if (!(kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && 2 * ow <= w &&
        2 * oh <= h)) {
    return MaxPool2dPlane(x, h, w, y, idx, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
  }
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  const __m512i lane2 = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i k1 = _mm512_set1_epi32(1), kw0 = _mm512_set1_epi32(static_cast<int>(w)),
                kw1 = _mm512_set1_epi32(static_cast<int>(w + 1));
  int64_t oy_first = 0;
  if (ow <= 8) {
    // Narrow planes (e.g. 10x10 -> 5x5): two output rows per step, row oy in lanes 0..7 and row
    // oy+1 in lanes 8..15 (the even/odd permutes pick from both loads), compressed to the 2*ow
    // contiguous outputs of the two rows. A row per step would leave 11 of 16 lanes idle.
    const __mmask16 ml = TailMask(static_cast<int>(2 * ow));
    const __mmask16 keep = static_cast<__mmask16>(RowMask(ow) | (RowMask(ow) << 8)),
                    mo = TailMask(static_cast<int>(2 * ow));
    const __m512i base2 =
        _mm512_add_epi32(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14),
                         _mm512_mask_set1_epi32(_mm512_setzero_si512(), 0xFF00, static_cast<int>(2 * w)));
    for (; oy_first + 2 <= oh; oy_first += 2) {
      const int64_t oy = oy_first;
      const float* r0 = x + 2 * oy * w;
      const __m512 t0 = _mm512_maskz_loadu_ps(ml, r0), b0 = _mm512_maskz_loadu_ps(ml, r0 + w);
      const __m512 t1 = _mm512_maskz_loadu_ps(ml, r0 + 2 * w), b1 = _mm512_maskz_loadu_ps(ml, r0 + 3 * w);
      const __m512 a = _mm512_permutex2var_ps(t0, even, t1), b = _mm512_permutex2var_ps(t0, odd, t1);
      const __m512 c = _mm512_permutex2var_ps(b0, even, b1), d = _mm512_permutex2var_ps(b0, odd, b1);
      __m512 m = a;
      const __mmask16 tb = _mm512_cmp_ps_mask(b, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(tb, m, b);
      const __mmask16 tc = _mm512_cmp_ps_mask(c, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(tc, m, c);
      const __mmask16 td = _mm512_cmp_ps_mask(d, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(td, m, d);
      _mm512_mask_storeu_ps(y + oy * ow, mo, _mm512_maskz_compress_ps(keep, m));
      if (idx) {
        __m512i k = _mm512_setzero_si512();
        k = _mm512_mask_blend_epi32(tb, k, k1);
        k = _mm512_mask_blend_epi32(tc, k, kw0);
        k = _mm512_mask_blend_epi32(td, k, kw1);
        const __m512i v = _mm512_add_epi32(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(2 * oy * w)), base2), k);
        _mm512_mask_storeu_epi32(idx + oy * ow, mo, _mm512_maskz_compress_epi32(keep, v));
      }
    }
  }
  for (int64_t oy = oy_first; oy < oh; ++oy) {
    const float* r0 = x + 2 * oy * w;
    const float* r1 = r0 + w;
    float* yr = y + oy * ow;
    int64_t ox = 0;
    auto step = [&](__m512 a0, __m512 a1, __m512 b0, __m512 b1, __mmask16 mo, bool full) {
      const __m512 a = _mm512_permutex2var_ps(a0, even, a1), b = _mm512_permutex2var_ps(a0, odd, a1);
      const __m512 c = _mm512_permutex2var_ps(b0, even, b1), d = _mm512_permutex2var_ps(b0, odd, b1);
      __m512 m = a;
      const __mmask16 tb = _mm512_cmp_ps_mask(b, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(tb, m, b);
      const __mmask16 tc = _mm512_cmp_ps_mask(c, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(tc, m, c);
      const __mmask16 td = _mm512_cmp_ps_mask(d, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
      m = _mm512_mask_blend_ps(td, m, d);
      if (full)
        _mm512_storeu_ps(yr + ox, m);
      else
        _mm512_mask_storeu_ps(yr + ox, mo, m);
      if (idx) {
        __m512i k = _mm512_setzero_si512();
        k = _mm512_mask_blend_epi32(tb, k, k1);
        k = _mm512_mask_blend_epi32(tc, k, kw0);
        k = _mm512_mask_blend_epi32(td, k, kw1);
        const __m512i v =
            _mm512_add_epi32(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(2 * oy * w + 2 * ox)), lane2), k);
        if (full)
          _mm512_storeu_si512(idx + oy * ow + ox, v);
        else
          _mm512_mask_storeu_epi32(idx + oy * ow + ox, mo, v);
      }
    };
    for (; ox + 16 <= ow; ox += 16)
      step(_mm512_loadu_ps(r0 + 2 * ox), _mm512_loadu_ps(r0 + 2 * ox + 16), _mm512_loadu_ps(r1 + 2 * ox),
           _mm512_loadu_ps(r1 + 2 * ox + 16), 0xFFFF, true);
    if (ox < ow) {
      const int cnt = static_cast<int>(ow - ox);
      const __mmask16 ml = TailMask(2 * cnt), mh = TailMask(2 * cnt - 16);
      step(_mm512_maskz_loadu_ps(ml, r0 + 2 * ox), _mm512_maskz_loadu_ps(mh, r0 + 2 * ox + 16),
           _mm512_maskz_loadu_ps(ml, r1 + 2 * ox), _mm512_maskz_loadu_ps(mh, r1 + 2 * ox + 16), TailMask(cnt), false);
    }
  }
}

// exp and sigmoid with AVX-512 instructions: the same Cephes polynomial and range rules as ExpF
// (elementwise_impl.h), written with min/max, roundscale and scalef. The auto-vectorized loop
// spends ~25 cycles per 16 values on blends in the integer domain; this takes ~8 (sigmoid adds a
// division). Results agree with ExpF to 1 ulp (round-to-nearest-even instead of half-away at .5).
static inline __m512 Exp512(__m512 x) {
  const __m512 hi = _mm512_set1_ps(88.3762626647949f), lo = _mm512_set1_ps(-103.972084045410f);
  // max(x, lo) returns lo for NaN x, as ExpF's clamp; NaN is restored at the end. Below -87.34 the
  // results are denormals, which scalef produces exactly.
  const __m512 xc = _mm512_min_ps(_mm512_max_ps(x, lo), hi);
  const __m512 nf = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fmadd_ps(nf, _mm512_set1_ps(2.12194440e-4f), r);
  const __m512 z = _mm512_mul_ps(r, r);
  __m512 y = _mm512_set1_ps(1.9875691500E-4f);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507E-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073E-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894E-2f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459E-1f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201E-1f));
  y = _mm512_add_ps(_mm512_fmadd_ps(y, z, r), _mm512_set1_ps(1.0f));
  y = _mm512_scalef_ps(y, nf);
  y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ), y, _mm512_set1_ps(__builtin_inff()));
  y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ), y, _mm512_setzero_ps());
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

static inline __m512 Sigmoid512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, Exp512(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

template <int kOp>
static inline void UnaryLoop512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    _mm512_storeu_ps(y + i, kOp == kExp ? Exp512(v) : Sigmoid512(v));
  }
  if (i < n) {
    const __mmask16 m = TailMask(static_cast<int>(n - i));
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    _mm512_mask_storeu_ps(y + i, m, kOp == kExp ? Exp512(v) : Sigmoid512(v));
  }
}

static void Unary512(int op, const float* x, float* y, int64_t n) {
  if (op == kExp) return UnaryLoop512<kExp>(x, y, n);
  if (op == kSigmoid) return UnaryLoop512<kSigmoid>(x, y, n);
  Unary(op, x, y, n);
}

template <int MR>
static void UkernelRows(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                        bool acc) {
  if (n == kNr)
    UkernelX32<MR, true>(kc, a, b, ldb, c, ldc, m, n, acc);
  else if (n <= 16)
    UkernelX16<MR>(kc, a, b, ldb, c, ldc, m, n, acc);
  else
    UkernelX32<MR, false>(kc, a, b, ldb, c, ldc, m, n, acc);
}

template <int MR>
static void UkernelIndirectRows(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                int64_t ldc, int m, int n, bool acc) {
  if (n == kNr)
    UkernelX32<MR, true, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else if (n <= 16)
    UkernelX16<MR, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else
    UkernelX32<MR, false, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
}

// Skinny GEMM with B transposed (C = A B^T, both row-major along K): 4x4 blocks of dot products,
// 16 zmm partial sums (8 loads per 16 FMAs), reduced once per block. Near-peak when K is long,
// with no packing (conv weight gradients of small layers, linear at batch 1).
template <int MI>
static inline void DotMx4(int64_t nj, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                          float (*d)[4], const float* const* brows) {
  __m512 s[MI][4];
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < 4; ++j) s[i][j] = _mm512_setzero_ps();
  const float* br[4];
  for (int j = 0; j < 4; ++j) br[j] = brows ? brows[j < nj ? j : 0] : b + (j < nj ? j : 0) * ldb;
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    __m512 bv[4];
    for (int j = 0; j < 4; ++j) bv[j] = _mm512_loadu_ps(br[j] + p);
    for (int i = 0; i < MI; ++i) {
      const __m512 av = _mm512_loadu_ps(a + i * lda + p);
      for (int j = 0; j < 4; ++j) s[i][j] = _mm512_fmadd_ps(av, bv[j], s[i][j]);
    }
  }
  if (p < k) {
    const __mmask16 t = TailMask(static_cast<int>(k - p));
    __m512 bv[4];
    for (int j = 0; j < 4; ++j) bv[j] = _mm512_maskz_loadu_ps(t, br[j] + p);
    for (int i = 0; i < MI; ++i) {
      const __m512 av = _mm512_maskz_loadu_ps(t, a + i * lda + p);
      for (int j = 0; j < 4; ++j) s[i][j] = _mm512_fmadd_ps(av, bv[j], s[i][j]);
    }
  }
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < 4; ++j) d[i][j] = _mm512_reduce_add_ps(s[i][j]);
}

// Up to 6 rows of A against 4 rows of B (rows past mi / nj are not computed / duplicated). Six
// rows (24 accumulators) load each B vector once for 6 rows instead of twice (4 + 2): 10 loads
// per 24 FMAs instead of 14, for the 6-output-channel weight gradients of small convs.
static inline void Dot6x4(int64_t mi, int64_t nj, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                          float d[6][4], const float* const* brows = nullptr) {
  float(*d4)[4] = d;
  switch (mi) {
    case 1: return DotMx4<1>(nj, k, a, lda, b, ldb, d4, brows);
    case 2: return DotMx4<2>(nj, k, a, lda, b, ldb, d4, brows);
    case 3: return DotMx4<3>(nj, k, a, lda, b, ldb, d4, brows);
    case 4: return DotMx4<4>(nj, k, a, lda, b, ldb, d4, brows);
    case 5: return DotMx4<5>(nj, k, a, lda, b, ldb, d4, brows);
    default: return DotMx4<6>(nj, k, a, lda, b, ldb, d4, brows);
  }
}

// Rows per block: 6 when that leaves a multiple of 4 (6, 10, 14, ...) or 5/6 rows remain, else 4.
static inline int64_t DotRows(int64_t r) {
  if (r <= 4) return r;
  if (r <= 6) return r;
  return (r % 4 == 0) ? 4 : ((r - 6) % 4 == 0 ? 6 : 4);
}

static void SgemmDot(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float beta, float* c, int64_t ldc) {
  for (int64_t i0 = 0; i0 < m;) {
    const int64_t mi = DotRows(m - i0);
    for (int64_t j0 = 0; j0 < n; j0 += 4) {
      const int64_t nj = n - j0 < 4 ? n - j0 : 4;
      float d[6][4];
      Dot6x4(mi, nj, k, a + i0 * lda, lda, b + j0 * ldb, ldb, d);
      for (int64_t i = 0; i < mi; ++i) {
        float* cr = c + (i0 + i) * ldc + j0;
        for (int64_t j = 0; j < nj; ++j) cr[j] = beta == 0.0f ? alpha * d[i][j] : alpha * d[i][j] + beta * cr[j];
      }
    }
    i0 += mi;
  }
}
static void SgemmDotIndirect(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                             const float* const* brows, float beta, float* c, int64_t ldc) {
  for (int64_t i0 = 0; i0 < m;) {
    const int64_t mi = DotRows(m - i0);
    for (int64_t j0 = 0; j0 < n; j0 += 4) {
      const int64_t nj = n - j0 < 4 ? n - j0 : 4;
      float d[6][4];
      Dot6x4(mi, nj, k, a + i0 * lda, lda, nullptr, 0, d, brows + j0);
      for (int64_t i = 0; i < mi; ++i) {
        float* cr = c + (i0 + i) * ldc + j0;
        for (int64_t j = 0; j < nj; ++j) cr[j] = beta == 0.0f ? alpha * d[i][j] : alpha * d[i][j] + beta * cr[j];
      }
    }
    i0 += mi;
  }
}

}  // namespace avx512
}  // namespace torchlet

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

namespace torchlet {
const KernelTable& Avx512Kernels() {
  // Filled by field name: neighbours share signatures, so a positional initialiser could
  // swap two kernels and still compile. Fields left unset are null (optional kernels).
  static const KernelTable t = [] {
    KernelTable k{};
    k.name = "avx512";
    k.unary = avx512::Unary512;
    k.unary_backward = avx512::UnaryBackward;
    k.binary = avx512::Binary;
    k.reduce_row = avx512::ReduceRow;
    k.reduce_accumulate = avx512::ReduceAccumulate;
    k.scale = avx512::Scale;
    k.softmax_row = avx512::SoftmaxRow;
    k.sgemm_ukernel = avx512::SgemmUkernel;
    k.mr = avx512::kMr;
    k.nr = avx512::kNr;
    k.sgemm_dot = avx512::SgemmDot;
    k.maxpool2d_plane = avx512::MaxPool2dPlane512;
    k.sgemm_ukernel_small = avx512::SgemmUkernelSmall;
    k.mr_small = avx512::kMrSmall;
    k.im2col = avx512::Im2Col;
    k.col2im_add = avx512::Col2ImAdd;
    k.sgemm_ukernel_indirect = avx512::SgemmUkernelIndirect;
    k.sgemm_ukernel_indirect_small = avx512::SgemmUkernelIndirectSmall;
    k.sgemm_dot_indirect = avx512::SgemmDotIndirect;
    k.pack_b_trans = avx512::PackBTrans;
    k.sgemm_ukernel_rows[0] = avx512::UkernelRows<1>;
    k.sgemm_ukernel_rows[1] = avx512::UkernelRows<2>;
    k.sgemm_ukernel_rows[2] = avx512::UkernelRows<3>;
    k.sgemm_ukernel_rows[3] = avx512::UkernelRows<4>;
    k.sgemm_ukernel_rows[4] = avx512::UkernelRows<5>;
    k.sgemm_ukernel_rows[5] = avx512::UkernelRows<6>;
    k.sgemm_ukernel_rows[6] = avx512::UkernelRows<7>;
    k.sgemm_ukernel_rows[7] = avx512::UkernelRows<8>;
    k.sgemm_ukernel_indirect_rows[0] = avx512::UkernelIndirectRows<1>;
    k.sgemm_ukernel_indirect_rows[1] = avx512::UkernelIndirectRows<2>;
    k.sgemm_ukernel_indirect_rows[2] = avx512::UkernelIndirectRows<3>;
    k.sgemm_ukernel_indirect_rows[3] = avx512::UkernelIndirectRows<4>;
    k.sgemm_ukernel_indirect_rows[4] = avx512::UkernelIndirectRows<5>;
    k.sgemm_ukernel_indirect_rows[5] = avx512::UkernelIndirectRows<6>;
    k.sgemm_ukernel_indirect_rows[6] = avx512::UkernelIndirectRows<7>;
    k.sgemm_ukernel_indirect_rows[7] = avx512::UkernelIndirectRows<8>;
    return k;
  }();
  return t;
}
}  // namespace torchlet
#endif
