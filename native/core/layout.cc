#include "core/layout.h"

#include <cstring>

#include "core/thread_pool.h"

namespace torchlet {

void Permute(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* y) {
  const size_t nd = shape.size();
  // A 0-d tensor is one element; the row loop below assumes at least one dim (its `nd - 1` bound
  // would wrap around size_t and index far outside the shape).
  if (nd == 0) {
    y[0] = x[0];
    return;
  }
  std::vector<int64_t> xstride(nd, 1);
  for (size_t d = nd; d-- > 1;) xstride[d - 1] = xstride[d] * shape[d];
  std::vector<int64_t> ysize(nd), ystride_in_x(nd);
  int64_t total = 1;
  for (size_t d = 0; d < nd; ++d) {
    ysize[d] = shape[perm[d]];
    ystride_in_x[d] = xstride[perm[d]];
    total *= ysize[d];
  }
  if (total == 0) return;
  const int64_t inner = ysize[nd - 1];
  const int64_t inner_stride = ystride_in_x[nd - 1];
  const int64_t rows = total / inner;
  ParallelFor(rows, 64, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      int64_t rem = r, off = 0;
      for (size_t d = nd - 1; d-- > 0;) {
        off += (rem % ysize[d]) * ystride_in_x[d];
        rem /= ysize[d];
      }
      float* out = y + r * inner;
      const float* in = x + off;
      if (inner_stride == 1)
        std::memcpy(out, in, inner * sizeof(float));
      else
        for (int64_t j = 0; j < inner; ++j) out[j] = in[j * inner_stride];
    }
  });
}

void Copy2d(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0) return;
  if (src_stride == cols && dst_stride == cols) {
    std::memmove(dst, src, static_cast<size_t>(rows * cols) * sizeof(float));
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    std::memmove(dst + r * dst_stride, src + r * src_stride, static_cast<size_t>(cols) * sizeof(float));
}

}  // namespace torchlet
