// AVX2 + FMA kernels. Standard headers come before the target pragma (see elementwise_impl.h).
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "core/im2col.h"
#include "core/kernel_table.h"
#include "core/ops.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace torchlet {
namespace avx2 {
#include "kernels/elementwise_impl.h"
static inline __m256i RowMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline void CopyRow(float* d, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_loadu_ps(s + i));
  if (i < n) _mm256_maskstore_ps(d + i, RowMask(n - i), _mm256_maskload_ps(s + i, RowMask(n - i)));
}
static inline void AddRow(float* d, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_add_ps(_mm256_loadu_ps(d + i), _mm256_loadu_ps(s + i)));
  if (i < n) {
    const __m256i m = RowMask(n - i);
    _mm256_maskstore_ps(d + i, m, _mm256_add_ps(_mm256_maskload_ps(d + i, m), _mm256_maskload_ps(s + i, m)));
  }
}
static inline void ZeroRow(float* d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_setzero_ps());
  if (i < n) _mm256_maskstore_ps(d + i, RowMask(n - i), _mm256_setzero_ps());
}
// Max pooling, one tap over a block of output columns: v = src[j * sw] replaces m[j] (and its index
// base + j * sw in k[j], when k is given) when greater or NaN, PyTorch's rule. Strides 1 and 2 are
// vector loads (stride 2 de-interleaved; never read past src[(n-1) * sw]); the rest is scalar.
static inline void MaxTapBlock(const float* src, int64_t sw, int64_t n, int32_t base, float* m, int32_t* k) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  int64_t j = 0;
  auto update = [&](__m256 v) {
    const __m256 mv = _mm256_loadu_ps(m + j);
    const __m256 t = _mm256_or_ps(_mm256_cmp_ps(v, mv, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    _mm256_storeu_ps(m + j, _mm256_blendv_ps(mv, v, t));
    if (k) {
      const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(base + static_cast<int32_t>(j * sw)),
                                           _mm256_mullo_epi32(lanes, _mm256_set1_epi32(static_cast<int>(sw))));
      const __m256i kv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + j));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(k + j),
                          _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(kv), _mm256_castsi256_ps(idx), t)));
    }
  };
  if (sw == 1) {
    for (; j + 8 <= n; j += 8) update(_mm256_loadu_ps(src + j));
  } else if (sw == 2) {
    for (; j + 8 < n; j += 8) {
      const __m256 a = _mm256_loadu_ps(src + 2 * j), b = _mm256_loadu_ps(src + 2 * j + 8);
      const __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
      update(_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0))));
    }
  }
  for (; j < n; ++j) {
    const float v = src[j * sw];
    if (v > m[j] || v != v) {
      m[j] = v;
      if (k) k[j] = base + static_cast<int32_t>(j * sw);
    }
  }
}
#include "kernels/nn_impl.h"

constexpr int kMr = 6, kNr = 16, kMrSmall = 4;

static inline __m256i TailMask(int n) {
  // lane l is enabled when l < n
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
}

// 6x16 register tile: 12 ymm accumulators, 2 for the B row, 1 broadcast.
template <int MR, bool kFullN, bool kIndirect = false>
static inline void UkernelX16(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool accumulate, const float* const* brows = nullptr) {
  __m256 c0[MR], c1[MR];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    c0[i] = _mm256_setzero_ps();
    c1[i] = _mm256_setzero_ps();
  }
  const __m256i m0 = TailMask(n), m1 = TailMask(n - 8);
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0, b1;
    if (kIndirect) b = brows[p] + ldb;
    if (kFullN) {
      b0 = _mm256_loadu_ps(b);
      b1 = _mm256_loadu_ps(b + 8);
    } else {
      b0 = _mm256_maskload_ps(b, m0);
      b1 = _mm256_maskload_ps(b + 8, m1);
    }
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + i);
      c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
    }
    a += MR;
    if (!kIndirect) b += ldb;
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    if (i < m) {
      float* cr = c + i * ldc;
      if (kFullN) {
        if (accumulate) {
          c0[i] = _mm256_add_ps(c0[i], _mm256_loadu_ps(cr));
          c1[i] = _mm256_add_ps(c1[i], _mm256_loadu_ps(cr + 8));
        }
        _mm256_storeu_ps(cr, c0[i]);
        _mm256_storeu_ps(cr + 8, c1[i]);
      } else {
        if (accumulate) {
          c0[i] = _mm256_add_ps(c0[i], _mm256_maskload_ps(cr, m0));
          c1[i] = _mm256_add_ps(c1[i], _mm256_maskload_ps(cr + 8, m1));
        }
        _mm256_maskstore_ps(cr, m0, c0[i]);
        _mm256_maskstore_ps(cr + 8, m1, c1[i]);
      }
    }
  }
}

static void SgemmUkernel(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                         bool acc) {
  if (n == kNr)
    UkernelX16<kMr, true>(kc, a, b, ldb, c, ldc, m, n, acc);
  else
    UkernelX16<kMr, false>(kc, a, b, ldb, c, ldc, m, n, acc);
}

static void SgemmUkernelSmall(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool acc) {
  if (n == kNr)
    UkernelX16<kMrSmall, true>(kc, a, b, ldb, c, ldc, m, n, acc);
  else
    UkernelX16<kMrSmall, false>(kc, a, b, ldb, c, ldc, m, n, acc);
}

static void SgemmUkernelIndirect(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                 int64_t ldc, int m, int n, bool acc) {
  if (n == kNr)
    UkernelX16<kMr, true, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else
    UkernelX16<kMr, false, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
}

static void SgemmUkernelIndirectSmall(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                      int64_t ldc, int m, int n, bool acc) {
  if (n == kNr)
    UkernelX16<kMrSmall, true, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
  else
    UkernelX16<kMrSmall, false, true>(kc, a, nullptr, boff, c, ldc, m, n, acc, brows);
}

static inline float Hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

template <int MI>
static inline void DotMx4(int64_t k, const float* a, int64_t lda, const float* const* b, float d[2][4]) {
  __m256 s[MI][4];
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < 4; ++j) s[i][j] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 bv[4];
    for (int j = 0; j < 4; ++j) bv[j] = _mm256_loadu_ps(b[j] + p);
    for (int i = 0; i < MI; ++i) {
      const __m256 av = _mm256_loadu_ps(a + i * lda + p);
      for (int j = 0; j < 4; ++j) s[i][j] = _mm256_fmadd_ps(av, bv[j], s[i][j]);
    }
  }
  if (p < k) {
    const __m256i t = TailMask(static_cast<int>(k - p));
    __m256 bv[4];
    for (int j = 0; j < 4; ++j) bv[j] = _mm256_maskload_ps(b[j] + p, t);
    for (int i = 0; i < MI; ++i) {
      const __m256 av = _mm256_maskload_ps(a + i * lda + p, t);
      for (int j = 0; j < 4; ++j) s[i][j] = _mm256_fmadd_ps(av, bv[j], s[i][j]);
    }
  }
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < 4; ++j) d[i][j] = Hsum(s[i][j]);
}

// C = A B^T with both operands row-major along K: up to 2x4 blocks of dot products (8 ymm partial
// sums, 6 loads per 8 FMAs), reduced once per block. B rows from b + j*ldb or a row-pointer table.
static inline void Dot2x4(int64_t mi, int64_t nj, int64_t k, const float* a, int64_t lda, const float* const* br,
                          float d[2][4]) {
  const float* b[4] = {br[0], br[nj > 1 ? 1 : 0], br[nj > 2 ? 2 : 0], br[nj > 3 ? 3 : 0]};
  if (mi > 1)
    DotMx4<2>(k, a, lda, b, d);
  else
    DotMx4<1>(k, a, lda, b, d);
}

static void DotBlocks(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                      int64_t ldb, const float* const* brows, float beta, float* c, int64_t ldc) {
  for (int64_t i0 = 0; i0 < m; i0 += 2) {
    const int64_t mi = m - i0 < 2 ? m - i0 : 2;
    for (int64_t j0 = 0; j0 < n; j0 += 4) {
      const int64_t nj = n - j0 < 4 ? n - j0 : 4;
      const float* br[4];
      for (int64_t j = 0; j < 4; ++j) {
        const int64_t jj = j0 + (j < nj ? j : 0);
        br[j] = brows ? brows[jj] : b + jj * ldb;
      }
      float d[2][4];
      Dot2x4(mi, nj, k, a + i0 * lda, lda, br, d);
      for (int64_t i = 0; i < mi; ++i) {
        float* cr = c + (i0 + i) * ldc + j0;
        for (int64_t j = 0; j < nj; ++j) cr[j] = beta == 0.0f ? alpha * d[i][j] : alpha * d[i][j] + beta * cr[j];
      }
    }
  }
}

static void SgemmDot(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float beta, float* c, int64_t ldc) {
  DotBlocks(m, n, k, alpha, a, lda, b, ldb, nullptr, beta, c, ldc);
}

static void SgemmDotIndirect(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                             const float* const* brows, float beta, float* c, int64_t ldc) {
  DotBlocks(m, n, k, alpha, a, lda, nullptr, 0, brows, beta, c, ldc);
}
}  // namespace avx2
}  // namespace torchlet

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

namespace torchlet {
const KernelTable& Avx2Kernels() {
  // Filled by field name: neighbours share signatures, so a positional initialiser could
  // swap two kernels and still compile. Fields left unset are null (optional kernels).
  static const KernelTable t = [] {
    KernelTable k{};
    k.name = "avx2";
    k.unary = avx2::Unary;
    k.unary_backward = avx2::UnaryBackward;
    k.binary = avx2::Binary;
    k.reduce_row = avx2::ReduceRow;
    k.reduce_accumulate = avx2::ReduceAccumulate;
    k.scale = avx2::Scale;
    k.softmax_row = avx2::SoftmaxRow;
    k.sgemm_ukernel = avx2::SgemmUkernel;
    k.mr = avx2::kMr;
    k.nr = avx2::kNr;
    k.sgemm_dot = avx2::SgemmDot;
    k.maxpool2d_plane = avx2::MaxPool2dPlane;
    k.sgemm_ukernel_small = avx2::SgemmUkernelSmall;
    k.mr_small = avx2::kMrSmall;
    k.im2col = avx2::Im2Col;
    k.col2im_add = avx2::Col2ImAdd;
    k.sgemm_ukernel_indirect = avx2::SgemmUkernelIndirect;
    k.sgemm_ukernel_indirect_small = avx2::SgemmUkernelIndirectSmall;
    k.sgemm_dot_indirect = avx2::SgemmDotIndirect;
    return k;
  }();
  return t;
}
}  // namespace torchlet
#endif
