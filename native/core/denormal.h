// Flush-to-zero / denormals-are-zero for the duration of a kernel (MXCSR is per thread, so every
// parallel body sets it on the thread that runs it, and restores it after). Denormal operands make
// x86 FMAs take a microcode assist (~100x slower); PyTorch sets the same flags with
// torch.set_flush_denormal(True). Results that would be denormal come out as zero.
#pragma once
#if defined(__x86_64__) || defined(_M_X64) || defined(__SSE__)
#include <xmmintrin.h>
#define TORCHLET_HAVE_MXCSR 1
#endif

namespace torchlet {

class DenormalGuard {
 public:
#ifdef TORCHLET_HAVE_MXCSR
  DenormalGuard() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }  // FTZ (bit 15) | DAZ (bit 6)
  ~DenormalGuard() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#else
  DenormalGuard() {}
#endif
  DenormalGuard(const DenormalGuard&) = delete;
  DenormalGuard& operator=(const DenormalGuard&) = delete;
};

}  // namespace torchlet
