#include "core/cpu_features.h"
#include "core/kernel_table.h"

namespace torchlet {

const KernelTable& Kernels() {
  // Chosen once; the tables are immutable, so every worker_thread can share the pointer.
  static const KernelTable* table = [] {
    switch (ActiveIsa()) {
#if defined(__x86_64__) || defined(_M_X64)
      case Isa::Avx512: return &Avx512Kernels();
      case Isa::Avx2: return &Avx2Kernels();
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
      case Isa::Neon: return &NeonKernels();
#endif
      default: return &ScalarKernels();
    }
  }();
  return *table;
}

const char* MissingKernel(const KernelTable& t) {
#define TORCHLET_REQUIRE(field) \
  if (!t.field) return #field;
  TORCHLET_REQUIRE(name)
  TORCHLET_REQUIRE(unary)
  TORCHLET_REQUIRE(unary_backward)
  TORCHLET_REQUIRE(binary)
  TORCHLET_REQUIRE(reduce_row)
  TORCHLET_REQUIRE(reduce_accumulate)
  TORCHLET_REQUIRE(scale)
  TORCHLET_REQUIRE(softmax_row)
  TORCHLET_REQUIRE(sgemm_ukernel)
  TORCHLET_REQUIRE(mr)
  TORCHLET_REQUIRE(nr)
  TORCHLET_REQUIRE(sgemm_dot)
  TORCHLET_REQUIRE(maxpool2d_plane)
  TORCHLET_REQUIRE(sgemm_ukernel_small)
  TORCHLET_REQUIRE(mr_small)
  TORCHLET_REQUIRE(im2col)
  TORCHLET_REQUIRE(col2im_add)
  TORCHLET_REQUIRE(sgemm_ukernel_indirect)
  TORCHLET_REQUIRE(sgemm_ukernel_indirect_small)
  TORCHLET_REQUIRE(sgemm_dot_indirect)
#undef TORCHLET_REQUIRE
  return nullptr;
}

}  // namespace torchlet
