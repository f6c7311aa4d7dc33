#include "core/allocator_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace torchlet {

// Tensor storage is allocated by V8 through glibc's calloc. By default glibc serves blocks above
// 128 KiB with a fresh mmap and returns them with munmap, so every large tensor is first-touched
// page by page: on the build machine a page fault costs ~7 µs, and `x.exp()` on 8M floats took
// 57 ms instead of 3.5 ms. Keeping blocks up to 256 MiB on the heap, and not trimming it until
// 512 MiB are free at its top, lets freed tensor memory be reused without faults. The cost is that
// RSS stays at the working set's high-water mark, as with PyTorch's caching allocators.
bool TuneAllocatorOnce() {
  static bool tuned = false;
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    const char* env = std::getenv("TORCHLET_MALLOC_TUNING");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
    tuned = mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1;
#endif
  });
  return tuned;
}

}  // namespace torchlet
