#include "core/conv_transpose.h"

#include <algorithm>

#include "core/denormal.h"
#include "core/kernel_table.h"
#include "core/ops.h"
#include "core/thread_pool.h"

namespace torchlet {

void ConvTranspose2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  // Conv2dBackward reads its input argument only for the weight gradient, which is not asked for
  // here; y (the same size as that input) stands in for it so no null pointer is offset.
  Conv2dBackward(p, y, w, x, y, nullptr, nullptr);
  if (!bias) return;
  const int64_t hw = p.h * p.w, planes = p.n * p.c;
  ParallelFor(planes, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, hw)), [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const float b = bias[q % p.c];
      float* d = y + q * hw;
      for (int64_t i = 0; i < hw; ++i) d[i] += b;
    }
  });
}

void ConvTranspose2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx,
                             float* gw, float* gb) {
  if (gx) Conv2dForward(p, gy, w, nullptr, gx);
  if (gw) Conv2dBackward(p, gy, w, x, nullptr, gw, nullptr);
  if (gb) {
    const KernelTable& kt = Kernels();
    const int64_t hw = p.h * p.w;
    const int64_t grain = std::max<int64_t>(8, (int64_t(1) << 18) / std::max<int64_t>(1, p.n * hw));
    ParallelFor(p.c, grain, [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      for (int64_t o = lo; o < hi; ++o) {
        double s = 0;
        for (int64_t b = 0; b < p.n; ++b) s += kt.reduce_row(kSum, gy + (b * p.c + o) * hw, hw);
        gb[o] = static_cast<float>(s);
      }
    });
  }
}

}  // namespace torchlet
