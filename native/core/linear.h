// Linear layer: y[rows x out] = x[rows x in] * W[out x in]^T + b.
#pragma once
#include <cstdint>

namespace torchlet {

void LinearForward(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* b, float* y);
// gx = gy W, gw = gy^T x, gb = column sums of gy. Any output may be null; all are overwritten.
void LinearBackward(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* gy, float* gx,
                    float* gw, float* gb);

}  // namespace torchlet
