#include "core/strided.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/ops.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int64_t kGrain = 1 << 15;

// Calls fn with a typed null pointer for the element type, so one template body serves every dtype.
template <typename F>
auto Dispatch(int type, F&& fn) {
  switch (type) {
    case kF32: return fn(static_cast<float*>(nullptr));
    case kI64: return fn(static_cast<int64_t*>(nullptr));
    case kU8: return fn(static_cast<uint8_t*>(nullptr));
    case kI32: return fn(static_cast<int32_t*>(nullptr));
    default: return fn(static_cast<double*>(nullptr));
  }
}

template <typename D, typename S>
inline D Cast(S v) {
  if constexpr (std::is_same_v<D, uint8_t>)
    return v != S(0) ? 1 : 0;
  else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    // Float -> int truncates toward zero as PyTorch does; NaN and out-of-range values are undefined
    // there, here they are 0 / clamped (never C++ UB).
    if (!(v == v)) return D(0);
    if (v >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    if (v <= static_cast<S>(std::numeric_limits<D>::min())) return std::numeric_limits<D>::min();
    return static_cast<D>(v);
  } else
    return static_cast<D>(v);
}

// Iteration over `shape` in row-major order: rows are all dims but the last.
struct Iter {
  std::vector<int64_t> shape;
  int64_t inner = 1, rows = 1;
  explicit Iter(const std::vector<int64_t>& s) : shape(s) {
    if (shape.empty()) shape.push_back(1);
    inner = shape.back();
    for (size_t d = 0; d + 1 < shape.size(); ++d) rows *= shape[d];
  }
  // Element offset of row `row` for an operand with these strides.
  int64_t RowOffset(int64_t row, const std::vector<int64_t>& st) const {
    int64_t off = 0;
    for (size_t d = shape.size() - 1; d-- > 0;) {
      const int64_t i = row % shape[d];
      row /= shape[d];
      off += i * st[d];
    }
    return off;
  }
  int64_t Last(const std::vector<int64_t>& st) const { return st.empty() ? 0 : st.back(); }
};

std::vector<int64_t> PadStrides(const std::vector<int64_t>& st) { return st.empty() ? std::vector<int64_t>{0} : st; }

template <typename F>
void ForRows(const Iter& it, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, it.inner));
  ParallelFor(it.rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) fn(r);
  });
}

template <typename T>
inline bool IsNan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return v != v;
  else
    return false;
}

// Integer add/sub/mul wrap around as in PyTorch (two's complement), without C++'s signed-overflow UB.
template <typename T>
inline T WrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else
    return a + b;
}
template <typename T>
inline T WrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else
    return a - b;
}
template <typename T>
inline T WrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else
    return a * b;
}

template <typename T>
inline T FloorDiv(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return std::floor(a / b);
  else {
    const T q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
}

template <typename T>
inline T Remainder(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const T r = std::fmod(a, b);
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  } else {
    const T r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  }
}

template <typename T>
inline T IntPow(T base, T exp) {
  T result = 1;
  while (exp > 0) {
    if (exp & 1) result = WrapMul(result, base);
    base = WrapMul(base, base);
    exp >>= 1;
  }
  return result;
}

}  // namespace

size_t ElemSize(int type) {
  switch (type) {
    case kF32:
    case kI32: return 4;
    case kI64:
    case kF64: return 8;
    default: return 1;
  }
}

void CopyStrided(const Strided& src, const Strided& dst, const std::vector<int64_t>& shape) {
  const Iter it(shape);
  const std::vector<int64_t> ss = PadStrides(src.strides), ds = PadStrides(dst.strides);
  Dispatch(src.type, [&](auto* sp) {
    using S = std::remove_pointer_t<decltype(sp)>;
    Dispatch(dst.type, [&](auto* dp) {
      using D = std::remove_pointer_t<decltype(dp)>;
      const S* s = static_cast<const S*>(src.data) + src.offset;
      D* d = static_cast<D*>(dst.data) + dst.offset;
      const int64_t si = it.Last(ss), di = it.Last(ds), n = it.inner;
      ForRows(it, [&](int64_t r) {
        const S* sr = s + it.RowOffset(r, ss);
        D* dr = d + it.RowOffset(r, ds);
        if constexpr (std::is_same_v<S, D>) {
          if (si == 1 && di == 1) {
            std::memcpy(dr, sr, static_cast<size_t>(n) * sizeof(S));
            return;
          }
        }
        for (int64_t j = 0; j < n; ++j) dr[j * di] = Cast<D>(sr[j * si]);
      });
      return 0;
    });
    return 0;
  });
}

std::string BinaryStrided(int op, const Strided& a, const Strided& b, void* out, int out_type,
                          const std::vector<int64_t>& shape) {
  const Iter it(shape);
  const std::vector<int64_t> as = PadStrides(a.strides), bs = PadStrides(b.strides);
  const bool to_bool = (op >= kEq && op <= kNe) || (op >= kLogicalAnd && op <= kLogicalXor);
  std::string err;
  Dispatch(a.type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* pa = static_cast<const T*>(a.data) + a.offset;
    const T* pb = static_cast<const T*>(b.data) + b.offset;
    constexpr bool kInt = std::is_integral_v<T>;
    if constexpr (kInt) {
      if (op == kDiv || op == kFloorDivide || op == kRemainder || op == kPow) {
        // Checked serially up front: an error must not depend on thread scheduling.
        for (int64_t r = 0; r < it.rows && err.empty(); ++r) {
          const T* rb = pb + it.RowOffset(r, bs);
          const T* ra = pa + it.RowOffset(r, as);
          for (int64_t j = 0; j < it.inner; ++j) {
            const T vb = rb[j * it.Last(bs)];
            if (op != kPow && vb == 0) {
              err = "ZeroDivisionError: integer division by zero";
              break;
            }
            if (op == kPow && vb < 0 && !std::is_same_v<T, uint8_t>) {
              const T va = ra[j * it.Last(as)];
              if (va != 1 && va != T(-1)) {
                err = "Integers to negative integer powers are not allowed.";
                break;
              }
            }
          }
        }
        if (!err.empty()) return 0;
      }
    }
    const int64_t sa = it.Last(as), sb = it.Last(bs), n = it.inner;
    auto body = [&](auto* op_out) {
      using O = std::remove_pointer_t<decltype(op_out)>;
      O* po = static_cast<O*>(out);
      ForRows(it, [&](int64_t r) {
        const T* ra = pa + it.RowOffset(r, as);
        const T* rb = pb + it.RowOffset(r, bs);
        O* ro = po + r * n;
        for (int64_t j = 0; j < n; ++j) {
          const T x = ra[j * sa], y = rb[j * sb];
          O v;
          switch (op) {
            case kAdd: v = static_cast<O>(WrapAdd(x, y)); break;
            case kSub: v = static_cast<O>(WrapSub(x, y)); break;
            case kMul: v = static_cast<O>(WrapMul(x, y)); break;
            case kDiv:
              if constexpr (kInt)
                v = static_cast<O>(y == T(-1) ? WrapSub(T(0), x) : x / y);  // truncation
              else
                v = static_cast<O>(x / y);
              break;
            case kPow:
              if constexpr (kInt) {
                if (y < 0)
                  v = static_cast<O>(x == 1 ? 1 : ((y % 2) ? -1 : 1));
                else
                  v = static_cast<O>(IntPow<T>(x, y));
              } else
                v = static_cast<O>(std::pow(x, y));
              break;
            case kMaximum: v = static_cast<O>(IsNan(x) || IsNan(y) ? (IsNan(x) ? x : y) : (x > y ? x : y)); break;
            case kMinimum: v = static_cast<O>(IsNan(x) || IsNan(y) ? (IsNan(x) ? x : y) : (x < y ? x : y)); break;
            case kEq: v = static_cast<O>(x == y); break;
            case kGt: v = static_cast<O>(x > y); break;
            case kLt: v = static_cast<O>(x < y); break;
            case kGe: v = static_cast<O>(x >= y); break;
            case kLe: v = static_cast<O>(x <= y); break;
            case kNe: v = static_cast<O>(x != y); break;
            case kLogicalAnd: v = static_cast<O>((x != T(0)) && (y != T(0))); break;
            case kLogicalOr: v = static_cast<O>((x != T(0)) || (y != T(0))); break;
            case kLogicalXor: v = static_cast<O>((x != T(0)) != (y != T(0))); break;
            case kFloorDivide:
              if constexpr (kInt)
                v = static_cast<O>(y == T(-1) ? WrapSub(T(0), x) : FloorDiv<T>(x, y));
              else
                v = static_cast<O>(FloorDiv<T>(x, y));
              break;
            case kRemainder:
              if constexpr (kInt)
                v = static_cast<O>(y == T(-1) ? T(0) : Remainder<T>(x, y));
              else
                v = static_cast<O>(Remainder<T>(x, y));
              break;
            default: v = O(0);
          }
          ro[j] = v;
        }
      });
      return 0;
    };
    if (to_bool)
      body(static_cast<uint8_t*>(nullptr));
    else if (out_type == a.type)
      body(static_cast<T*>(nullptr));
    else
      err = "output type does not match the operands";
    return 0;
  });
  return err;
}

// Unary ops on int64 / bool / float32 data that have no SIMD kernel: one X(Enum, "name") line per op.
// A new op is its line here, its case in UnaryTyped below, and one declaration in
// lib/ops/unary-registry.ts.
// One entry per line; clang-format would re-flow this list differently on every run.
// clang-format off
#define TORCHLET_TYPED_UNARY_OPS(X) \
  X(Neg, "neg") \
  X(Abs, "abs") \
  X(Sign, "sign") \
  X(LogicalNot, "logicalNot") \
  X(Floor, "floor") \
  X(Ceil, "ceil") \
  X(Round, "round") \
  X(Trunc, "trunc") \
  X(Sin, "sin") \
  X(Cos, "cos") \
  X(Erf, "erf") \
  X(Log1p, "log1p") \
  X(Expm1, "expm1") \
  X(Rsqrt, "rsqrt") \
  X(Softplus, "softplus") \
  X(LogSigmoid, "logSigmoid") \
  X(IsNan, "isnan") \
  X(Erfinv, "erfinv") \
  X(Tan, "tan") \
  X(Atan, "atan")
// clang-format on

enum TypedUnaryOp : int {
#define TORCHLET_X(e, n) kT##e,
  TORCHLET_TYPED_UNARY_OPS(TORCHLET_X)
#undef TORCHLET_X
      kTypedUnaryCount
};
inline constexpr const char* kTypedUnaryNames[] = {
#define TORCHLET_X(e, n) n,
    TORCHLET_TYPED_UNARY_OPS(TORCHLET_X)
#undef TORCHLET_X
};
static_assert(sizeof(kTypedUnaryNames) / sizeof(kTypedUnaryNames[0]) == kTypedUnaryCount, "one name per op");
int TypedUnaryCount() { return kTypedUnaryCount; }
const char* TypedUnaryName(int op) { return op >= 0 && op < kTypedUnaryCount ? kTypedUnaryNames[op] : ""; }

std::string UnaryTyped(int op, const void* x, int x_type, void* y, int y_type, int64_t n) {
  std::string err;
  Dispatch(x_type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* px = static_cast<const T*>(x);
    if (op == kTLogicalNot || op == kTIsNan) {
      if (y_type != kU8) {
        err = "logical ops write bool";
        return 0;
      }
      uint8_t* py = static_cast<uint8_t*>(y);
      ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) py[i] = op == kTLogicalNot ? (px[i] == T(0)) : IsNan(px[i]);
      });
      return 0;
    }
    if (y_type != x_type) {
      err = "unary output type must match the input";
      return 0;
    }
    T* py = static_cast<T*>(y);
    if constexpr (std::is_integral_v<T>) {
      if (op != kTNeg && op != kTAbs && op != kTSign && op != kTFloor && op != kTCeil && op != kTRound &&
          op != kTTrunc) {
        err = "op needs a floating input";
        return 0;
      }
      ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const T v = px[i];
          switch (op) {
            case kTNeg: py[i] = WrapSub(T(0), v); break;
            case kTAbs: py[i] = v < T(0) ? WrapSub(T(0), v) : v; break;
            case kTSign: py[i] = static_cast<T>((v > T(0)) - (v < T(0))); break;
            default: py[i] = v;  // rounding is the identity on integers
          }
        }
      });
    } else {
      ParallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const T v = px[i];
          T r;
          switch (op) {
            case kTNeg: r = -v; break;
            case kTAbs: r = std::fabs(v); break;
            case kTSign: r = IsNan(v) ? v : static_cast<T>((v > 0) - (v < 0)); break;
            case kTFloor: r = std::floor(v); break;
            case kTCeil: r = std::ceil(v); break;
            case kTRound: r = std::nearbyint(v); break;  // half to even, as torch.round
            case kTTrunc: r = std::trunc(v); break;
            case kTSin: r = std::sin(v); break;
            case kTCos: r = std::cos(v); break;
            case kTTan: r = std::tan(v); break;
            case kTAtan: r = std::atan(v); break;
            case kTErf: r = std::erf(v); break;
            case kTLog1p: r = std::log1p(v); break;
            case kTExpm1: r = std::expm1(v); break;
            case kTRsqrt: r = T(1) / std::sqrt(v); break;
            case kTSoftplus: r = v > T(20) ? v : std::log1p(std::exp(v)); break;
            case kTLogSigmoid: r = std::min(v, T(0)) - std::log1p(std::exp(-std::fabs(v))); break;
            case kTErfinv: {
              // Giles' single-precision approximation refined by two Newton steps on erf.
              if (v <= T(-1) || v >= T(1)) {
                r = v == T(1) ? INFINITY : v == T(-1) ? -INFINITY : NAN;
                break;
              }
              double w = -std::log((1.0 - v) * (1.0 + v)), p;
              if (w < 5.0) {
                w -= 2.5;
                p = 2.81022636e-08;
                p = 3.43273939e-07 + p * w;
                p = -3.5233877e-06 + p * w;
                p = -4.39150654e-06 + p * w;
                p = 0.00021858087 + p * w;
                p = -0.00125372503 + p * w;
                p = -0.00417768164 + p * w;
                p = 0.246640727 + p * w;
                p = 1.50140941 + p * w;
              } else {
                w = std::sqrt(w) - 3.0;
                p = -0.000200214257;
                p = 0.000100950558 + p * w;
                p = 0.00134934322 + p * w;
                p = -0.00367342844 + p * w;
                p = 0.00573950773 + p * w;
                p = -0.0076224613 + p * w;
                p = 0.00943887047 + p * w;
                p = 1.00167406 + p * w;
                p = 2.83297682 + p * w;
              }
              double z = p * v;
              for (int k = 0; k < 2; ++k) z -= (std::erf(z) - v) / (2.0 / std::sqrt(M_PI) * std::exp(-z * z));
              r = static_cast<T>(z);
              break;
            }
            default: r = v;
          }
          py[i] = r;
        }
      });
    }
    return 0;
  });
  return err;
}

void ReduceTyped(int op, const void* x, int x_type, int64_t outer, int64_t n, int64_t inner, void* y, int y_type) {
  Dispatch(x_type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* px = static_cast<const T*>(x);
    Dispatch(y_type, [&](auto* op_out) {
      using O = std::remove_pointer_t<decltype(op_out)>;
      O* py = static_cast<O*>(y);
      using Acc = std::conditional_t<std::is_floating_point_v<O>, double, O>;
      ParallelFor(outer * inner, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi) {
        for (int64_t k = lo; k < hi; ++k) {
          const int64_t o = k / inner, i = k % inner;
          const T* row = px + o * n * inner + i;
          Acc acc;
          switch (op) {
            case kRSum: {
              acc = 0;
              for (int64_t j = 0; j < n; ++j) acc = WrapAdd<Acc>(acc, static_cast<Acc>(row[j * inner]));
              break;
            }
            case kRProd: {
              acc = 1;
              for (int64_t j = 0; j < n; ++j) acc = WrapMul<Acc>(acc, static_cast<Acc>(row[j * inner]));
              break;
            }
            case kRMax:
            case kRMin: {
              T best = row[0];
              for (int64_t j = 1; j < n && !IsNan(best); ++j) {
                const T v = row[j * inner];
                if (IsNan(v) || (op == kRMax ? v > best : v < best)) best = v;
              }
              acc = static_cast<Acc>(best);
              break;
            }
            case kRAny: {
              acc = 0;
              for (int64_t j = 0; j < n; ++j)
                if (row[j * inner] != T(0)) {
                  acc = 1;
                  break;
                }
              break;
            }
            default: {  // all
              acc = 1;
              for (int64_t j = 0; j < n; ++j)
                if (row[j * inner] == T(0)) {
                  acc = 0;
                  break;
                }
            }
          }
          py[k] = static_cast<O>(acc);
        }
      });
      return 0;
    });
    return 0;
  });
}

void CumulativeTyped(bool prod, const void* x, int type, int64_t outer, int64_t n, int64_t inner, void* y) {
  Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* px = static_cast<const T*>(x);
    T* py = static_cast<T*>(y);
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
    ParallelFor(outer * inner, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k) {
        const int64_t o = k / inner, i = k % inner, base = o * n * inner + i;
        Acc acc = prod ? 1 : 0;
        for (int64_t j = 0; j < n; ++j) {
          acc = prod ? WrapMul<Acc>(acc, static_cast<Acc>(px[base + j * inner]))
                     : WrapAdd<Acc>(acc, static_cast<Acc>(px[base + j * inner]));
          py[base + j * inner] = static_cast<T>(acc);
        }
      }
    });
    return 0;
  });
}

void SortTyped(const void* x, int type, int64_t outer, int64_t n, int64_t inner, bool descending, bool stable,
               void* values, int64_t* indices) {
  Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* px = static_cast<const T*>(x);
    T* pv = static_cast<T*>(values);
    ParallelFor(outer * inner, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n * 8)), [&](int64_t lo, int64_t hi) {
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t k = lo; k < hi; ++k) {
        const int64_t o = k / inner, i = k % inner, base = o * n * inner + i;
        std::iota(order.begin(), order.end(), int64_t{0});
        auto at = [&](int64_t j) { return px[base + j * inner]; };
        // NaN is the largest value (PyTorch's sort order).
        auto less = [&](int64_t a, int64_t b) {
          const T va = at(a), vb = at(b);
          if (IsNan(va)) return false;
          if (IsNan(vb)) return true;
          return va < vb;
        };
        auto cmp = [&](int64_t a, int64_t b) { return descending ? less(b, a) : less(a, b); };
        if (stable)
          std::stable_sort(order.begin(), order.end(), cmp);
        else
          std::sort(order.begin(), order.end(), cmp);
        for (int64_t j = 0; j < n; ++j) {
          pv[base + j * inner] = at(order[j]);
          indices[base + j * inner] = order[j];
        }
      }
    });
    return 0;
  });
}

std::string IndexOffsets(const std::vector<const int64_t*>& idx, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, int64_t base, int64_t count, int64_t* offsets) {
  for (int64_t r = 0; r < count; ++r) {
    int64_t off = base;
    for (size_t k = 0; k < idx.size(); ++k) {
      int64_t v = idx[k][r];
      if (v < -sizes[k] || v >= sizes[k])
        return "index " + std::to_string(v) + " is out of bounds for dimension with size " + std::to_string(sizes[k]);
      if (v < 0) v += sizes[k];
      off += v * strides[k];
    }
    offsets[r] = off;
  }
  return "";
}

void GatherRows(const void* src, int type, const int64_t* offsets, int64_t count,
                const std::vector<int64_t>& rest_shape, const std::vector<int64_t>& rest_strides, void* out) {
  const size_t es = ElemSize(type);
  int64_t rest_n = 1;
  for (int64_t s : rest_shape) rest_n *= s;
  std::vector<int64_t> shape{count};
  shape.insert(shape.end(), rest_shape.begin(), rest_shape.end());
  // The gathered rows are a strided copy with a per-row base: do it row by row.
  Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    (void)es;
    const T* ps = static_cast<const T*>(src);
    T* po = static_cast<T*>(out);
    const Iter it(rest_shape);
    const std::vector<int64_t> rs = PadStrides(rest_strides);
    ParallelFor(count, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, rest_n)), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* s = ps + offsets[r];
        T* o = po + r * rest_n;
        for (int64_t row = 0; row < it.rows; ++row) {
          const T* sr = s + it.RowOffset(row, rs);
          const int64_t si = it.Last(rs);
          for (int64_t j = 0; j < it.inner; ++j) o[row * it.inner + j] = sr[j * si];
        }
      }
    });
    return 0;
  });
}

void ScatterRows(void* dst, int type, const int64_t* offsets, int64_t count, const std::vector<int64_t>& rest_shape,
                 const std::vector<int64_t>& rest_strides, const Strided& src, bool accumulate) {
  // Serial: two rows may name the same destination (repeated indices), and accumulate must see each.
  Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    T* pd = static_cast<T*>(dst);
    const T* ps = static_cast<const T*>(src.data) + src.offset;
    const Iter it(rest_shape);
    const std::vector<int64_t> rs = PadStrides(rest_strides);
    // src strides: [row stride, rest strides...]
    const int64_t s_row = src.strides.empty() ? 0 : src.strides[0];
    std::vector<int64_t> s_rest(src.strides.begin() + (src.strides.empty() ? 0 : 1), src.strides.end());
    s_rest = PadStrides(s_rest);
    for (int64_t r = 0; r < count; ++r) {
      T* d = pd + offsets[r];
      const T* s = ps + r * s_row;
      for (int64_t row = 0; row < it.rows; ++row) {
        T* dr = d + it.RowOffset(row, rs);
        const T* sr = s + it.RowOffset(row, s_rest);
        const int64_t di = it.Last(rs), si = it.Last(s_rest);
        for (int64_t j = 0; j < it.inner; ++j) {
          if (accumulate)
            dr[j * di] = WrapAdd<T>(dr[j * di], sr[j * si]);
          else
            dr[j * di] = sr[j * si];
        }
      }
    }
    return 0;
  });
}

namespace {
// Walks every position of idx_shape, giving the flat offset into a contiguous tensor of `shape` with the
// coordinate along `dim` replaced by the index value.
template <typename F>
std::string ForIndexed(const std::vector<int64_t>& shape, int dim, const int64_t* idx,
                       const std::vector<int64_t>& idx_shape, F&& fn) {
  const size_t nd = idx_shape.size();
  int64_t total = 1;
  for (int64_t s : idx_shape) total *= s;
  std::vector<int64_t> stride(nd, 1);
  for (size_t d = nd; d-- > 1;) stride[d - 1] = stride[d] * shape[d];
  std::vector<int64_t> coord(nd, 0);
  for (int64_t p = 0; p < total; ++p) {
    int64_t v = idx[p];
    const int64_t size = shape[dim];
    if (v < -size || v >= size)
      return "index " + std::to_string(v) + " is out of bounds for dimension " + std::to_string(dim) + " with size " +
             std::to_string(size);
    if (v < 0) v += size;
    int64_t off = 0;
    for (size_t d = 0; d < nd; ++d) off += (static_cast<int>(d) == dim ? v : coord[d]) * stride[d];
    fn(p, off, coord);
    for (size_t d = nd; d-- > 0;) {
      if (++coord[d] < idx_shape[d]) break;
      coord[d] = 0;
    }
  }
  return "";
}
}  // namespace

std::string GatherDim(const void* x, int type, const std::vector<int64_t>& x_shape, int dim, const int64_t* idx,
                      const std::vector<int64_t>& idx_shape, void* out) {
  return Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const T* px = static_cast<const T*>(x);
    T* po = static_cast<T*>(out);
    return ForIndexed(x_shape, dim, idx, idx_shape,
                      [&](int64_t p, int64_t off, const std::vector<int64_t>&) { po[p] = px[off]; });
  });
}

std::string ScatterDim(void* dst, int type, const std::vector<int64_t>& dst_shape, int dim, const int64_t* idx,
                       const std::vector<int64_t>& idx_shape, const void* src, const std::vector<int64_t>& src_shape,
                       double value, bool accumulate) {
  // Validate every index before writing anything, so a bad index leaves dst untouched.
  std::string err = ForIndexed(dst_shape, dim, idx, idx_shape, [](int64_t, int64_t, const std::vector<int64_t>&) {});
  if (!err.empty()) return err;
  return Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    T* pd = static_cast<T*>(dst);
    const T* ps = static_cast<const T*>(src);
    const size_t nd = src_shape.size();
    std::vector<int64_t> sst(nd, 1);
    for (size_t d = nd; d-- > 1;) sst[d - 1] = sst[d] * src_shape[d];
    const T v = static_cast<T>(value);
    return ForIndexed(dst_shape, dim, idx, idx_shape, [&](int64_t, int64_t off, const std::vector<int64_t>& coord) {
      T s = v;
      if (ps) {
        int64_t so = 0;
        for (size_t d = 0; d < nd; ++d) so += coord[d] * sst[d];
        s = ps[so];
      }
      pd[off] = accumulate ? WrapAdd<T>(pd[off], s) : s;
    });
  });
}

void WhereStrided(const Strided& cond, const Strided& a, const Strided& b, void* out, int type,
                  const std::vector<int64_t>& shape) {
  const Iter it(shape);
  const std::vector<int64_t> cs = PadStrides(cond.strides), as = PadStrides(a.strides), bs = PadStrides(b.strides);
  Dispatch(type, [&](auto* tp) {
    using T = std::remove_pointer_t<decltype(tp)>;
    const uint8_t* pc = static_cast<const uint8_t*>(cond.data) + cond.offset;
    const T* pa = static_cast<const T*>(a.data) + a.offset;
    const T* pb = static_cast<const T*>(b.data) + b.offset;
    T* po = static_cast<T*>(out);
    const int64_t sc = it.Last(cs), sa = it.Last(as), sb = it.Last(bs);
    ForRows(it, [&](int64_t r) {
      const uint8_t* rc = pc + it.RowOffset(r, cs);
      const T* ra = pa + it.RowOffset(r, as);
      const T* rb = pb + it.RowOffset(r, bs);
      T* ro = po + r * it.inner;
      for (int64_t j = 0; j < it.inner; ++j) ro[j] = rc[j * sc] ? ra[j * sa] : rb[j * sb];
    });
    return 0;
  });
}

int64_t CountNonzero(const uint8_t* x, int64_t n) {
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) c += x[i] != 0;
  return c;
}

void Nonzero(const uint8_t* x, int64_t n, int64_t* out) {
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i)
    if (x[i]) out[c++] = i;
}

}  // namespace torchlet
