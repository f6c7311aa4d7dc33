#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace torchlet {
namespace {

thread_local bool tls_in_region = false;

// Waking a thread through a condition variable costs ~10 µs on small VMs, more than many kernels
// take. Both sides therefore spin briefly on an atomic before blocking: a worker right after a
// region (the next op usually follows within microseconds), the caller while the last parts finish.
constexpr auto kSpin = std::chrono::microseconds(50);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

template <typename Pred>
bool SpinUntil(Pred done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (done()) return true;
    CpuRelax();
    if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) return false;
  }
}

class Pool {
 public:
  Pool() { threads_.store(std::max(1u, std::thread::hardware_concurrency())); }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }

  int threads() const { return threads_.load(); }
  void set_threads(int n) { threads_.store(std::max(1, n)); }

  void Run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
    const int want = static_cast<int>(std::min<int64_t>(threads_.load(), max_chunks));
    std::unique_lock<std::mutex> region(region_mu_, std::defer_lock);
    if (want <= 1 || tls_in_region || !region.try_lock()) {
      fn(0, n);
      return;
    }
    EnsureWorkers(want - 1);
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &fn;
      job_n_ = n;
      job_parts_ = want;
      next_part_.store(1);
      pending_.store(want - 1);
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    tls_in_region = true;
    RunPart(0);
    // Help with parts no worker has picked up yet, then wait for the rest.
    for (int p; (p = next_part_.fetch_add(1)) < job_parts_;) {
      RunPart(p);
      pending_.fetch_sub(1);
    }
    tls_in_region = false;
    SpinUntil([&] { return pending_.load() == 0; });
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return pending_.load() == 0; });
    job_ = nullptr;
  }

 private:
  void RunPart(int p) {
    const int64_t begin = job_n_ * p / job_parts_, end = job_n_ * (p + 1) / job_parts_;
    if (begin < end) (*job_)(begin, end);
  }

  void EnsureWorkers(int count) {
    while (static_cast<int>(workers_.size()) < count) workers_.emplace_back([this] { Loop(); });
  }

  void Loop() {
    tls_in_region = true;  // kernels running on workers never open nested regions
    uint64_t seen = 0;
    for (;;) {
      if (!SpinUntil([&] { return generation_.load() != seen; })) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stop_ || generation_.load() != seen; });
        if (stop_) return;
      }
      seen = generation_.load();
      for (int p; (p = next_part_.fetch_add(1)) < job_parts_;) {
        RunPart(p);
        if (pending_.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> lk(mu_);
          done_cv_.notify_one();
        }
      }
    }
  }

  std::atomic<int> threads_{1};
  std::mutex region_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
  std::atomic<uint64_t> generation_{0};
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int job_parts_ = 0;
  std::atomic<int> next_part_{0};
  std::atomic<int> pending_{0};
};

Pool& GetPool() {
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock
  // when the addon is unloaded while a worker_thread is still tearing down.
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

int GetNumThreads() { return GetPool().threads(); }
void SetNumThreads(int n) { GetPool().set_threads(n); }
void ParallelForImpl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  GetPool().Run(n, grain, fn);
}

}  // namespace torchlet
