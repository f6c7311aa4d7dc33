#include "core/linear.h"

#include <algorithm>
#include <vector>

#include "core/denormal.h"
#include "core/gemm.h"

namespace torchlet {

void LinearForward(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* b, float* y) {
  DenormalGuard dg;
  if (b)
    for (int64_t r = 0; r < rows; ++r) std::copy(b, b + out, y + r * out);
  Sgemm(false, true, rows, out, in, 1.0f, x, in, w, in, b ? 1.0f : 0.0f, y, out);
}

void LinearBackward(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* gy, float* gx,
                    float* gw, float* gb) {
  DenormalGuard dg;
  if (gx) Sgemm(false, false, rows, in, out, 1.0f, gy, out, w, in, 0.0f, gx, in);
  if (gw) Sgemm(true, false, out, in, rows, 1.0f, gy, out, x, in, 0.0f, gw, in);
  if (gb) {
    std::vector<double> acc(static_cast<size_t>(out), 0.0);
    std::fill(gb, gb + out, 0.0f);
    // Rows summed in float blocks of 64, blocks summed in double.
    for (int64_t r0 = 0; r0 < rows; r0 += 64) {
      const int64_t r1 = std::min(rows, r0 + 64);
      for (int64_t r = r0; r < r1; ++r) {
        const float* g = gy + r * out;
        for (int64_t j = 0; j < out; ++j) gb[j] += g[j];
      }
      for (int64_t j = 0; j < out; ++j) {
        acc[j] += gb[j];
        gb[j] = 0.0f;
      }
    }
    for (int64_t j = 0; j < out; ++j) gb[j] = static_cast<float>(acc[j]);
  }
}

}  // namespace torchlet
