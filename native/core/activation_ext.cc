// Standard headers come before the target pragmas (see kernels/elementwise_impl.h): a std::
// template instantiated under an ISA pragma could be merged by the linker into baseline callers.
#include "core/activation_ext.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu_features.h"
#include "core/denormal.h"
#include "core/ops.h"
#include "core/thread_pool.h"

// elementwise_impl.h brings the whole elementwise kernel set; only its math helpers are used here.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

namespace torchlet {
namespace act_scalar {
#include "kernels/elementwise_impl.h"
#include "core/activation_ext.inc"
}  // namespace act_scalar
}  // namespace torchlet

#if defined(__x86_64__) || defined(_M_X64)
#define TL_ACT_X86 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace torchlet {
namespace act_avx2 {
#include "kernels/elementwise_impl.h"
#include "core/activation_ext.inc"
}  // namespace act_avx2
}  // namespace torchlet
#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif
namespace torchlet {
namespace act_avx512 {
#include "kernels/elementwise_impl.h"
#include "core/activation_ext.inc"
}  // namespace act_avx512
}  // namespace torchlet
#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif
#endif

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace torchlet {
namespace {

using ForwardFn = void (*)(int, const float*, float*, int64_t, float, float);
using BackwardFn = void (*)(int, const float*, const float*, float*, int64_t, float, float);

struct ActKernels {
  const char* name;
  ForwardFn forward;
  BackwardFn backward;
};

const ActKernels& Active() {
  static const ActKernels k = [] {
#ifdef TL_ACT_X86
    switch (ActiveIsa()) {
      case Isa::Avx512: return ActKernels{"avx512", act_avx512::ActForward, act_avx512::ActBackward};
      case Isa::Avx2: return ActKernels{"avx2", act_avx2::ActForward, act_avx2::ActBackward};
      default: break;
    }
#endif
    return ActKernels{"scalar", act_scalar::ActForward, act_scalar::ActBackward};
  }();
  return k;
}

// Elementwise work per task: large enough that the pool hand-off is noise.
constexpr int64_t kGrain = 1 << 15;

}  // namespace

const char* ActivationIsa() { return Active().name; }

void ActivationForward(int op, const float* x, float* y, int64_t n, float a, float b) {
  const ForwardFn f = Active().forward;
  ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    f(op, x + lo, y + lo, hi - lo, a, b);
  });
}

void ActivationBackward(int op, const float* x, const float* gy, float* gx, int64_t n, float a, float b) {
  const BackwardFn f = Active().backward;
  ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    f(op, x + lo, gy + lo, gx + lo, hi - lo, a, b);
  });
}

void PreluForward(const float* x, const float* w, int64_t wn, float* y, int64_t outer, int64_t c, int64_t inner) {
  ParallelFor(outer * c, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, inner)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float s = w[wn == 1 ? 0 : r % c];
      const float* xp = x + r * inner;
      float* yp = y + r * inner;
      for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] > 0.0f ? xp[i] : s * xp[i];
    }
  });
}

void PreluBackward(const float* x, const float* w, int64_t wn, const float* gy, float* gx, float* gw, int64_t outer,
                   int64_t c, int64_t inner) {
  if (gx) {
    ParallelFor(outer * c, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, inner)), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const float s = w[wn == 1 ? 0 : r % c];
        const float* xp = x + r * inner;
        const float* g = gy + r * inner;
        float* o = gx + r * inner;
        for (int64_t i = 0; i < inner; ++i) o[i] = xp[i] > 0.0f ? g[i] : s * g[i];
      }
    });
  }
  if (gw) {
    // Per channel in double (a channel sums outer * inner products); the rows of one channel are
    // summed serially so the result does not depend on the thread count.
    std::vector<double> sums(static_cast<size_t>(c));
    ParallelFor(c, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t ch = lo; ch < hi; ++ch) {
        double acc = 0;
        for (int64_t o = 0; o < outer; ++o) {
          const float* xp = x + (o * c + ch) * inner;
          const float* g = gy + (o * c + ch) * inner;
          float part = 0;
          for (int64_t i = 0; i < inner; ++i) part += xp[i] > 0.0f ? 0.0f : xp[i] * g[i];
          acc += part;
        }
        sums[static_cast<size_t>(ch)] = acc;
      }
    });
    if (wn == 1) {
      double total = 0;
      for (double v : sums) total += v;
      gw[0] = static_cast<float>(total);
    } else {
      for (int64_t ch = 0; ch < c; ++ch) gw[ch] = static_cast<float>(sums[static_cast<size_t>(ch)]);
    }
  }
}

}  // namespace torchlet
