// Packed, cache-blocked SGEMM (BLIS loop order) over the active ISA's micro-kernel.
#pragma once
#include <cstdint>
#include <vector>

namespace torchlet {

// C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is M x K (A is K x M when trans_a),
// op(B) is K x N (B is N x K when trans_b). lda/ldb/ldc are row strides. beta == 0 ignores C's
// previous contents (NaN included), as BLAS does.
void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// A B operand that is never materialized: it packs its own panels (e.g. conv's im2col matrix, read
// straight from the image). Pack writes op(B)[p0:p0+kc, j0:j0+nc] as consecutive NR-column panels,
// each [kc x NR] row-major and zero-padded past nc. Called concurrently from several threads.
class GemmBSource {
 public:
  virtual ~GemmBSource() = default;
  virtual void Pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* out) const = 0;
};

// As Sgemm, with op(B) given by a packing source.
void SgemmSource(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const GemmBSource& b, float beta, float* c, int64_t ldc);

// op(A) (M x K) scaled by alpha, packed once into micro-panels for many GEMMs that share it (conv
// weights against one pixel block after another).
class PackedA {
 public:
  PackedA() = default;
  PackedA(bool trans, int64_t m, int64_t k, float alpha, const float* a, int64_t lda) {
    Reset(trans, m, k, alpha, a, lda);
  }
  // Repacks another matrix, reusing this object's buffers.
  void Reset(bool trans, int64_t m, int64_t k, float alpha, const float* a, int64_t lda);
  int64_t m() const { return m_; }
  int64_t k() const { return k_; }
  const float* Block(int64_t pc_index, int64_t ic_index) const {
    return data_.data() + offsets_[pc_index * mblocks_ + ic_index];
  }
  int mr() const { return mr_; }
  int64_t mc() const { return mc_; }
  void (*ukernel() const)(int64_t, const float*, const float*, int64_t, float*, int64_t, int, int, bool) { return fn_; }
  void (*indirect_ukernel() const)(int64_t, const float*, const float* const*, int64_t, float*, int64_t, int, int,
                                   bool) {
    return ifn_;
  }

 private:
  int64_t m_ = 0, k_ = 0, mc_ = 1, mblocks_ = 0;
  int mr_ = 1;
  void (*fn_)(int64_t, const float*, const float*, int64_t, float*, int64_t, int, int, bool) = nullptr;
  void (*ifn_)(int64_t, const float*, const float* const*, int64_t, float*, int64_t, int, int, bool) = nullptr;
  std::vector<float> data_;
  std::vector<int64_t> offsets_;
};

// C[M x n] = A * B (+ beta * C; beta 0 or 1) for a row-major B (K x n, row stride ldb) read in
// place, on the calling thread. Meant for cache-sized column blocks of B.
void SgemmPacked(const PackedA& a, int64_t n, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// As SgemmPacked with B row p (of K) at brows[p] + boff: an indirect B, e.g. the shifted input
// rows of a stride-1 convolution read in place.
void SgemmPackedIndirect(const PackedA& a, int64_t n, const float* const* brows, int64_t boff, float beta, float* c,
                         int64_t ldc);

}  // namespace torchlet
