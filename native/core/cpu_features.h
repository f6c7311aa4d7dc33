// CPU feature detection and the ISA choice made once at load.
#pragma once
#include <string>

namespace torchlet {

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2, Neon = 3 };

const char* IsaName(Isa isa);
// Best ISA this CPU and OS support (XCR0-checked on x86).
Isa DetectBestIsa();
bool IsaSupported(Isa isa);
// The ISA in use: DetectBestIsa(), unless TORCHLET_ISA=scalar|avx2|avx512|neon asks for another
// supported one. An unknown or unsupported request is recorded in IsaNote() and ignored.
Isa ActiveIsa();
const std::string& IsaNote();

}  // namespace torchlet
