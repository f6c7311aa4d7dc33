// Packed, cache-blocked SGEMM (BLIS loop order) over the active ISA's micro-kernel.
#pragma once
#include <cstdint>

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

}  // namespace torchlet
