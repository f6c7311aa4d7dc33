// AArch64 NEON kernels (NEON is baseline there, so no target pragma is needed).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/im2col.h"
#include "core/kernel_table.h"
#include "core/ops.h"

#if defined(__aarch64__) || defined(_M_ARM64)
namespace torchlet {
namespace neon {
#include "kernels/elementwise_impl.h"
static inline void CopyRow(float* d, const float* s, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] = s[i]; }
static inline void AddRow(float* d, const float* s, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] += s[i]; }
static inline void ZeroRow(float* d, int64_t n) { for (int64_t i = 0; i < n; ++i) d[i] = 0.0f; }
#include "kernels/nn_impl.h"

static void SgemmUkernelIndirect(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                 int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelIndirectGeneric<8, 8>(kc, a, brows, boff, c, ldc, m, n, acc);
}
static void SgemmUkernelIndirectSmall(int64_t kc, const float* a, const float* const* brows, int64_t boff, float* c,
                                      int64_t ldc, int m, int n, bool acc) {
  SgemmUkernelIndirectGeneric<4, 8>(kc, a, brows, boff, c, ldc, m, n, acc);
}

static void SgemmUkernel(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m, int n,
                         bool acc) {
  SgemmUkernelGeneric<8, 8>(kc, a, b, ldb, c, ldc, m, n, acc);
}
static void SgemmUkernelSmall(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int m,
                              int n, bool acc) {
  SgemmUkernelGeneric<4, 8>(kc, a, b, ldb, c, ldc, m, n, acc);
}
}  // namespace neon

const KernelTable& NeonKernels() {
  static const KernelTable t = {"neon", neon::Unary, neon::UnaryBackward, neon::Binary, neon::ReduceRow,
                                neon::ReduceAccumulate, neon::Scale, neon::SoftmaxRow, neon::SgemmUkernel, 8, 8,
                                neon::SgemmDotGeneric, neon::MaxPool2dPlane,
                                neon::SgemmUkernelSmall, 4,
                                neon::Im2Col, neon::Col2ImAdd,
                                neon::SgemmUkernelIndirect, neon::SgemmUkernelIndirectSmall,
                                neon::SgemmDotIndirectGeneric, nullptr, {}, {}};
  return t;
}
}  // namespace torchlet
#endif
