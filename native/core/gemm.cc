#include "core/gemm.h"

#include <algorithm>
#include <vector>

#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int64_t kKc = 256;  // depth of a packed panel (A and B panels stay in L1/L2)
constexpr int64_t kMc = 96;   // rows of A per block

// Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-row micro-panels, column-major within a panel, zero-padded.
void PackA(bool trans, const float* a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr,
           float* out) {
  for (int64_t ib = 0; ib < mc; ib += mr) {
    const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
    for (int64_t p = 0; p < kc; ++p) {
      float* dst = out + ib * kc + p * mr;
      for (int r = 0; r < rows; ++r) {
        const int64_t i = i0 + ib + r, q = p0 + p;
        dst[r] = trans ? a[q * lda + i] : a[i * lda + q];
      }
      for (int r = rows; r < mr; ++r) dst[r] = 0.0f;
    }
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column micro-panels, row-major within a panel, zero-padded.
void PackB(bool trans, const float* b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr,
           float* out) {
  for (int64_t jb = 0; jb < nc; jb += nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, nc - jb));
    float* panel = out + jb * kc;
    for (int64_t p = 0; p < kc; ++p) {
      float* dst = panel + p * nr;
      const int64_t q = p0 + p;
      if (!trans) {
        const float* src = b + q * ldb + j0 + jb;
        for (int c = 0; c < cols; ++c) dst[c] = src[c];
      } else {
        for (int c = 0; c < cols; ++c) dst[c] = b[(j0 + jb + c) * ldb + q];
      }
      for (int c = cols; c < nr; ++c) dst[c] = 0.0f;
    }
  }
}

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  // Scale C by beta first so the kernel only ever overwrites (first panel, beta 0) or accumulates.
  if (beta == 0.0f) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
  } else if (beta != 1.0f) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] *= beta;
  }
  if (k <= 0 || alpha == 0.0f) return;
  const KernelTable& kt = Kernels();
  const int mr = kt.mr, nr = kt.nr;
  const int64_t n_pad = (n + nr - 1) / nr * nr;
  std::vector<float> bpack(static_cast<size_t>(kKc * n_pad));
  for (int64_t p0 = 0; p0 < k; p0 += kKc) {
    const int64_t kc = std::min(kKc, k - p0);
    // B panel packed in parallel by column blocks, then every thread reads it.
    const int64_t nblocks_b = n_pad / nr;
    ParallelFor(nblocks_b, 8, [&](int64_t lo, int64_t hi) {
      const int64_t j0 = lo * nr, j1 = std::min(n, hi * nr);
      if (j0 < j1) PackB(trans_b, b, ldb, p0, kc, j0, j1 - j0, nr, bpack.data() + j0 * kc);
    });
    if (alpha != 1.0f) {
      // Rare in practice (linear/conv use alpha 1); fold alpha into the packed B panel.
      for (auto& v : bpack) v *= alpha;
    }
    const int64_t mblocks = (m + kMc - 1) / kMc;
    ParallelFor(mblocks, 1, [&](int64_t lo, int64_t hi) {
      std::vector<float> apack(static_cast<size_t>(kMc * kc + mr * kc));
      for (int64_t blk = lo; blk < hi; ++blk) {
        const int64_t i0 = blk * kMc, mc = std::min(kMc, m - i0);
        PackA(trans_a, a, lda, i0, mc, p0, kc, mr, apack.data());
        for (int64_t jb = 0; jb < n; jb += nr) {
          const int cols = static_cast<int>(std::min<int64_t>(nr, n - jb));
          for (int64_t ib = 0; ib < mc; ib += mr) {
            const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
            kt.sgemm_ukernel(kc, apack.data() + ib * kc, bpack.data() + jb * kc, c + (i0 + ib) * ldc + jb, ldc, rows,
                             cols, true);
          }
        }
      }
    });
  }
}

}  // namespace torchlet
