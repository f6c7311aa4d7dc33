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
static inline void CopyRow(float* d, const float* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = s[i];
}
static inline void AddRow(float* d, const float* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] += s[i];
}
static inline void ZeroRow(float* d, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = 0.0f;
}
// Max pooling, one tap over a block of output columns: v = src[j * sw] replaces m[j] (and its index
// base + j * sw in k[j], when k is given) when greater or NaN, PyTorch's rule.
static inline void MaxTapBlock(const float* src, int64_t sw, int64_t n, int32_t base, float* m, int32_t* k) {
  for (int64_t j = 0; j < n; ++j) {
    const float v = src[j * sw];
    if (v > m[j] || v != v) {
      m[j] = v;
      if (k) k[j] = base + static_cast<int32_t>(j * sw);
    }
  }
}
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
  // Filled by field name: neighbours share signatures, so a positional initialiser could
  // swap two kernels and still compile. Fields left unset are null (optional kernels).
  static const KernelTable t = [] {
    KernelTable k{};
    k.name = "neon";
    k.unary = neon::Unary;
    k.unary_backward = neon::UnaryBackward;
    k.binary = neon::Binary;
    k.reduce_row = neon::ReduceRow;
    k.reduce_accumulate = neon::ReduceAccumulate;
    k.scale = neon::Scale;
    k.softmax_row = neon::SoftmaxRow;
    k.sgemm_ukernel = neon::SgemmUkernel;
    k.mr = 8;
    k.nr = 8;
    k.sgemm_dot = neon::SgemmDotGeneric;
    k.maxpool2d_plane = neon::MaxPool2dPlane;
    k.sgemm_ukernel_small = neon::SgemmUkernelSmall;
    k.mr_small = 4;
    k.im2col = neon::Im2Col;
    k.col2im_add = neon::Col2ImAdd;
    k.sgemm_ukernel_indirect = neon::SgemmUkernelIndirect;
    k.sgemm_ukernel_indirect_small = neon::SgemmUkernelIndirectSmall;
    k.sgemm_dot_indirect = neon::SgemmDotIndirectGeneric;
    return k;
  }();
  return t;
}
}  // namespace torchlet
#endif
