// Argument unpacking for the N-API boundary. The TS layer validates first and gives users the
// friendly message; these checks are the last line that keeps a bad call from touching memory it
// does not own. Every failure throws a JS error naming the op and the argument.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace torchlet {

struct F32 {
  float* data = nullptr;
  int64_t length = 0;
};

struct I32 {
  int32_t* data = nullptr;
  int64_t length = 0;
};

[[noreturn]] inline void Fail(Napi::Env env, const char* op, const std::string& msg) {
  throw Napi::RangeError::New(env, std::string("torchlet.") + op + ": " + msg);
}

inline void Require(Napi::Env env, bool ok, const char* op, const std::string& msg) {
  if (!ok) Fail(env, op, msg);
}

// One napi_get_typedarray_info call per array: these run on every op, so each N-API round trip counts.
inline bool TypedArrayInfo(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want, void** data,
                           size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, length, data, &buffer, &offset) != napi_ok) return false;
  return type == want;
}

inline F32 ArgF32(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, bool nullable = false) {
  Napi::Value v = info[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) return F32{};
  void* data = nullptr;
  size_t length = 0;
  if (!TypedArrayInfo(info, i, napi_float32_array, &data, &length))
    throw Napi::TypeError::New(info.Env(), std::string("torchlet.") + op + ": " + name + " must be a Float32Array");
  // A disposed (detached) array reads as length 0 with no data, so nothing is ever read through it.
  return F32{static_cast<float*>(data), static_cast<int64_t>(length)};
}

inline I32 ArgI32(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, bool nullable = false) {
  Napi::Value v = info[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) return I32{};
  void* data = nullptr;
  size_t length = 0;
  if (!TypedArrayInfo(info, i, napi_int32_array, &data, &length))
    throw Napi::TypeError::New(info.Env(), std::string("torchlet.") + op + ": " + name + " must be an Int32Array");
  return I32{static_cast<int32_t*>(data), static_cast<int64_t>(length)};
}

// A double as JS would print it (std::to_string turns 1e300 into 300 digits and NaN into "nan").
inline std::string NumStr(double d) {
  if (d != d) return "NaN";
  if (d == HUGE_VAL || d == -HUGE_VAL) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::trunc(d) && d > -1e16 && d < 1e16) return std::to_string(static_cast<int64_t>(d));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

inline double ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  double d;
  if (napi_get_value_double(info.Env(), info[i], &d) != napi_ok)
    throw Napi::TypeError::New(info.Env(), std::string("torchlet.") + op + ": " + name + " must be a number");
  return d;
}

// Every integer that crosses the boundary (sizes, strides, offsets, counts) is bounded by
// kMaxInt = 2^50 whatever range the caller asks for. Far above any real buffer, this keeps sums and
// products of a few of them far from int64 overflow, so an offset near 2^63 can never wrap negative
// inside `offset + cols` and pass a length check (issue 14, copy2d). The range is checked in double
// before the cast: converting NaN or a double outside int64 is undefined behaviour.
constexpr int64_t kMaxInt = int64_t{1} << 50;

inline int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, int64_t lo = -kMaxInt,
                      int64_t hi = kMaxInt) {
  const double d = ArgNumber(info, i, op, name);
  if (lo < -kMaxInt) lo = -kMaxInt;
  if (hi >= kMaxInt) {
    hi = kMaxInt;
    if (d > static_cast<double>(kMaxInt))
      Fail(info.Env(), op, std::string(name) + " is too large: at most 2^50, got " + NumStr(d));
  }
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::trunc(d))
    Fail(info.Env(), op,
         std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
             NumStr(d));
  return static_cast<int64_t>(d);
}

inline bool ArgBool(const Napi::CallbackInfo& info, size_t i) {
  bool b;
  if (napi_get_value_bool(info.Env(), info[i], &b) == napi_ok) return b;
  return info[i].ToBoolean().Value();
}

// A shape: a JS array of non-negative integers, each at most kMaxInt.
inline std::vector<int64_t> ArgShape(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  if (!info[i].IsArray())
    throw Napi::TypeError::New(info.Env(), std::string("torchlet.") + op + ": " + name + " must be an array");
  auto arr = info[i].As<Napi::Array>();
  const uint32_t len = arr.Length();
  // No tensor has more dims than this; a huge array would only make the loops below slow.
  if (len > 64)
    Fail(info.Env(), op, std::string(name) + " has " + std::to_string(len) + " dims, at most 64 are supported");
  std::vector<int64_t> out(len);
  for (uint32_t k = 0; k < len; ++k) {
    Napi::Value e = arr.Get(k);
    const double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= static_cast<double>(kMaxInt)) || d != std::trunc(d))
      Fail(info.Env(), op, std::string(name) + "[" + std::to_string(k) + "] must be a non-negative integer");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

// Size arithmetic for length checks. A product of sizes that wrapped around int64 could pass a
// length check and send a kernel far outside its buffers, so every product is checked first (in
// double, against 2^50, far above any buffer a Float32Array can hold) and only then computed.
constexpr double kMaxElements = static_cast<double>(int64_t{1} << 50);

inline int64_t Vol(Napi::Env env, const char* op, std::initializer_list<int64_t> xs) {
  double d = 1;
  int64_t p = 1;
  for (int64_t x : xs) {
    d *= static_cast<double>(x);
    if (x < 0 || d > kMaxElements) Fail(env, op, "sizes are too large: their product exceeds 2^50 elements");
    p *= x;
  }
  return p;
}

// Elements spanned by `count` items `stride` apart, each `item` long: (count - 1) * stride + item.
inline int64_t Span(Napi::Env env, const char* op, int64_t count, int64_t stride, int64_t item) {
  if (count <= 0) return 0;
  const int64_t head = Vol(env, op, {count - 1, stride});
  if (static_cast<double>(head) + static_cast<double>(item) > kMaxElements)
    Fail(env, op, "sizes are too large: the span exceeds 2^50 elements");
  return head + item;
}

inline int64_t Numel(Napi::Env env, const char* op, const std::vector<int64_t>& s) {
  double d = 1;
  int64_t n = 1;
  for (int64_t v : s) {
    d *= static_cast<double>(v);
    if (d > kMaxElements) Fail(env, op, "shape " + std::string("is too large: more than 2^50 elements"));
    n *= v;
  }
  return n;
}

inline std::string ShapeStr(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// Checks a buffer holds exactly (or, with at_least, at least) n floats.
inline void RequireLen(Napi::Env env, const char* op, const char* name, int64_t have, int64_t want,
                       bool at_least = false) {
  if (at_least ? have < want : have != want)
    Fail(env, op,
         std::string(name) + " holds " + std::to_string(have) + " values, expected " + (at_least ? "at least " : "") +
             std::to_string(want));
}

// Runs a kernel that allocates working buffers: a failed allocation becomes a JS error naming the
// op, instead of a bare "std::bad_alloc" / "vector::_M_default_append" from node-addon-api.
template <typename Fn>
inline void RunKernel(Napi::Env env, const char* op, Fn&& fn) {
  try {
    fn();
  } catch (const std::bad_alloc&) {
    Fail(env, op, "out of memory for the working buffers");
  } catch (const std::length_error&) {
    Fail(env, op, "the working buffers would be too large");
  }
}

}  // namespace torchlet
