// Portable kernels: the baseline every CPU runs, and the reference the other ISAs are tested against.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernel_table.h"
#include "core/ops.h"

namespace torchlet {
namespace scalar {
#include "kernels/elementwise_impl.h"
#include "kernels/nn_impl.h"

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
                                scalar::SgemmUkernelSmall, 2};
  return t;
}

}  // namespace torchlet
