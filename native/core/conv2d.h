// 2-D convolution (NCHW, weights OIHW) forward and backward. Algorithm per shape:
// 1x1/stride 1/no padding -> GEMM on the input planes directly; depthwise -> direct kernel;
// otherwise im2col + packed SGEMM. Batch items run in parallel when there are enough of them,
// otherwise each GEMM is parallel.
#pragma once
#include <cstdint>

namespace torchlet {

struct Conv2dParams {
  int64_t n, c, h, w;   // input
  int64_t oc, kh, kw;   // weight [oc, c / groups, kh, kw]
  int64_t sh, sw, ph, pw, dh, dw, groups;
  int64_t oh, ow;       // output (ph/pw are the top/left pads; oh/ow imply the bottom/right ones)
};

// Which algorithm a shape uses (exposed for tests/bench): 0 gemm1x1, 1 depthwise, 2 im2col.
int Conv2dAlgorithm(const Conv2dParams& p);

void Conv2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y);
// Any of gx, gw, gb may be null. gw and gb are overwritten (not accumulated).
void Conv2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw,
                    float* gb);

}  // namespace torchlet
