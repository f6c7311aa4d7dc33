// Upsampling of planes (PyTorch's F.interpolate for 'nearest' and 'bilinear' on NCHW input; a
// 3-D input is one with h = 1), forward and backward. Source coordinates follow ATen's CPU
// kernels exactly (UpSample.h: nearest_idx, area_pixel_compute_source_index), in float, so the
// sampled positions match PyTorch's bit for bit.
#pragma once
#include <cstdint>

namespace torchlet {

enum InterpMode : int { kInterpNearest = 0, kInterpBilinear = 1, kInterpModeCount = 2 };

struct InterpParams {
  int64_t planes, h, w, oh, ow;
  int mode;
  bool align_corners;
  // The user's scale factors, or <= 0 when the output size was given (then in / out is used).
  double scale_h, scale_w;
};

void InterpolateForward(const InterpParams& p, const float* x, float* y);
// gx is overwritten.
void InterpolateBackward(const InterpParams& p, const float* gy, float* gx);

}  // namespace torchlet
