// Elementwise drivers: split work over the thread pool and broadcast shapes, calling the ISA kernels.
#pragma once
#include <cstdint>
#include <vector>

namespace torchlet {

using Shape = std::vector<int64_t>;

void UnaryOp(int op, const float* x, float* y, int64_t n);
void UnaryBackwardOp(int op, const float* x, const float* y, const float* gy, float* gx, int64_t n);
// y = a op b with NumPy/PyTorch broadcasting; y_shape is the broadcast shape (checked by the caller).
void BinaryOp(int op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* y,
              const Shape& y_shape);
// out (shape o_shape, broadcastable to g_shape) = g summed over the broadcast dims: the backward of
// broadcasting.
void SumToShape(const float* g, const Shape& g_shape, float* out, const Shape& o_shape);
void ScaleOp(const float* x, float s, float* y, int64_t n);

}  // namespace torchlet
