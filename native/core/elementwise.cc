#include "core/elementwise.h"

#include <algorithm>
#include <cstring>

#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int64_t kGrain = 1 << 15;  // items per task: below this a thread hop costs more than it saves

// Right-aligns shapes to y's rank, gives each operand broadcast strides (0 on broadcast dims), and merges
// adjacent dims that are contiguous for every operand.
struct Plan {
  Shape size;                  // collapsed y dims
  std::vector<Shape> strides;  // per operand
};

Plan MakePlan(const Shape& y_shape, const std::vector<const Shape*>& operands) {
  const size_t nd = y_shape.size();
  Plan plan;
  std::vector<Shape> st(operands.size(), Shape(nd, 0));
  for (size_t o = 0; o < operands.size(); ++o) {
    const Shape& s = *operands[o];
    int64_t stride = 1;
    for (size_t i = 0; i < s.size(); ++i) {
      const size_t d = s.size() - 1 - i;
      const size_t yd = nd - 1 - i;
      st[o][yd] = (s[d] == 1 && y_shape[yd] != 1) ? 0 : stride;
      stride *= s[d];
    }
  }
  for (size_t d = 0; d < nd; ++d) {
    if (y_shape[d] == 1) continue;  // size-1 dims contribute nothing
    bool merge = !plan.size.empty();
    for (size_t o = 0; merge && o < operands.size(); ++o) merge = plan.strides[o].back() == st[o][d] * y_shape[d];
    if (plan.strides.empty()) plan.strides.resize(operands.size());
    if (merge) {
      plan.size.back() *= y_shape[d];
      for (size_t o = 0; o < operands.size(); ++o) plan.strides[o].back() = st[o][d];
    } else {
      plan.size.push_back(y_shape[d]);
      for (size_t o = 0; o < operands.size(); ++o) plan.strides[o].push_back(st[o][d]);
    }
  }
  if (plan.size.empty()) {
    plan.size.push_back(1);
    plan.strides.assign(operands.size(), Shape{1});
  }
  return plan;
}

// Offsets of operand o for the outer row `row` (all dims but the last).
inline void RowOffsets(const Plan& p, int64_t row, int64_t* off, size_t nops) {
  for (size_t o = 0; o < nops; ++o) off[o] = 0;
  for (size_t d = p.size.size() - 1; d-- > 0;) {
    const int64_t i = row % p.size[d];
    row /= p.size[d];
    for (size_t o = 0; o < nops; ++o) off[o] += i * p.strides[o][d];
  }
}

}  // namespace

void UnaryOp(int op, const float* x, float* y, int64_t n) {
  const KernelTable& kt = Kernels();
  ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) { kt.unary(op, x + lo, y + lo, hi - lo); });
}

void UnaryBackwardOp(int op, const float* x, const float* y, const float* gy, float* gx, int64_t n) {
  const KernelTable& kt = Kernels();
  ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    kt.unary_backward(op, x ? x + lo : nullptr, y ? y + lo : nullptr, gy + lo, gx + lo, hi - lo);
  });
}

void ScaleOp(const float* x, float s, float* y, int64_t n) {
  const KernelTable& kt = Kernels();
  ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) { kt.scale(x + lo, s, y + lo, hi - lo); });
}

void BinaryOp(int op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* y,
              const Shape& y_shape) {
  const KernelTable& kt = Kernels();
  const Plan p = MakePlan(y_shape, {&a_shape, &b_shape});
  const int64_t inner = p.size.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < p.size.size(); ++d) rows *= p.size[d];
  const int sa = static_cast<int>(p.strides[0].back()), sb = static_cast<int>(p.strides[1].back());
  if (rows == 1) {
    ParallelFor(inner, kGrain,
                [&](int64_t lo, int64_t hi) { kt.binary(op, a + lo * sa, sa, b + lo * sb, sb, y + lo, hi - lo); });
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, inner));
  ParallelFor(rows, grain, [&](int64_t lo, int64_t hi) {
    int64_t off[2];
    for (int64_t r = lo; r < hi; ++r) {
      RowOffsets(p, r, off, 2);
      kt.binary(op, a + off[0], sa, b + off[1], sb, y + r * inner, inner);
    }
  });
}

void SumToShape(const float* g, const Shape& g_shape, float* out, const Shape& o_shape) {
  const KernelTable& kt = Kernels();
  int64_t on = 1;
  for (int64_t s : o_shape) on *= s;
  std::fill(out, out + on, 0.0f);
  const Plan p = MakePlan(g_shape, {&o_shape});
  const int64_t inner = p.size.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < p.size.size(); ++d) rows *= p.size[d];
  const bool inner_reduced = p.strides[0].back() == 0;
  // Serial over rows (rows can land on the same output row); each row is one vectorized kernel call.
  int64_t off[1];
  for (int64_t r = 0; r < rows; ++r) {
    RowOffsets(p, r, off, 1);
    if (inner_reduced)
      out[off[0]] += kt.reduce_row(0, g + r * inner, inner);
    else
      kt.reduce_accumulate(0, g + r * inner, out + off[0], inner);
  }
}

}  // namespace torchlet
