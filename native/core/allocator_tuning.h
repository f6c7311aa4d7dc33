// glibc malloc tuning applied once at load (see allocator_tuning.cc for why).
#pragma once

namespace torchlet {

// Applies the tuning unless TORCHLET_MALLOC_TUNING=0; returns whether it is in effect.
bool TuneAllocatorOnce();

}  // namespace torchlet
