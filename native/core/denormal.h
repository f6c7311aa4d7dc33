// Optional flush-to-zero / denormals-are-zero for the duration of a kernel, like PyTorch's
// torch.set_flush_denormal(True). Off by default, as in PyTorch: flushing made conv/linear/matmul/
// pooling disagree with PyTorch and with our own elementwise ops on denormal values (issue 14).
// Turned on, denormal operands stop costing x86 FMAs a microcode assist (~100x slower). MXCSR is
// per thread, so every parallel body sets it on the thread that runs it, and restores it after.
#pragma once
#include <atomic>
#if defined(__x86_64__) || defined(_M_X64) || defined(__SSE__)
#include <xmmintrin.h>
#define TORCHLET_HAVE_MXCSR 1
#endif

namespace torchlet {

inline std::atomic<bool>& FlushDenormalFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

// Process-wide. Returns false (and changes nothing) where the CPU has no such mode we can set.
inline bool SetFlushDenormal(bool on) {
#ifdef TORCHLET_HAVE_MXCSR
  FlushDenormalFlag().store(on, std::memory_order_relaxed);
  return true;
#else
  (void)on;
  return false;
#endif
}

class DenormalGuard {
 public:
#ifdef TORCHLET_HAVE_MXCSR
  DenormalGuard() : active_(FlushDenormalFlag().load(std::memory_order_relaxed)) {
    if (active_) {
      saved_ = _mm_getcsr();
      _mm_setcsr(saved_ | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
    }
  }
  ~DenormalGuard() {
    if (active_) _mm_setcsr(saved_);
  }

 private:
  bool active_;
  unsigned saved_ = 0;
#else
  DenormalGuard() {}
#endif
  DenormalGuard(const DenormalGuard&) = delete;
  DenormalGuard& operator=(const DenormalGuard&) = delete;
};

}  // namespace torchlet
