// Data movement: permutes and 2-D block copies (narrow, cat, stack are built on these).
#pragma once
#include <cstdint>
#include <vector>

namespace torchlet {

// y = x.permute(perm) made contiguous; shape is x's shape.
void Permute(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* y);
// rows x cols block copy between two row-strided buffers.
void Copy2d(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t cols);

}  // namespace torchlet
