// Dtype-generic and strided tensor ops (core/strided.h): casts and strided copies, int64/bool
// elementwise ops and reductions, sort, indexing. Every strided operand is checked here: each
// element it can reach must lie inside its buffer.
#include <napi.h>

#include "binding/args.h"
#include "core/ops.h"
#include "core/elementwise.h"
#include "core/strided.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;

struct Typed {
  void* data = nullptr;
  int64_t length = 0;
  int type = kF32;
};

Typed ArgTyped(const Info& info, size_t i, const char* op, const char* name, bool nullable = false) {
  Napi::Value v = info[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) return Typed{};
  napi_typedarray_type t;
  napi_value buffer;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  if (!v.IsTypedArray() || napi_get_typedarray_info(info.Env(), v, &t, &length, &data, &buffer, &offset) != napi_ok)
    throw Napi::TypeError::New(info.Env(), std::string("torchlet.") + op + ": " + name + " must be a typed array");
  int type;
  switch (t) {
    case napi_float32_array: type = kF32; break;
    case napi_bigint64_array: type = kI64; break;
    case napi_uint8_array: type = kU8; break;
    case napi_int32_array: type = kI32; break;
    case napi_float64_array: type = kF64; break;
    default:
      throw Napi::TypeError::New(info.Env(),
                                 std::string("torchlet.") + op + ": " + name +
                                     " must be a Float32Array, BigInt64Array, Uint8Array, Int32Array or Float64Array");
  }
  return Typed{data, static_cast<int64_t>(length), type};
}

Typed ArgTypedOf(const Info& info, size_t i, const char* op, const char* name, int want) {
  Typed t = ArgTyped(info, i, op, name);
  static const char* kNames[] = {"Float32Array", "BigInt64Array", "Uint8Array", "Int32Array", "Float64Array"};
  if (t.type != want) Fail(info.Env(), op, std::string(name) + " must be a " + kNames[want]);
  return t;
}

// Checks that every element of `shape` at (offset, strides) lies inside t (strides >= 0).
void CheckStrided(Napi::Env env, const char* op, const char* name, const Typed& t, int64_t offset, const Shape& strides,
                  const Shape& shape) {
  Require(env, strides.size() == shape.size(), op, std::string(name) + ": one stride per dim expected");
  const int64_t n = Numel(env, op, shape);
  if (n == 0) return;
  double last = static_cast<double>(offset);
  for (size_t d = 0; d < shape.size(); ++d) last += static_cast<double>(shape[d] - 1) * static_cast<double>(strides[d]);
  Require(env, offset >= 0 && last < kMaxElements, op, std::string(name) + ": offset or strides are too large");
  Require(env, static_cast<int64_t>(last) < t.length, op,
          std::string(name) + ": view reaches element " + std::to_string(static_cast<int64_t>(last)) +
              " of a buffer of " + std::to_string(t.length));
}

Strided MakeStrided(const Typed& t, int64_t offset, const Shape& strides) {
  Strided s;
  s.data = t.data;
  s.type = t.type;
  s.offset = offset;
  s.strides = strides;
  return s;
}

// Strides are non-negative integers like shapes (ArgShape checks that).
Strided ArgStrided(const Info& info, size_t i, const char* op, const char* name, const Shape& shape,
                   Typed* typed = nullptr) {
  Typed t = ArgTyped(info, i, op, name);
  const int64_t off = ArgInt(info, i + 1, op, "offset", 0);
  Shape st = ArgShape(info, i + 2, op, "strides");
  CheckStrided(info.Env(), op, name, t, off, st, shape);
  if (typed) *typed = t;
  return MakeStrided(t, off, st);
}

// copyStrided(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape)
Napi::Value CopyStridedJs(const Info& info) {
  const char* op = "copyStrided";
  Shape shape = ArgShape(info, 6, op, "shape");
  Strided src = ArgStrided(info, 0, op, "src", shape);
  Strided dst = ArgStrided(info, 3, op, "dst", shape);
  if (Numel(info.Env(), op, shape) > 0) CopyStrided(src, dst, shape);
  return info.Env().Undefined();
}

// binaryStrided(op, a, aOffset, aStrides, b, bOffset, bStrides, out, shape)
Napi::Value BinaryStridedJs(const Info& info) {
  const char* op = "binaryStrided";
  Napi::Env env = info.Env();
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kTypedBinaryCount - 1));
  Shape shape = ArgShape(info, 8, op, "shape");
  Strided a = ArgStrided(info, 1, op, "a", shape);
  Strided b = ArgStrided(info, 4, op, "b", shape);
  Require(env, a.type == b.type, op, "a and b must have the same element type");
  Typed out = ArgTyped(info, 7, op, "out");
  RequireLen(env, op, "out", out.length, Numel(env, op, shape));
  if (out.length == 0) return env.Undefined();
  const std::string err = BinaryStrided(code, a, b, out.data, out.type, shape);
  if (!err.empty()) Fail(env, op, err);
  return env.Undefined();
}

// unaryTyped(op, x, y)
Napi::Value UnaryTypedJs(const Info& info) {
  const char* op = "unaryTyped";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, TypedUnaryCount() - 1));
  Typed x = ArgTyped(info, 1, op, "x"), y = ArgTyped(info, 2, op, "out");
  RequireLen(info.Env(), op, "out", y.length, x.length);
  if (x.length == 0) return info.Env().Undefined();
  const std::string err = UnaryTyped(code, x.data, x.type, y.data, y.type, x.length);
  if (!err.empty()) Fail(info.Env(), op, err);
  return info.Env().Undefined();
}

struct Axis3 {
  int64_t outer, n, inner;
};
Axis3 ArgAxis3(const Info& info, size_t i, const char* op, int64_t have) {
  Axis3 a{ArgInt(info, i, op, "outer", 0), ArgInt(info, i + 1, op, "n", 0), ArgInt(info, i + 2, op, "inner", 0)};
  RequireLen(info.Env(), op, "x", have, Vol(info.Env(), op, {a.outer, a.n, a.inner}));
  return a;
}

// reduceTyped(op, x, outer, n, inner, out)
Napi::Value ReduceTypedJs(const Info& info) {
  const char* op = "reduceTyped";
  Napi::Env env = info.Env();
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kTypedReduceCount - 1));
  Typed x = ArgTyped(info, 1, op, "x");
  Axis3 ax = ArgAxis3(info, 2, op, x.length);
  Typed y = ArgTyped(info, 5, op, "out");
  RequireLen(env, op, "out", y.length, Vol(env, op, {ax.outer, ax.inner}));
  Require(env, ax.n > 0 || (code != kRMax && code != kRMin), op, "cannot reduce over an empty dimension");
  if (y.length) ReduceTyped(code, x.data, x.type, ax.outer, ax.n, ax.inner, y.data, y.type);
  return env.Undefined();
}

// cumulative(prod, x, outer, n, inner, out)
Napi::Value CumulativeJs(const Info& info) {
  const char* op = "cumulative";
  const bool prod = ArgBool(info, 0);
  Typed x = ArgTyped(info, 1, op, "x");
  Axis3 ax = ArgAxis3(info, 2, op, x.length);
  Typed y = ArgTyped(info, 5, op, "out");
  Require(info.Env(), x.type == y.type && (x.type == kF32 || x.type == kI64), op,
          "x and out must both be float32 or int64");
  RequireLen(info.Env(), op, "out", y.length, x.length);
  if (x.length) CumulativeTyped(prod, x.data, x.type, ax.outer, ax.n, ax.inner, y.data);
  return info.Env().Undefined();
}

// sort(x, outer, n, inner, descending, stable, values, indices)
Napi::Value SortJs(const Info& info) {
  const char* op = "sort";
  Typed x = ArgTyped(info, 0, op, "x");
  Axis3 ax = ArgAxis3(info, 1, op, x.length);
  Typed v = ArgTyped(info, 6, op, "values");
  Typed idx = ArgTypedOf(info, 7, op, "indices", kI64);
  Require(info.Env(), v.type == x.type, op, "values must have x's element type");
  RequireLen(info.Env(), op, "values", v.length, x.length);
  RequireLen(info.Env(), op, "indices", idx.length, x.length);
  if (x.length)
    SortTyped(x.data, x.type, ax.outer, ax.n, ax.inner, ArgBool(info, 4), ArgBool(info, 5), v.data,
              static_cast<int64_t*>(idx.data));
  return info.Env().Undefined();
}

// indexOffsets(indices: BigInt64Array[], sizes, strides, base, out: BigInt64Array)
Napi::Value IndexOffsetsJs(const Info& info) {
  const char* op = "index";
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "torchlet.index: indices must be an array");
  auto arr = info[0].As<Napi::Array>();
  Shape sizes = ArgShape(info, 1, op, "sizes"), strides = ArgShape(info, 2, op, "strides");
  const int64_t base = ArgInt(info, 3, op, "base", 0);
  Typed out = ArgTypedOf(info, 4, op, "out", kI64);
  Require(env, sizes.size() == arr.Length() && strides.size() == arr.Length(), op, "one size and stride per index");
  std::vector<Typed> keep(arr.Length());
  std::vector<const int64_t*> ptrs(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value e = arr.Get(k);
    napi_typedarray_type t;
    napi_value buffer;
    size_t length = 0, offset = 0;
    void* data = nullptr;
    if (!e.IsTypedArray() || napi_get_typedarray_info(env, e, &t, &length, &data, &buffer, &offset) != napi_ok ||
        t != napi_bigint64_array)
      throw Napi::TypeError::New(env, "torchlet.index: each index must be a BigInt64Array");
    RequireLen(env, op, "index", static_cast<int64_t>(length), out.length);
    ptrs[k] = static_cast<const int64_t*>(data);
    Vol(env, op, {sizes[k], strides[k]});
  }
  if (out.length == 0) return env.Undefined();
  const std::string err = IndexOffsets(ptrs, sizes, strides, base, out.length, static_cast<int64_t*>(out.data));
  if (!err.empty()) throw Napi::RangeError::New(env, "index: " + err);
  return env.Undefined();
}

// Checks every row offset plus the rest span stays inside a buffer of `length`.
void CheckRows(Napi::Env env, const char* op, const Typed& buf, const Typed& offsets, const Shape& rest_shape,
               const Shape& rest_strides) {
  Require(env, rest_shape.size() == rest_strides.size(), op, "one stride per rest dim expected");
  const int64_t rest_n = Numel(env, op, rest_shape);
  if (rest_n == 0 || offsets.length == 0) return;
  double span = 0;
  for (size_t d = 0; d < rest_shape.size(); ++d)
    span += static_cast<double>(rest_shape[d] - 1) * static_cast<double>(rest_strides[d]);
  Require(env, span < kMaxElements, op, "rest strides are too large");
  const int64_t* off = static_cast<const int64_t*>(offsets.data);
  for (int64_t r = 0; r < offsets.length; ++r)
    Require(env, off[r] >= 0 && static_cast<double>(off[r]) + span < static_cast<double>(buf.length), op,
            "row offset " + std::to_string(off[r]) + " is outside the buffer");
}

// indexGather(src, offsets, restShape, restStrides, out)
Napi::Value GatherRowsJs(const Info& info) {
  const char* op = "gatherRows";
  Napi::Env env = info.Env();
  Typed src = ArgTyped(info, 0, op, "src");
  Typed offs = ArgTypedOf(info, 1, op, "offsets", kI64);
  Shape rs = ArgShape(info, 2, op, "restShape"), rst = ArgShape(info, 3, op, "restStrides");
  Typed out = ArgTyped(info, 4, op, "out");
  Require(env, out.type == src.type, op, "out must have src's element type");
  CheckRows(env, op, src, offs, rs, rst);
  RequireLen(env, op, "out", out.length, Vol(env, op, {offs.length, Numel(env, op, rs)}));
  if (out.length)
    GatherRows(src.data, src.type, static_cast<const int64_t*>(offs.data), offs.length, rs, rst, out.data);
  return env.Undefined();
}

// indexScatter(dst, offsets, restShape, restStrides, src, srcOffset, srcStrides, accumulate)
Napi::Value ScatterRowsJs(const Info& info) {
  const char* op = "scatterRows";
  Napi::Env env = info.Env();
  Typed dst = ArgTyped(info, 0, op, "dst");
  Typed offs = ArgTypedOf(info, 1, op, "offsets", kI64);
  Shape rs = ArgShape(info, 2, op, "restShape"), rst = ArgShape(info, 3, op, "restStrides");
  CheckRows(env, op, dst, offs, rs, rst);
  Shape full{offs.length};
  full.insert(full.end(), rs.begin(), rs.end());
  Strided src = ArgStrided(info, 4, op, "src", full);
  Require(env, src.type == dst.type, op, "src must have dst's element type");
  if (Numel(env, op, full) > 0)
    ScatterRows(dst.data, dst.type, static_cast<const int64_t*>(offs.data), offs.length, rs, rst, src,
                ArgBool(info, 7));
  return env.Undefined();
}

// Checks idx_shape fits shape except along dim (torch.gather/scatter's rule).
void CheckIndexShape(Napi::Env env, const char* op, const Shape& shape, int64_t dim, const Shape& idx_shape) {
  Require(env, idx_shape.size() == shape.size(), op, "index must have as many dims as the tensor");
  Require(env, dim >= 0 && dim < static_cast<int64_t>(shape.size()), op, "dim out of range");
  for (size_t d = 0; d < shape.size(); ++d)
    Require(env, static_cast<int64_t>(d) == dim || idx_shape[d] <= shape[d], op,
            "index " + ShapeStr(idx_shape) + " is larger than " + ShapeStr(shape) + " at dim " + std::to_string(d));
}

// gatherDim(x, xShape, dim, idx, idxShape, out)
Napi::Value GatherDimJs(const Info& info) {
  const char* op = "gather";
  Napi::Env env = info.Env();
  Typed x = ArgTyped(info, 0, op, "x");
  Shape xs = ArgShape(info, 1, op, "xShape");
  const int64_t dim = ArgInt(info, 2, op, "dim", 0, 64);
  Typed idx = ArgTypedOf(info, 3, op, "index", kI64);
  Shape is = ArgShape(info, 4, op, "indexShape");
  Typed out = ArgTyped(info, 5, op, "out");
  RequireLen(env, op, "x", x.length, Numel(env, op, xs));
  RequireLen(env, op, "index", idx.length, Numel(env, op, is));
  RequireLen(env, op, "out", out.length, idx.length);
  Require(env, out.type == x.type, op, "out must have x's element type");
  CheckIndexShape(env, op, xs, dim, is);
  if (idx.length == 0) return env.Undefined();
  const std::string err =
      GatherDim(x.data, x.type, xs, static_cast<int>(dim), static_cast<const int64_t*>(idx.data), is, out.data);
  if (!err.empty()) throw Napi::RangeError::New(env, std::string(op) + ": " + err);
  return env.Undefined();
}

// scatterDim(dst, dstShape, dim, idx, idxShape, src | null, srcShape, value, accumulate)
Napi::Value ScatterDimJs(const Info& info) {
  const char* op = "scatter";
  Napi::Env env = info.Env();
  Typed dst = ArgTyped(info, 0, op, "dst");
  Shape ds = ArgShape(info, 1, op, "dstShape");
  const int64_t dim = ArgInt(info, 2, op, "dim", 0, 64);
  Typed idx = ArgTypedOf(info, 3, op, "index", kI64);
  Shape is = ArgShape(info, 4, op, "indexShape");
  Typed src = ArgTyped(info, 5, op, "src", true);
  Shape ss = ArgShape(info, 6, op, "srcShape");
  const double value = ArgNumber(info, 7, op, "value");
  RequireLen(env, op, "dst", dst.length, Numel(env, op, ds));
  RequireLen(env, op, "index", idx.length, Numel(env, op, is));
  CheckIndexShape(env, op, ds, dim, is);
  if (src.data) {
    Require(env, src.type == dst.type, op, "src must have dst's element type");
    RequireLen(env, op, "src", src.length, Numel(env, op, ss));
    Require(env, ss.size() == is.size(), op, "src must have as many dims as index");
    for (size_t d = 0; d < is.size(); ++d)
      Require(env, is[d] <= ss[d], op, "index is larger than src at dim " + std::to_string(d));
  }
  if (idx.length == 0) return env.Undefined();
  const std::string err = ScatterDim(dst.data, dst.type, ds, static_cast<int>(dim),
                                     static_cast<const int64_t*>(idx.data), is, src.data, ss, value, ArgBool(info, 8));
  if (!err.empty()) throw Napi::RangeError::New(env, std::string(op) + ": " + err);
  return env.Undefined();
}

// where(cond, cOffset, cStrides, a, aOffset, aStrides, b, bOffset, bStrides, out, shape)
Napi::Value WhereJs(const Info& info) {
  const char* op = "where";
  Napi::Env env = info.Env();
  Shape shape = ArgShape(info, 10, op, "shape");
  Strided c = ArgStrided(info, 0, op, "condition", shape);
  Strided a = ArgStrided(info, 3, op, "input", shape);
  Strided b = ArgStrided(info, 6, op, "other", shape);
  Typed out = ArgTyped(info, 9, op, "out");
  Require(env, c.type == kU8, op, "condition must be a Uint8Array (bool)");
  Require(env, a.type == b.type && out.type == a.type, op, "input, other and out must share an element type");
  RequireLen(env, op, "out", out.length, Numel(env, op, shape));
  if (out.length) WhereStrided(c, a, b, out.data, out.type, shape);
  return env.Undefined();
}

Napi::Value CountNonzeroJs(const Info& info) {
  Typed x = ArgTypedOf(info, 0, "nonzero", "x", kU8);
  return Napi::Number::New(info.Env(),
                           static_cast<double>(CountNonzero(static_cast<const uint8_t*>(x.data), x.length)));
}

// nonzero(x: Uint8Array, out: BigInt64Array of countNonzero(x) flat indices)
Napi::Value NonzeroJs(const Info& info) {
  const char* op = "nonzero";
  Typed x = ArgTypedOf(info, 0, op, "x", kU8);
  Typed out = ArgTypedOf(info, 1, op, "out", kI64);
  const uint8_t* px = static_cast<const uint8_t*>(x.data);
  RequireLen(info.Env(), op, "out", out.length, CountNonzero(px, x.length));
  if (out.length) Nonzero(px, x.length, static_cast<int64_t*>(out.data));
  return info.Env().Undefined();
}

}  // namespace

void RegisterDtypeOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"copyStrided", CopyStridedJs},   {"binaryStrided", BinaryStridedJs},
      {"unaryTyped", UnaryTypedJs},     {"reduceTyped", ReduceTypedJs},
      {"cumulative", CumulativeJs},     {"sort", SortJs},
      {"indexOffsets", IndexOffsetsJs}, {"indexGather", GatherRowsJs},
      {"indexScatter", ScatterRowsJs},  {"gatherDim", GatherDimJs},
      {"scatterDim", ScatterDimJs},     {"where", WhereJs},
      {"countNonzero", CountNonzeroJs}, {"nonzero", NonzeroJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
  const int count = TypedUnaryCount();
  Napi::Array names = Napi::Array::New(env, count);
  for (int i = 0; i < count; ++i) names.Set(static_cast<uint32_t>(i), Napi::String::New(env, TypedUnaryName(i)));
  exports.Set("typedUnaryOps", names);
}

}  // namespace torchlet
