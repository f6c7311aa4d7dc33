// AVX2 + FMA kernels. Standard headers come before the target pragma (see elementwise_impl.h).
#include <cmath>
#include <cstdint>
#include <cstring>

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

static void SgemmUkernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelGeneric<6, 16>(kc, a, b, c, ldc, m, n, acc);
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
  static const KernelTable t = {"avx2", avx2::Unary, avx2::UnaryBackward, avx2::Binary, avx2::ReduceRow,
                                avx2::ReduceAccumulate, avx2::Scale, avx2::SoftmaxRow, avx2::SgemmUkernel, 6, 16};
  return t;
}
}  // namespace torchlet
#endif
