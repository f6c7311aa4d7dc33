// im2col / col2im for NCHW planes: the column matrix has one row per (channel, ky, kx) tap and one
// column per output pixel, so a convolution is W[oc x C*KH*KW] * col[C*KH*KW x OH*OW].
#pragma once
#include <cstdint>

namespace torchlet {

struct ConvGeom {
  int64_t c, h, w;  // input channels (of the slice being expanded), height, width
  int64_t kh, kw;   // kernel
  int64_t sh, sw;   // stride
  int64_t ph, pw;   // top / left padding (bottom / right padding is implied by oh / ow)
  int64_t dh, dw;   // dilation
  int64_t oh, ow;   // output size
};

// col rows [r0, r1) of the full C*KH*KW x OH*OW matrix for one image x (C x H x W).
void Im2Col(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1);
// The block of rows [r0, r1) and pixel columns [j0, j1), row stride j1 - j0.
void Im2ColBlock(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1, int64_t j0, int64_t j1);
// dx (C x H x W) += the columns scattered back (the adjoint of Im2Col), channels [c0, c1).
void Col2ImAdd(const ConvGeom& g, const float* col, float* dx, int64_t c0, int64_t c1);

}  // namespace torchlet
