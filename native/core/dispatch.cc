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

}  // namespace torchlet
