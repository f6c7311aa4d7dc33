// Dtype-generic, strided data movement and the integer/bool ops of the tensor core: the kernels
// behind views (contiguous(), copies through a view), dtype casts, indexing (gather/scatter by
// computed offsets), and the int64/bool elementwise ops and reductions. Float32 arithmetic on
// contiguous data stays in elementwise.cc / reduce.cc (SIMD kernels); these loops are portable C++.
//
// Every operand is (data, dtype, offset, strides) in elements; the binding checks that every element
// an operand can reach lies inside its buffer before calling in here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace torchlet {

// Element types; numbers shared with lib/native.ts (`ElemType`).
enum ElemType : int { kF32 = 0, kI64 = 1, kU8 = 2, kI32 = 3, kF64 = 4, kElemTypeCount = 5 };

size_t ElemSize(int type);

struct Strided {
  void* data = nullptr;
  int type = kF32;
  int64_t offset = 0;
  std::vector<int64_t> strides;  // one per dim of the iteration shape (0 = broadcast)
};

// dst[i] = cast(src[i]) over `shape`; bool (u8) destinations store x != 0.
void CopyStrided(const Strided& src, const Strided& dst, const std::vector<int64_t>& shape);

// Op codes of the typed ops beyond ops.h's BinaryOp (which they extend; numbers shared with lib/native.ts).
enum TypedBinaryOp : int {
  kLogicalAnd = 13,
  kLogicalOr = 14,
  kLogicalXor = 15,
  kFloorDivide = 16,
  kRemainder = 17,
  kTypedBinaryCount = 18
};

// out = a op b elementwise over `shape` (a, b strided, same element type; out contiguous of type
// out_type: bool for comparisons and logical ops, else a's type). Returns an error message for integer
// division by zero or a negative integer power, empty on success.
std::string BinaryStrided(int op, const Strided& a, const Strided& b, void* out, int out_type,
                          const std::vector<int64_t>& shape);

// Unary ops on int64 / bool / float32 data that have no SIMD kernel, by code 0 .. TypedUnaryCount()-1.
// The list (and each op's case) lives in strided.cc; the binding exports the names in code order and
// TypeScript looks kernels up by name (lib/ops/unary-registry.ts).
int TypedUnaryCount();
const char* TypedUnaryName(int op);
// y = f(x) over n contiguous items; x and y of the types the op takes (see strided.cc).
std::string UnaryTyped(int op, const void* x, int x_type, void* y, int y_type, int64_t n);

// Reductions of contiguous [outer, n, inner] data along the middle dim (op: TypedReduceOp).
enum TypedReduceOp : int { kRSum = 0, kRProd = 1, kRMax = 2, kRMin = 3, kRAny = 4, kRAll = 5, kTypedReduceCount = 6 };
void ReduceTyped(int op, const void* x, int x_type, int64_t outer, int64_t n, int64_t inner, void* y, int y_type);

// Inclusive prefix sums (or products) along the middle dim of [outer, n, inner] (f32 or i64).
void CumulativeTyped(bool prod, const void* x, int type, int64_t outer, int64_t n, int64_t inner, void* y);

// Sorts each [outer, :, inner] line: values (x's type) and int64 indices. NaN sorts as the largest
// value, as in PyTorch; stable keeps equal elements in input order.
void SortTyped(const void* x, int type, int64_t outer, int64_t n, int64_t inner, bool descending, bool stable,
               void* values, int64_t* indices);

// offsets[r] = base + sum_k wrap(idx_k[r], sizes[k]) * strides[k] for r < count, where wrap adds
// sizes[k] to a negative index. Returns an error naming the first index out of range.
std::string IndexOffsets(const std::vector<const int64_t*>& idx, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, int64_t base, int64_t count, int64_t* offsets);

// Gathers rows: out[r, j...] = src[offsets[r] + j . rest_strides] for r < count, j over rest_shape.
void GatherRows(const void* src, int type, const int64_t* offsets, int64_t count,
                const std::vector<int64_t>& rest_shape, const std::vector<int64_t>& rest_strides, void* out);
// Scatters rows: dst[offsets[r] + j . rest_strides] = (or +=, accumulate) src[r, j...] (src strided
// over [count, rest...], so a broadcast value has stride 0).
void ScatterRows(void* dst, int type, const int64_t* offsets, int64_t count, const std::vector<int64_t>& rest_shape,
                 const std::vector<int64_t>& rest_strides, const Strided& src, bool accumulate);

// torch.gather / scatter along `dim` of contiguous tensors: idx (int64, contiguous, shape idx_shape
// with idx_shape[d] <= x_shape[d] for d != dim). Returns an error naming a bad index.
std::string GatherDim(const void* x, int type, const std::vector<int64_t>& x_shape, int dim, const int64_t* idx,
                      const std::vector<int64_t>& idx_shape, void* out);
// dst (contiguous, shape dst_shape) [... idx ...] = / += src (contiguous, shape src_shape, at least
// idx_shape) or a scalar when src is null (value).
std::string ScatterDim(void* dst, int type, const std::vector<int64_t>& dst_shape, int dim, const int64_t* idx,
                       const std::vector<int64_t>& idx_shape, const void* src, const std::vector<int64_t>& src_shape,
                       double value, bool accumulate);

// out = cond ? a : b over `shape` (cond bool strided; a, b strided of out's type; out contiguous).
void WhereStrided(const Strided& cond, const Strided& a, const Strided& b, void* out, int type,
                  const std::vector<int64_t>& shape);

// Flat indices of the non-zero elements of a contiguous bool array (count them first with CountNonzero).
int64_t CountNonzero(const uint8_t* x, int64_t n);
void Nonzero(const uint8_t* x, int64_t n, int64_t* out);

}  // namespace torchlet
