// 2-D transposed convolution (PyTorch's conv_transpose2d), run on the conv2d kernels: its forward
// is the input gradient of the conv2d it is the adjoint of, its input gradient that conv2d's
// forward, and its weight gradient that conv2d's weight gradient with input and output swapped.
// `p` is the geometry of that conv2d: p.c / p.h / p.w are the transposed conv's output channels
// and size, p.oc / p.oh / p.ow its input channels and size; the weight layout
// [inC, outC / groups, kh, kw] is exactly conv2d's [oc, c / groups, kh, kw].
#pragma once
#include "core/conv2d.h"

namespace torchlet {

// x [n, p.oc, p.oh, p.ow] -> y [n, p.c, p.h, p.w]; bias [p.c] or null.
void ConvTranspose2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y);
// Any of gx, gw, gb may be null; each is overwritten (not accumulated).
void ConvTranspose2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx,
                             float* gw, float* gb);

}  // namespace torchlet
