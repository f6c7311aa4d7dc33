// 2-D pooling over NCHW planes (planes = N*C), forward and backward.
#pragma once
#include <cstdint>

namespace torchlet {

struct Pool2dParams {
  int64_t planes, h, w, oh, ow;
  int kh, kw, sh, sw, ph, pw, dh, dw;
  bool count_include_pad;
  int64_t divisor_override;  // 0 = none
};

// idx (nullable): argmax per output as a flat index into its input plane.
void MaxPool2dForward(const Pool2dParams& p, const float* x, float* y, int32_t* idx);
// gx = scatter of gy through idx (also the backward of adaptive max pooling). gx is overwritten.
void MaxPool2dBackward(int64_t planes, int64_t hw, int64_t ohw, const float* gy, const int32_t* idx, float* gx);
void AvgPool2dForward(const Pool2dParams& p, const float* x, float* y);
void AvgPool2dBackward(const Pool2dParams& p, const float* gy, float* gx);
void AdaptiveAvgPool2dForward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* x, float* y);
void AdaptiveAvgPool2dBackward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* gy,
                               float* gx);
void AdaptiveMaxPool2dForward(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, const float* x, float* y,
                              int32_t* idx);

}  // namespace torchlet
