#include "core/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__x86_64__) || defined(_M_X64)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace torchlet {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
void Cpuid(int leaf, int sub, unsigned r[4]) {
#if defined(_MSC_VER)
  int v[4];
  __cpuidex(v, leaf, sub);
  for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned>(v[i]);
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

unsigned long long Xgetbv() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
#endif
}
#endif

Isa Detect() {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned r[4];
  Cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  Cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1;
  if (!osxsave || !avx || max_leaf < 7) return Isa::Scalar;
  const unsigned long long xcr0 = Xgetbv();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // opmask, ZMM_Hi256, Hi16_ZMM saved by the OS
  Cpuid(7, 0, r);
  const bool avx2 = (r[1] >> 5) & 1, avx512f = (r[1] >> 16) & 1;
  if (avx512f && zmm_state && avx2 && fma) return Isa::Avx512;
  if (avx2 && fma && ymm_state) return Isa::Avx2;
  return Isa::Scalar;
#elif defined(__aarch64__) || defined(_M_ARM64)
  return Isa::Neon;  // NEON is baseline on AArch64
#else
  return Isa::Scalar;
#endif
}

bool SupportedGiven(Isa best, Isa isa) {
  if (isa == Isa::Scalar) return true;
  if (best == Isa::Neon) return isa == Isa::Neon;
  if (isa == Isa::Neon) return false;
  return static_cast<int>(isa) <= static_cast<int>(best);
}

struct Choice {
  Isa best = Isa::Scalar;
  Isa active = Isa::Scalar;
  std::string note;
};

const Choice& GetChoice() {
  static Choice choice;
  static std::once_flag once;
  std::call_once(once, [] {
    choice.best = Detect();
    choice.active = choice.best;
    const char* req = std::getenv("TORCHLET_ISA");
    if (req == nullptr || *req == '\0') return;
    Isa want;
    if (!std::strcmp(req, "scalar"))
      want = Isa::Scalar;
    else if (!std::strcmp(req, "avx2"))
      want = Isa::Avx2;
    else if (!std::strcmp(req, "avx512"))
      want = Isa::Avx512;
    else if (!std::strcmp(req, "neon"))
      want = Isa::Neon;
    else {
      choice.note = std::string("TORCHLET_ISA='") + req + "' is not one of scalar|avx2|avx512|neon; ignored";
      return;
    }
    if (!SupportedGiven(choice.best, want)) {
      choice.note =
          std::string("TORCHLET_ISA='") + req + "' is not supported by this CPU; using " + IsaName(choice.best);
      return;
    }
    choice.active = want;
  });
  return choice;
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
    case Isa::Neon: return "neon";
    default: return "scalar";
  }
}

Isa DetectBestIsa() { return GetChoice().best; }

bool IsaSupported(Isa isa) { return SupportedGiven(GetChoice().best, isa); }

Isa ActiveIsa() { return GetChoice().active; }
const std::string& IsaNote() { return GetChoice().note; }

}  // namespace torchlet
