// Packed, cache-blocked SGEMM in BLIS loop order (jc -> pc -> [ic x jr tasks] -> ir), the register
// tile done by the active ISA's micro-kernel (kernels/x86_avx512.cc 14x32, x86_avx2.cc 6x16, ...).
//
// Threading: the B panel (KC x NC) is packed once, cooperatively, then the (MC block x N slice)
// tiles of C are split over the pool, so both many-row and few-row (batch-1, skinny) shapes keep
// every thread busy. Called from inside a pool region (e.g. conv's per-batch-item loop) it runs on
// the calling thread alone.
#include "core/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int64_t kKc = 256;   // depth of packed panels: a KC x NR B micro-panel stays in L1
constexpr int64_t kNc = 4096;  // columns of B per packed block (KC x NC in L2/L3)

// Work (m*n*k) below which a GEMM stays on the calling thread: waking the pool costs more.
constexpr int64_t kSerialWork = 1 << 18;

int64_t McFor(int mr) { return std::max<int64_t>(mr, (160 / mr) * mr); }

// Packs alpha * op(A)[i0:i0+mc, p0:p0+kc] into MR-row micro-panels ([kc x MR] each), zero-padded.
void PackA(bool trans, const float* a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr,
           float alpha, float* out) {
  for (int64_t ib = 0; ib < mc; ib += mr) {
    const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
    float* panel = out + ib * kc;
    if (trans) {
      // A is K x M: each k step's MR values are contiguous.
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = a + (p0 + p) * lda + i0 + ib;
        float* dst = panel + p * mr;
        for (int r = 0; r < rows; ++r) dst[r] = alpha * src[r];
        for (int r = rows; r < mr; ++r) dst[r] = 0.0f;
      }
    } else {
      for (int r = 0; r < rows; ++r) {
        const float* src = a + (i0 + ib + r) * lda + p0;
        for (int64_t p = 0; p < kc; ++p) panel[p * mr + r] = alpha * src[p];
      }
      for (int r = rows; r < mr; ++r)
        for (int64_t p = 0; p < kc; ++p) panel[p * mr + r] = 0.0f;
    }
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column micro-panels ([kc x NR] each), zero-padded.
void PackBPanel(bool trans, const float* b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int cols, int nr,
                float* panel) {
  if (!trans) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = b + (p0 + p) * ldb + j0;
      float* dst = panel + p * nr;
      std::memcpy(dst, src, sizeof(float) * cols);
      for (int c = cols; c < nr; ++c) dst[c] = 0.0f;
    }
  } else {
    for (int c = 0; c < cols; ++c) {
      const float* src = b + (j0 + c) * ldb + p0;
      for (int64_t p = 0; p < kc; ++p) panel[p * nr + c] = src[p];
    }
    for (int c = cols; c < nr; ++c)
      for (int64_t p = 0; p < kc; ++p) panel[p * nr + c] = 0.0f;
  }
}

struct Buffers {
  std::vector<float> a, b;
};
Buffers& ThreadBuffers() {
  thread_local Buffers bufs;
  return bufs;
}
float* Grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  const bool serial = m * n * std::max<int64_t>(k, 1) < kSerialWork;
  auto par = [&](int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
    if (serial || count <= 1) fn(0, count);
    else ParallelFor(count, 1, fn);
  };
  if (k <= 0 || alpha == 0.0f) {
    par(m, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        float* cr = c + i * ldc;
        if (beta == 0.0f) std::fill(cr, cr + n, 0.0f);
        else if (beta != 1.0f) for (int64_t j = 0; j < n; ++j) cr[j] *= beta;
      }
    });
    return;
  }
  const KernelTable& kt = Kernels();
  const int mr = kt.mr, nr = kt.nr;

  // Few rows against a transposed B (linear at batch 1..3): dot products, no packing.
  if (trans_b && !trans_a && m * 4 <= mr) {
    const int64_t chunks = serial ? 1 : std::min<int64_t>((n + 63) / 64, 64);
    par(chunks, [&](int64_t lo, int64_t hi) {
      const int64_t j0 = n * lo / chunks, j1 = n * hi / chunks;
      kt.sgemm_dot(m, j1 - j0, k, alpha, a, lda, b + j0 * ldb, ldb, beta, c + j0, ldc);
    });
    return;
  }

  // Pre-scale C when beta is neither 0 (first panel overwrites) nor 1 (accumulates).
  if (beta != 0.0f && beta != 1.0f) {
    par(m, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        for (int64_t j = 0; j < n; ++j) c[i * ldc + j] *= beta;
    });
  }
  const int64_t mc_blk = McFor(mr);
  const int64_t mblocks = (m + mc_blk - 1) / mc_blk;
  // Row-major B used in place when few A panels would reuse a packed copy.
  const bool pack_b = trans_b || m > 2 * mr;
  const int64_t kc_max = std::min(kKc, k);
  const int64_t nc_max = std::min(kNc, (n + nr - 1) / nr * nr);
  std::vector<float> bpack_local;
  float* bpack = pack_b ? Grow(bpack_local, static_cast<size_t>(kc_max * nc_max)) : nullptr;
  const int threads = serial ? 1 : GetNumThreads();

  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    const int64_t npanels = (nc + nr - 1) / nr;
    // Split each MC block's columns into slices so there are >= 2 tasks per thread when possible.
    const int64_t nslices = std::max<int64_t>(1, std::min<int64_t>(npanels, (2 * threads + mblocks - 1) / mblocks));
    const int64_t tasks = mblocks * nslices;
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const bool accumulate = pc > 0 || beta != 0.0f;
      if (pack_b) {
        par(npanels, [&](int64_t lo, int64_t hi) {
          for (int64_t q = lo; q < hi; ++q) {
            const int cols = static_cast<int>(std::min<int64_t>(nr, nc - q * nr));
            PackBPanel(trans_b, b, ldb, pc, kc, jc + q * nr, cols, nr, bpack + q * nr * kc);
          }
        });
      }
      par(tasks, [&](int64_t lo, int64_t hi) {
        float* apack = Grow(ThreadBuffers().a, static_cast<size_t>(mc_blk * kc));
        int64_t packed_block = -1;
        for (int64_t t = lo; t < hi; ++t) {
          const int64_t blk = t / nslices, slice = t % nslices;
          const int64_t i0 = blk * mc_blk, mc = std::min(mc_blk, m - i0);
          if (packed_block != blk) {
            PackA(trans_a, a, lda, i0, mc, pc, kc, mr, alpha, apack);
            packed_block = blk;
          }
          const int64_t q0 = npanels * slice / nslices, q1 = npanels * (slice + 1) / nslices;
          for (int64_t q = q0; q < q1; ++q) {
            const int64_t j = jc + q * nr;
            const int cols = static_cast<int>(std::min<int64_t>(nr, n - j));
            const float* bp = pack_b ? bpack + q * nr * kc : b + pc * ldb + j;
            const int64_t bstride = pack_b ? nr : ldb;
            for (int64_t ib = 0; ib < mc; ib += mr) {
              const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
              kt.sgemm_ukernel(kc, apack + ib * kc, bp, bstride, c + (i0 + ib) * ldc + j, ldc, rows, cols, accumulate);
            }
          }
        }
      });
    }
  }
}

}  // namespace torchlet
