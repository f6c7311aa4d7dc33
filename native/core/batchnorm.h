// Batch normalization over (N, C, HW) data: statistics per channel C.
#pragma once
#include <cstdint>

namespace torchlet {

// Training: batch statistics (biased variance for normalizing), saved mean/invstd for backward,
// running stats (nullable) updated with momentum and the unbiased variance. Eval: running stats.
// weight/bias nullable (affine=false).
void BatchNormForward(int64_t n, int64_t c, int64_t hw, const float* x, const float* weight, const float* bias,
                      float* running_mean, float* running_var, bool training, float momentum, float eps, float* y,
                      float* save_mean, float* save_invstd);
// In training mode save_mean/save_invstd are the batch statistics; in eval mode they are the
// running mean and 1/sqrt(running_var + eps). gx, gw, gb nullable.
void BatchNormBackward(int64_t n, int64_t c, int64_t hw, const float* x, const float* gy, const float* weight,
                       const float* save_mean, const float* save_invstd, bool training, float* gx, float* gw,
                       float* gb);

}  // namespace torchlet
