// 2-D convolution (NCHW, weights OIHW) forward and backward. Algorithm per shape:
// - depthwise (groups == C): direct kernel;
// - stride 1: GEMM with an indirect B over the (padded) input: each tap reads the input rows
//   shifted in place, so there is no im2col copy (weights packed once per call);
// - 1x1 / stride 1 / no padding: GEMM straight on the input planes;
// - other strided convs: im2col of cache-sized pixel blocks + GEMM.
// Backward: dX of stride-1 convs is the forward conv of dY with flipped, transposed weights;
// strided convs use GEMM + col2im. dW of stride-1 convs is blocked dot products of dY with the
// shifted input rows; strided ones GEMM with im2col blocks. Work is split into (image, pixel
// block) tasks over the pool, so batch 1 also uses every thread. Denormals are flushed.
#pragma once
#include <cstdint>

namespace torchlet {

struct Conv2dParams {
  int64_t n, c, h, w;  // input
  int64_t oc, kh, kw;  // weight [oc, c / groups, kh, kw]
  int64_t sh, sw, ph, pw, dh, dw, groups;
  int64_t oh, ow;  // output (ph/pw are the top/left pads; oh/ow imply the bottom/right ones)
};

// Which algorithm a shape uses (exposed for tests/bench): 0 gemm1x1, 1 depthwise, 2 im2col.
int Conv2dAlgorithm(const Conv2dParams& p);

void Conv2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y);
// Any of gx, gw, gb may be null. gw and gb are overwritten (not accumulated).
void Conv2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw,
                    float* gb);

}  // namespace torchlet
