// Layer and group normalisation, forward and backward (also InstanceNorm: groups == channels).
// Statistics are per row (LayerNorm: the trailing normalized_shape; GroupNorm: one (image, group)),
// computed in two passes in double (mean, then the centred sum of squares), as PyTorch's CPU
// kernels are accurate to float precision. Forward saves mean and rstd = 1/sqrt(var + eps) per row
// for backward.
#pragma once
#include <cstdint>

namespace torchlet {

// x, y: [rows, d]; weight, bias: [d] or null; mean, rstd: [rows].
void LayerNormForward(int64_t rows, int64_t d, const float* x, const float* weight, const float* bias, float eps,
                      float* y, float* mean, float* rstd);
// Any of gx, gw, gb may be null; gw and gb are overwritten.
void LayerNormBackward(int64_t rows, int64_t d, const float* x, const float* gy, const float* weight, const float* mean,
                       const float* rstd, float* gx, float* gw, float* gb);

// x, y: [n, c, hw] in `groups` groups of c / groups channels; weight, bias: [c] or null;
// mean, rstd: [n, groups].
void GroupNormForward(int64_t n, int64_t c, int64_t hw, int64_t groups, const float* x, const float* weight,
                      const float* bias, float eps, float* y, float* mean, float* rstd);
void GroupNormBackward(int64_t n, int64_t c, int64_t hw, int64_t groups, const float* x, const float* gy,
                       const float* weight, const float* mean, const float* rstd, float* gx, float* gw, float* gb);

}  // namespace torchlet
