// Reductions and softmax along one dim, with the tensor viewed as [outer, n, inner].
#pragma once
#include <cstdint>

namespace torchlet {

// y[outer, inner] = op over n (op: ReduceOp; kMean divides by n).
void Reduce(int op, const float* x, int64_t outer, int64_t n, int64_t inner, float* y);
// Max (is_max) or min with the index of the first extreme value (NaN counts as the extreme, as in PyTorch).
void ArgReduce(bool is_max, const float* x, int64_t outer, int64_t n, int64_t inner, float* values, int32_t* indices);
// gx (zeroed by the caller, [outer, n, inner]) += g ([outer, inner]) at the positions indices picked:
// the backward of max/min along a dim.
void ScatterAlongDim(const float* g, const int32_t* indices, int64_t outer, int64_t n, int64_t inner, float* gx);
void Softmax(const float* x, int64_t outer, int64_t n, int64_t inner, float* y, bool log);
// gx from y = softmax(x) (or log_softmax) and gy.
void SoftmaxBackward(const float* y, const float* gy, int64_t outer, int64_t n, int64_t inner, float* gx, bool log);

}  // namespace torchlet
