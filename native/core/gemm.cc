// Packed, cache-blocked SGEMM in BLIS loop order (jc -> pc -> ic -> jr -> ir), the register tile
// done by the active ISA's micro-kernel (kernels/x86_avx512.cc 14x32 or 8x32, x86_avx2.cc 6x16 or
// 4x16, ...).
//
// Threading: C is cut into one rectangle per thread (a tm x tn grid chosen per shape, so skinny and
// batch-1 shapes split N and tall ones split M), and each thread runs the whole blocked algorithm
// on its rectangle with its own packing buffers: one parallel region per GEMM, no barriers inside.
// Called from inside a pool region (e.g. conv's per-batch-item loop) it runs on the calling thread.
#include "core/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/denormal.h"
#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// Blocking (tuned on Zen 5, 48 KB L1D / 1 MB L2 per core; flat within noise for KC 192..384).
constexpr int64_t kKc = 256;      // depth of packed panels
constexpr int64_t kNc = 1024;     // columns of B per packed block (KC x NC = 1 MB, L2/L3)
constexpr int64_t kMcRows = 160;  // rows of A per packed block (~160 x KC = 160 KB, L2)
// A row-major B is read in place (no packing) when at most this many A micro-panels reuse it:
// packing costs ~1 cycle per element, more than 6 micro-panels' worth of FMAs on it.
constexpr int64_t kDirect = 6;

// Work (m*n*k multiply-adds) below which a GEMM stays on the calling thread: a pool wake-up costs
// several microseconds, more on a loaded machine.
constexpr int64_t kSerialWork = int64_t(1) << 20;

struct Ukernel {
  void (*fn)(int64_t, const float*, const float*, int64_t, float*, int64_t, int, int, bool);
  void (*ifn)(int64_t, const float*, const float* const*, int64_t, float*, int64_t, int, int, bool);
  int mr, nr;
};

// An exact-height tile for M <= 8 when the ISA has one; else the main tile, or the small one when
// it leaves fewer rows empty by a clear margin.
Ukernel PickUkernel(const KernelTable& kt, int64_t m) {
  if (m >= 1 && m <= 8 && kt.sgemm_ukernel_rows[m - 1] && kt.sgemm_ukernel_indirect_rows[m - 1])
    return {kt.sgemm_ukernel_rows[m - 1], kt.sgemm_ukernel_indirect_rows[m - 1], static_cast<int>(m), kt.nr};
  const int64_t main_rows = (m + kt.mr - 1) / kt.mr * kt.mr;
  const int64_t small_rows = (m + kt.mr_small - 1) / kt.mr_small * kt.mr_small;
  if (kt.sgemm_ukernel_small && small_rows * 9 < main_rows * 8)
    return {kt.sgemm_ukernel_small, kt.sgemm_ukernel_indirect_small, kt.mr_small, kt.nr};
  return {kt.sgemm_ukernel, kt.sgemm_ukernel_indirect, kt.mr, kt.nr};
}

int64_t McFor(int mr) { return std::max<int64_t>(mr, (kMcRows / mr) * mr); }

// Packs alpha * op(A)[0:mc, p0:p0+kc] into MR-row micro-panels ([kc x MR] each), zero-padded.
void PackA(bool trans, const float* a, int64_t lda, int64_t mc, int64_t p0, int64_t kc, int mr, float alpha,
           float* out) {
  for (int64_t ib = 0; ib < mc; ib += mr) {
    const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
    float* panel = out + ib * kc;
    if (trans) {
      // A is K x M: each k step's MR values are contiguous.
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = a + (p0 + p) * lda + ib;
        float* dst = panel + p * mr;
        for (int r = 0; r < rows; ++r) dst[r] = alpha * src[r];
        for (int r = rows; r < mr; ++r) dst[r] = 0.0f;
      }
    } else {
      for (int r = 0; r < rows; ++r) {
        const float* src = a + (ib + r) * lda + p0;
        for (int64_t p = 0; p < kc; ++p) panel[p * mr + r] = alpha * src[p];
      }
      for (int r = rows; r < mr; ++r)
        for (int64_t p = 0; p < kc; ++p) panel[p * mr + r] = 0.0f;
    }
  }
}

// A plain matrix as a B source.
class MatrixB : public GemmBSource {
 public:
  MatrixB(bool trans, const float* b, int64_t ldb) : trans_(trans), b_(b), ldb_(ldb) {}
  void Pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* out) const override {
    for (int64_t jb = 0; jb < nc; jb += nr) {
      const int cols = static_cast<int>(std::min<int64_t>(nr, nc - jb));
      float* panel = out + jb * kc;
      if (!trans_) {
        for (int64_t p = 0; p < kc; ++p) {
          const float* src = b_ + (p0 + p) * ldb_ + j0 + jb;
          float* dst = panel + p * nr;
          std::memcpy(dst, src, sizeof(float) * cols);
          for (int c = cols; c < nr; ++c) dst[c] = 0.0f;
        }
      } else if (Kernels().pack_b_trans && nr % 16 == 0) {
        Kernels().pack_b_trans(b_ + (j0 + jb) * ldb_ + p0, ldb_, kc, cols, nr, panel);
      } else {
        // B is N x K: gather 8 columns at a time so each source row is read in runs.
        int c0 = 0;
        for (; c0 + 8 <= cols; c0 += 8) {
          const float* s[8];
          for (int q = 0; q < 8; ++q) s[q] = b_ + (j0 + jb + c0 + q) * ldb_ + p0;
          for (int64_t p = 0; p < kc; ++p) {
            float* dst = panel + p * nr + c0;
            for (int q = 0; q < 8; ++q) dst[q] = s[q][p];
          }
        }
        for (int c = c0; c < cols; ++c) {
          const float* src = b_ + (j0 + jb + c) * ldb_ + p0;
          for (int64_t p = 0; p < kc; ++p) panel[p * nr + c] = src[p];
        }
        for (int c = cols; c < nr; ++c)
          for (int64_t p = 0; p < kc; ++p) panel[p * nr + c] = 0.0f;
      }
    }
  }
  bool trans() const { return trans_; }
  const float* data() const { return b_; }
  int64_t ld() const { return ldb_; }

 private:
  bool trans_;
  const float* b_;
  int64_t ldb_;
};

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

// One thread's rectangle C[i0:i0+m, j0:j0+n] (a and c already offset to it; B columns from j0).
void GemmBlock(const Ukernel& uk, bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
               int64_t lda, const GemmBSource& bsrc, const MatrixB* direct_b, int64_t j0, float beta, float* c,
               int64_t ldc) {
  DenormalGuard dg;
  if (m <= 0 || n <= 0) return;
  if (beta != 0.0f && beta != 1.0f)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] *= beta;
  const int mr = uk.mr, nr = uk.nr;
  const int64_t mc_blk = McFor(mr);
  const int64_t kc_max = std::min(kKc, k);
  Buffers& bufs = ThreadBuffers();
  float* apack = Grow(bufs.a, static_cast<size_t>(std::min(mc_blk, (m + mr - 1) / mr * mr) * kc_max));
  float* bpack = direct_b ? nullptr : Grow(bufs.b, static_cast<size_t>(kc_max * std::min(kNc, (n + nr - 1) / nr * nr)));
  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const bool accumulate = pc > 0 || beta != 0.0f;
      if (m <= mc_blk && !direct_b) {
        // One block of rows: pack each B micro-panel right before its use, so the packed panel
        // is written to and read from L1 (the whole KC x NC block never leaves the cache level
        // it was written to). This is what makes small GEMMs (conv with few output channels)
        // cheap to pack.
        PackA(trans_a, a, lda, m, pc, kc, mr, alpha, apack);
        for (int64_t jb = 0; jb < nc; jb += nr) {
          const int cols = static_cast<int>(std::min<int64_t>(nr, nc - jb));
          bsrc.Pack(pc, kc, j0 + jc + jb, cols, nr, bpack);
          float* cb = c + jc + jb;
          for (int64_t ib = 0; ib < m; ib += mr) {
            const int rows = static_cast<int>(std::min<int64_t>(mr, m - ib));
            uk.fn(kc, apack + ib * kc, bpack, nr, cb + ib * ldc, ldc, rows, cols, accumulate);
          }
        }
        continue;
      }
      if (!direct_b) bsrc.Pack(pc, kc, j0 + jc, nc, nr, bpack);
      for (int64_t ic = 0; ic < m; ic += mc_blk) {
        const int64_t mc = std::min(mc_blk, m - ic);
        PackA(trans_a, trans_a ? a + ic : a + ic * lda, lda, mc, pc, kc, mr, alpha, apack);
        for (int64_t jb = 0; jb < nc; jb += nr) {
          const int cols = static_cast<int>(std::min<int64_t>(nr, nc - jb));
          const float* bp = direct_b ? direct_b->data() + pc * direct_b->ld() + j0 + jc + jb : bpack + jb * kc;
          const int64_t bstride = direct_b ? direct_b->ld() : nr;
          float* cb = c + ic * ldc + jc + jb;
          for (int64_t ib = 0; ib < mc; ib += mr) {
            const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
            uk.fn(kc, apack + ib * kc, bp, bstride, cb + ib * ldc, ldc, rows, cols, accumulate);
          }
        }
      }
    }
  }
}

// Splits C over `threads` rectangles (tm x tn) and runs GemmBlock on each.
void GemmDriver(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const GemmBSource& bsrc, const MatrixB* direct_b, float beta, float* c, int64_t ldc) {
  const KernelTable& kt = Kernels();
  const Ukernel uk = PickUkernel(kt, m);
  const bool serial = m * n * k < kSerialWork;
  const int threads = serial ? 1 : GetNumThreads();
  if (threads <= 1) {
    GemmBlock(uk, trans_a, m, n, k, alpha, a, lda, bsrc, direct_b, 0, beta, c, ldc);
    return;
  }
  const int64_t mt = (m + uk.mr - 1) / uk.mr, nt = (n + uk.nr - 1) / uk.nr;  // tiles
  // Cost of a grid: the largest rectangle's padded multiply-adds plus its packing (an element
  // packed costs about as much as 16 multiply-adds), so tall shapes split M and wide ones N.
  int best_tm = 1;
  double best = 1e300;
  for (int tm = 1; tm <= threads; ++tm) {
    if (threads % tm) continue;
    const int tn = threads / tm;
    if (tm > mt || tn > nt) continue;
    const double rows = static_cast<double>((mt + tm - 1) / tm * uk.mr),
                 cols = static_cast<double>((nt + tn - 1) / tn * uk.nr);
    const double cost = rows * cols * k + 16.0 * (rows + cols) * k;
    if (cost < best) {
      best = cost;
      best_tm = tm;
    }
  }
  if (best == 1e300) {  // fewer tiles than threads in both directions: split the longer one
    best_tm = mt >= nt ? static_cast<int>(std::min<int64_t>(threads, mt)) : 1;
  }
  const int tm = best_tm, tn = std::max<int>(1, static_cast<int>(std::min<int64_t>(threads / tm, nt)));
  ParallelFor(tm * tn, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t part = lo; part < hi; ++part) {
      const int64_t pi = part / tn, pj = part % tn;
      const int64_t i0 = mt * pi / tm * uk.mr, i1 = std::min(m, mt * (pi + 1) / tm * uk.mr);
      const int64_t j0 = nt * pj / tn * uk.nr, j1 = std::min(n, nt * (pj + 1) / tn * uk.nr);
      if (i0 >= i1 || j0 >= j1) continue;
      GemmBlock(uk, trans_a, i1 - i0, j1 - j0, k, alpha, trans_a ? a + i0 : a + i0 * lda, lda, bsrc, direct_b, j0, beta,
                c + i0 * ldc + j0, ldc);
    }
  });
}

void ScaleC(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* cr = c + i * ldc;
    if (beta == 0.0f)
      std::fill(cr, cr + n, 0.0f);
    else if (beta != 1.0f)
      for (int64_t j = 0; j < n; ++j) cr[j] *= beta;
  }
}

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) return ScaleC(m, n, beta, c, ldc);
  const KernelTable& kt = Kernels();
  // Few rows against a transposed B (linear at batch 1..3; weight gradients of small convs, whose
  // K is long): blocked dot products, no packing.
  if (trans_b && !trans_a && (m * 4 <= kt.mr || (m <= 16 && k >= 256 && n <= 4 * k))) {
    const bool serial = m * n * k < kSerialWork;
    const int64_t chunks = serial ? 1 : std::min<int64_t>((n + 63) / 64, GetNumThreads());
    auto body = [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      const int64_t j0 = n * lo / chunks, j1 = n * hi / chunks;
      kt.sgemm_dot(m, j1 - j0, k, alpha, a, lda, b + j0 * ldb, ldb, beta, c + j0, ldc);
    };
    if (chunks <= 1)
      body(0, 1);
    else
      ParallelFor(chunks, 1, body);
    return;
  }
  const MatrixB src(trans_b, b, ldb);
  // Row-major B is used in place when too few A panels would reuse a packed copy.
  const bool direct = !trans_b && m <= kDirect * PickUkernel(kt, m).mr;
  GemmDriver(trans_a, m, n, k, alpha, a, lda, src, direct ? &src : nullptr, beta, c, ldc);
}

void PackedA::Reset(bool trans, int64_t m, int64_t k, float alpha, const float* a, int64_t lda) {
  m_ = m;
  k_ = k;
  const KernelTable& kt = Kernels();
  const Ukernel uk = PickUkernel(kt, m);
  mr_ = uk.mr;
  fn_ = uk.fn;
  ifn_ = uk.ifn;
  mc_ = McFor(mr_);
  mblocks_ = (m + mc_ - 1) / mc_;
  const int64_t kblocks = (k + kKc - 1) / kKc;
  offsets_.assign(static_cast<size_t>(std::max<int64_t>(1, kblocks * mblocks_)), 0);
  int64_t total = 0;
  for (int64_t q = 0; q < kblocks; ++q)
    for (int64_t b = 0; b < mblocks_; ++b) {
      offsets_[q * mblocks_ + b] = total;
      const int64_t mc = std::min(mc_, m - b * mc_), kc = std::min(kKc, k - q * kKc);
      total += (mc + mr_ - 1) / mr_ * mr_ * kc;
    }
  if (data_.size() < static_cast<size_t>(total)) data_.resize(static_cast<size_t>(total));
  for (int64_t q = 0; q < kblocks; ++q)
    for (int64_t b = 0; b < mblocks_; ++b) {
      const int64_t i0 = b * mc_, mc = std::min(mc_, m - i0), kc = std::min(kKc, k - q * kKc);
      PackA(trans, trans ? a + i0 : a + i0 * lda, lda, mc, q * kKc, kc, mr_, alpha,
            data_.data() + offsets_[q * mblocks_ + b]);
    }
}

namespace {

// The loop nest shared by the two pre-packed-A drivers; `tile(kc, apanel, pc, jb, c, rows, cols,
// accumulate)` runs one micro-kernel call, reading B however that driver addresses it.
template <typename Tile>
void PackedLoops(const PackedA& a, int64_t n, float beta, float* c, int64_t ldc, Tile tile) {
  const int64_t m = a.m(), k = a.k();
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return ScaleC(m, n, beta, c, ldc);
  DenormalGuard dg;
  const int mr = a.mr();
  const int nr = Kernels().nr;
  for (int64_t pc = 0, q = 0; pc < k; pc += kKc, ++q) {
    const int64_t kc = std::min(kKc, k - pc);
    const bool accumulate = pc > 0 || beta != 0.0f;
    for (int64_t ic = 0, bi = 0; ic < m; ic += a.mc(), ++bi) {
      const int64_t mc = std::min(a.mc(), m - ic);
      const float* ablk = a.Block(q, bi);
      for (int64_t jb = 0; jb < n; jb += nr) {
        const int cols = static_cast<int>(std::min<int64_t>(nr, n - jb));
        float* cb = c + ic * ldc + jb;
        for (int64_t ib = 0; ib < mc; ib += mr) {
          const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ib));
          tile(kc, ablk + ib * kc, pc, jb, cb + ib * ldc, rows, cols, accumulate);
        }
      }
    }
  }
}

}  // namespace

void SgemmPacked(const PackedA& a, int64_t n, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const auto fn = a.ukernel();
  PackedLoops(a, n, beta, c, ldc,
              [&](int64_t kc, const float* ap, int64_t pc, int64_t jb, float* cp, int rows, int cols, bool acc) {
                fn(kc, ap, b + pc * ldb + jb, ldb, cp, ldc, rows, cols, acc);
              });
}

void SgemmPackedIndirect(const PackedA& a, int64_t n, const float* const* brows, int64_t boff, float beta, float* c,
                         int64_t ldc) {
  const auto fn = a.indirect_ukernel();
  PackedLoops(a, n, beta, c, ldc,
              [&](int64_t kc, const float* ap, int64_t pc, int64_t jb, float* cp, int rows, int cols, bool acc) {
                fn(kc, ap, brows + pc, boff + jb, cp, ldc, rows, cols, acc);
              });
}

void SgemmSource(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const GemmBSource& b, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) return ScaleC(m, n, beta, c, ldc);
  GemmDriver(trans_a, m, n, k, alpha, a, lda, b, nullptr, beta, c, ldc);
}

}  // namespace torchlet
