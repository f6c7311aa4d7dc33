// Packed, cache-blocked SGEMM (BLIS loop order) over the active ISA's micro-kernel.
#pragma once
#include <cstdint>

namespace torchlet {

// C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is M x K (A is K x M when trans_a),
// op(B) is K x N (B is N x K when trans_b). lda/ldb/ldc are row strides. beta == 0 ignores C's
// previous contents (NaN included), as BLAS does.
void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace torchlet
