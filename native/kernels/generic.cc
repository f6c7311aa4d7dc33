// Portable kernels: the baseline every CPU runs, and the reference the other ISAs are tested against.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/im2col.h"
#include "core/kernel_table.h"
#include "core/ops.h"

namespace torchlet {
namespace scalar {
#include "kernels/elementwise_impl.h"
static inline void CopyRow(float* d, const float* s, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] = s[i]; }
static inline void AddRow(float* d, const float* s, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] += s[i]; }
static inline void ZeroRow(float* d, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] = 0.0f; }
#include "kernels/nn_impl.h"

static void SgemmUkernelIndirect(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                 int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelIndirectGeneric<4, 8>(kc, a, brows, boff, c, ldc, m, n, acc);
}
static void SgemmUkernelIndirectSmall(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                      int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelIndirectGeneric<2, 8>(kc, a, brows, boff, c, ldc, m, n, acc);
}

static void SgemmUkernel(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                         bool acc) {
  SgemmUkernelGeneric<4, 8>(kc, a, b, ldb, c, ldc, m, n, acc);
}
static void SgemmUkernelSmall(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool acc) {
  SgemmUkernelGeneric<2, 8>(kc, a, b, ldb, c, ldc, m, n, acc);
}
}  // namespace scalar

const KernelTable& ScalarKernels() {
  static const KernelTable t = {"scalar", scalar::Unary, scalar::UnaryBackward, scalar::Binary, scalar::ReduceRow,
                                scalar::ReduceAccumulate, scalar::Scale, scalar::SoftmaxRow, scalar::SgemmUkernel,
                                4, 8, scalar::SgemmDotGeneric, scalar::MaxPool2dPlane,
                                scalar::SgemmUkernelSmall, 2,
                                scalar::Im2Col, scalar::Col2ImAdd,
                                scalar::SgemmUkernelIndirect, scalar::SgemmUkernelIndirectSmall,
                                scalar::SgemmDotIndirectGeneric, nullptr, {}, {}};
  return t;
}

}  // namespace torchlet
