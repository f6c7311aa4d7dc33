// The per-ISA kernel table: one instance per file in native/kernels/, chosen once at load.
#pragma once
#include <cstdint>

namespace torchlet {

struct ConvGeom;  // core/im2col.h

struct KernelTable {
  const char* name;
  // y = f(x) elementwise over n items (op: UnaryOp).
  void (*unary)(int op, const float* x, float* y, int64_t n);
  // gx = gy * f'(x), given x and y = f(x).
  void (*unary_backward)(int op, const float* x, const float* y, const float* gy, float* gx, int64_t n);
  // y[i] = a[i*sa] op b[i*sb], sa and sb each 0 (broadcast one value) or 1 (op: BinaryOp).
  void (*binary)(int op, const float* a, int sa, const float* b, int sb, float* y, int64_t n);
  // Sum, max or min of n contiguous items.
  float (*reduce_row)(int op, const float* x, int64_t n);
  // acc[j] = acc[j] op x[j] for j < n (the strided-reduction inner step).
  void (*reduce_accumulate)(int op, const float* x, float* acc, int64_t n);
  // y = x * s over n items.
  void (*scale)(const float* x, float s, float* y, int64_t n);
  // Softmax (or log-softmax) of one contiguous row of n items.
  void (*softmax_row)(const float* x, float* y, int64_t n, bool log);
  // SGEMM micro-kernel: C[m x n] (+)= Apanel^T * B, m <= MR, n <= NR. Apanel is packed [kc x MR]
  // (column of MR values per k step). B row p is b + p*ldb (ldb == NR for a packed, zero-padded
  // panel; the raw row stride of a row-major B otherwise: columns >= n are then never read).
  // ldc is C's row stride; accumulate=false overwrites C. Rows >= m / columns >= n are not stored.
  void (*sgemm_ukernel)(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                        bool accumulate);
  int mr, nr;
  // Skinny GEMM for few rows with B given transposed (B is N x K): C[i][j] = alpha * dot(A_i, B_j)
  // (+ beta * C[i][j]; beta == 0 overwrites), rows i < m, columns j < n.
  void (*sgemm_dot)(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                    int64_t ldb, float beta, float* c, int64_t ldc);
  // Max pooling over one H x W plane into OH x OW (out-of-range taps are skipped, as -inf padding).
  // idx (nullable) receives the argmax as a flat index h*W + w into the plane (first max wins; NaN wins).
  void (*maxpool2d_plane)(const float* x, int64_t h, int64_t w, float* y, int32_t* idx, int64_t oh, int64_t ow, int kh,
                          int kw, int sh, int sw, int ph, int pw, int dh, int dw);
  // A second micro-kernel with fewer rows (same NR, same contract as sgemm_ukernel), for GEMMs
  // whose M would leave most of the main tile's rows empty (e.g. 6 or 16 output channels).
  void (*sgemm_ukernel_small)(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool accumulate);
  int mr_small;
  // im2col rows [r0, r1) x pixel columns [j0, j1) / col2im-accumulate channels [c0, c1) (core/im2col.h).
  void (*im2col)(const ConvGeom* g, const float* x, float* col, int64_t r0, int64_t r1, int64_t j0, int64_t j1);
  void (*col2im_add)(const ConvGeom* g, const float* col, float* dx, int64_t c0, int64_t c1);
  // Indirect-B micro-kernels (main and small MR): B row p is brows[p] + boff (conv reads its
  // shifted input rows in place instead of an im2col copy). Same contract as sgemm_ukernel.
  void (*sgemm_ukernel_indirect)(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                 int64_t ldc, int m, int n, bool accumulate);
  void (*sgemm_ukernel_indirect_small)(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                       int64_t ldc, int m, int n, bool accumulate);
  // As sgemm_dot with B row j at brows[j] (stride-1 conv weight gradients over shifted input rows).
  void (*sgemm_dot_indirect)(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                             const float* const* brows, float beta, float* c, int64_t ldc);
  // Optional (null: portable loop in gemm.cc): packs one NR-column panel of a transposed B,
  // panel[p*nr + c] = b[c*ldb + p] for c < cols, p < kc, zero for c >= cols.
  void (*pack_b_trans)(const float* b, int64_t ldb, int64_t kc, int cols, int nr, float* panel);
  // Optional exact-height tiles for M = 1..8 rows (index M-1; null where absent), so a GEMM with
  // e.g. 6 output channels computes no padding rows. Same contracts as the kernels above.
  void (*sgemm_ukernel_rows[8])(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                                int n, bool accumulate);
  void (*sgemm_ukernel_indirect_rows[8])(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                         int64_t ldc, int m, int n, bool accumulate);
};

const KernelTable& ScalarKernels();
const KernelTable& Avx2Kernels();
const KernelTable& Avx512Kernels();
const KernelTable& NeonKernels();

// The table for the active ISA (see cpu_features.h).
const KernelTable& Kernels();

// The first required field of t left null (a kernel file that forgot one), or nullptr when complete.
// pack_b_trans and the exact-height tiles are optional.
const char* MissingKernel(const KernelTable& t);

}  // namespace torchlet
