// A fixed pool of std::threads shared by the whole process (no OpenMP: see README, "Threads").
#pragma once
#include <cstdint>
#include <functional>
#include <utility>

namespace torchlet {

// Number of threads a parallel region uses (the caller included). Process-wide, like
// torch.set_num_threads. Default: hardware concurrency.
int GetNumThreads();
void SetNumThreads(int n);

// Splits [0, n) into contiguous chunks of at least `grain` items and runs fn(begin, end) on the pool,
// the calling thread taking a share. Regions do not nest: a call from inside a region, or while
// another thread (e.g. another worker_thread's addon instance) holds the pool, runs inline.
void ParallelForImpl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Work too small to split runs inline without building a std::function: tiny ops are common
// (biases, scalars, batch-1 inference) and their per-call cost matters.
template <typename F>
inline void ParallelFor(int64_t n, int64_t grain, F&& fn) {
  if (n <= grain || GetNumThreads() <= 1) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  ParallelForImpl(n, grain, std::function<void(int64_t, int64_t)>(std::forward<F>(fn)));
}

}  // namespace torchlet
