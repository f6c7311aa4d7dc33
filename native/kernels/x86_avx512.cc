// AVX-512F kernels. Standard headers come before the target pragma (see elementwise_impl.h).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernel_table.h"
#include "core/ops.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif

namespace torchlet {
namespace avx512 {
#include "kernels/elementwise_impl.h"

static void SgemmUkernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelGeneric<8, 32>(kc, a, b, c, ldc, m, n, acc);
}
}  // namespace avx512
}  // namespace torchlet

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

namespace torchlet {
const KernelTable& Avx512Kernels() {
  static const KernelTable t = {"avx512", avx512::Unary, avx512::UnaryBackward, avx512::Binary, avx512::ReduceRow,
                                avx512::ReduceAccumulate, avx512::Scale, avx512::SoftmaxRow, avx512::SgemmUkernel, 8, 32};
  return t;
}
}  // namespace torchlet
#endif
