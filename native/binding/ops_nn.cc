// Neural-network layer ops (conv, pooling, batch norm, linear): forward and backward.
// The TypeScript layer (lib/functional/*) validates shapes and options with friendly messages;
// here every buffer length and parameter range is checked again before any memory is touched.
#include <napi.h>

#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/batchnorm.h"
#include "core/conv2d.h"
#include "core/linear.h"
#include "core/pool2d.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;
constexpr int64_t kMaxDim = int64_t(1) << 31;

// A fixed-length array of integers (parameters), each in [lo, hi].
// Accepts an Int32Array (the fast path the TS layer uses: one N-API call instead of one per entry)
// or a JS array of non-negative integers.
std::vector<int64_t> ArgParams(const Info& info, size_t i, const char* op, const char* name, size_t count) {
  std::vector<int64_t> v;
  if (info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    I32 a = ArgI32(info, i, op, name);
    v.assign(a.data, a.data + a.length);
    for (size_t k = 0; k < v.size(); ++k)
      if (v[k] < 0)
        Fail(info.Env(), op, std::string(name) + "[" + std::to_string(k) + "] must be a non-negative integer");
  } else {
    v = ArgShape(info, i, op, name);
  }
  if (v.size() != count)
    Fail(info.Env(), op,
         std::string(name) + " must have " + std::to_string(count) + " entries, got " + std::to_string(v.size()));
  for (size_t k = 0; k < v.size(); ++k)
    if (v[k] >= kMaxDim) Fail(info.Env(), op, std::string(name) + "[" + std::to_string(k) + "] is too large");
  return v;
}

void RequirePositive(Napi::Env env, const char* op, const char* name, int64_t v) {
  if (v < 1) Fail(env, op, std::string(name) + " must be positive, got " + std::to_string(v));
}

// The one index of each positional params array. The addon exports these name lists as
// `paramLayouts`; lib packs params by name from them (lib/native-nn.ts packParams) and the readers
// below fill the structs by the same names, so neither side has an order to keep in step.
#define TORCHLET_CONV_PARAMS(X) \
  X(n) X(c) X(h) X(w) X(oc) X(kh) X(kw) X(sh) X(sw) X(ph) X(pw) X(dh) X(dw) X(groups) X(oh) X(ow)
#define TORCHLET_POOL_PARAMS(X) \
  X(planes)                     \
  X(h) X(w) X(oh) X(ow) X(kh) X(kw) X(sh) X(sw) X(ph) X(pw) X(dh) X(dw) X(count_include_pad) X(divisor_override)
#define TORCHLET_ADAPTIVE_PARAMS(X) X(planes) X(h) X(w) X(oh) X(ow)

#define TORCHLET_INDEX(f) f,
#define TORCHLET_NAME(f) #f,
namespace conv_param {
enum : size_t { TORCHLET_CONV_PARAMS(TORCHLET_INDEX) count };
}
namespace pool_param {
enum : size_t { TORCHLET_POOL_PARAMS(TORCHLET_INDEX) count };
}
namespace adaptive_param {
enum : size_t { TORCHLET_ADAPTIVE_PARAMS(TORCHLET_INDEX) count };
}
const char* const kConvParamNames[] = {TORCHLET_CONV_PARAMS(TORCHLET_NAME)};
const char* const kPoolParamNames[] = {TORCHLET_POOL_PARAMS(TORCHLET_NAME)};
const char* const kAdaptiveParamNames[] = {TORCHLET_ADAPTIVE_PARAMS(TORCHLET_NAME)};
#undef TORCHLET_NAME
#undef TORCHLET_INDEX

Conv2dParams ArgConv(const Info& info, size_t i, const char* op) {
  Napi::Env env = info.Env();
  const auto v = ArgParams(info, i, op, "params", conv_param::count);
  Conv2dParams p{};
#define TORCHLET_SET(f) p.f = v[conv_param::f];
  TORCHLET_CONV_PARAMS(TORCHLET_SET)
#undef TORCHLET_SET
  RequirePositive(env, op, "kernel height", p.kh);
  RequirePositive(env, op, "kernel width", p.kw);
  RequirePositive(env, op, "stride", p.sh);
  RequirePositive(env, op, "stride", p.sw);
  RequirePositive(env, op, "dilation", p.dh);
  RequirePositive(env, op, "dilation", p.dw);
  RequirePositive(env, op, "groups", p.groups);
  Require(env, p.c % p.groups == 0 && p.oc % p.groups == 0 && p.c > 0 && p.oc > 0, op,
          "channels (" + std::to_string(p.c) + " in, " + std::to_string(p.oc) +
              " out) must be positive multiples of groups " + std::to_string(p.groups));
  Require(env,
          Vol(env, op, {p.n, p.c, p.h, p.w}) < (int64_t(1) << 40) &&
              Vol(env, op, {p.n, p.oc, p.oh, p.ow}) < (int64_t(1) << 40),
          op, "tensor too large");
  // The kernels size their padded planes from oh/ow and the effective kernel: both must fit the
  // padded input (one extra row/column allows padding='same' with an even effective kernel), or a
  // huge dilation or output size asks for an impossible buffer. All values are < 2^31: no overflow.
  const int64_t eh = p.dh * (p.kh - 1) + 1, ew = p.dw * (p.kw - 1) + 1;
  const int64_t hp = p.h + 2 * p.ph + 1, wp = p.w + 2 * p.pw + 1;
  if (eh > hp || ew > wp)
    Fail(env, op,
         "the effective kernel size " + std::to_string(eh) + " x " + std::to_string(ew) +
             " (kernel and dilation) exceeds the padded input " + std::to_string(p.h + 2 * p.ph) + " x " +
             std::to_string(p.w + 2 * p.pw));
  if (p.oh > (hp - eh) / p.sh + 1 || p.ow > (wp - ew) / p.sw + 1)
    Fail(env, op,
         "output size " + std::to_string(p.oh) + " x " + std::to_string(p.ow) + " does not fit input " +
             std::to_string(p.h) + " x " + std::to_string(p.w) + " with this kernel, stride, padding and dilation");
  return p;
}

Napi::Value Conv2dForwardJs(const Info& info) {
  const char* op = "conv2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight"), b = ArgF32(info, 2, op, "bias", true);
  Conv2dParams p = ArgConv(info, 3, op);
  F32 y = ArgF32(info, 4, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {p.n, p.c, p.h, p.w}));
  RequireLen(env, op, "weight", w.length, Vol(env, op, {p.oc, p.c / p.groups, p.kh, p.kw}));
  if (b.data) RequireLen(env, op, "bias", b.length, p.oc);
  RequireLen(env, op, "out", y.length, Vol(env, op, {p.n, p.oc, p.oh, p.ow}));
  if (y.length) RunKernel(env, op, [&] { Conv2dForward(p, x.data, w.data, b.data, y.data); });
  return env.Undefined();
}

// conv2dBackward(x, w, gy, params, gx|null, gw|null, gb|null)
Napi::Value Conv2dBackwardJs(const Info& info) {
  const char* op = "conv2dBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight"), gy = ArgF32(info, 2, op, "gradOutput");
  Conv2dParams p = ArgConv(info, 3, op);
  F32 gx = ArgF32(info, 4, op, "gradInput", true), gw = ArgF32(info, 5, op, "gradWeight", true);
  F32 gb = ArgF32(info, 6, op, "gradBias", true);
  const int64_t xn = Vol(env, op, {p.n, p.c, p.h, p.w}), wn = Vol(env, op, {p.oc, p.c / p.groups, p.kh, p.kw});
  RequireLen(env, op, "input", x.length, xn);
  RequireLen(env, op, "weight", w.length, wn);
  RequireLen(env, op, "gradOutput", gy.length, Vol(env, op, {p.n, p.oc, p.oh, p.ow}));
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, xn);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, wn);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, p.oc);
  RunKernel(env, op, [&] { Conv2dBackward(p, x.data, w.data, gy.data, gx.data, gw.data, gb.data); });
  return env.Undefined();
}

Napi::Value Conv2dAlgorithmJs(const Info& info) {
  Conv2dParams p = ArgConv(info, 0, "conv2dAlgorithm");
  static const char* names[] = {"gemm1x1", "depthwise", "im2col"};
  return Napi::String::New(info.Env(), names[Conv2dAlgorithm(p)]);
}

Pool2dParams ArgPool(const Info& info, size_t i, const char* op) {
  Napi::Env env = info.Env();
  const auto v = ArgParams(info, i, op, "params", pool_param::count);
  // PyTorch's rule, checked on the int64 values: in int, (kh - 1) * dh + 1 overflowed and let
  // windows lying wholly outside the input through.
  if (v[pool_param::ph] * 2 > v[pool_param::kh] || v[pool_param::pw] * 2 > v[pool_param::kw])
    Fail(env, op, "padding must be at most half the kernel size");
  // Every entry is in [0, 2^31) (ArgParams), so the narrowing to int is exact.
  Pool2dParams p{};
#define TORCHLET_SET(f) p.f = static_cast<decltype(p.f)>(v[pool_param::f]);
  TORCHLET_POOL_PARAMS(TORCHLET_SET)
#undef TORCHLET_SET
  RequirePositive(env, op, "kernel height", p.kh);
  RequirePositive(env, op, "kernel width", p.kw);
  RequirePositive(env, op, "stride", p.sh);
  RequirePositive(env, op, "stride", p.sw);
  RequirePositive(env, op, "dilation", p.dh);
  RequirePositive(env, op, "dilation", p.dw);
  Require(env, p.h * p.w < kMaxDim, op, "plane too large for int32 indices");
  Require(env,
          Vol(env, op, {p.planes, p.h, p.w}) < (int64_t(1) << 40) &&
              Vol(env, op, {p.planes, p.oh, p.ow}) < (int64_t(1) << 40),
          op, "tensor too large");
  // Every output window must start inside the padded input (PyTorch's ceil_mode rule ensures it).
  Require(env, p.oh == 0 || p.ow == 0 || ((p.oh - 1) * p.sh - p.ph < p.h && (p.ow - 1) * p.sw - p.pw < p.w), op,
          "output size leaves windows entirely outside the input");
  return p;
}

// maxPool2d(x, params, out, indices|null)
Napi::Value MaxPool2dJs(const Info& info) {
  const char* op = "maxPool2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  Pool2dParams p = ArgPool(info, 1, op);
  F32 y = ArgF32(info, 2, op, "out");
  I32 idx = ArgI32(info, 3, op, "indices", true);
  RequireLen(env, op, "input", x.length, Vol(env, op, {p.planes, p.h, p.w}));
  RequireLen(env, op, "out", y.length, Vol(env, op, {p.planes, p.oh, p.ow}));
  if (idx.data) RequireLen(env, op, "indices", idx.length, y.length);
  if (y.length) RunKernel(env, op, [&] { MaxPool2dForward(p, x.data, y.data, idx.data); });
  return env.Undefined();
}

// maxPool2dBackward(gy, indices, planes, hw, gx) — also adaptive max pooling's backward.
Napi::Value MaxPool2dBackwardJs(const Info& info) {
  const char* op = "maxPool2dBackward";
  Napi::Env env = info.Env();
  F32 gy = ArgF32(info, 0, op, "gradOutput");
  I32 idx = ArgI32(info, 1, op, "indices");
  const int64_t planes = ArgInt(info, 2, op, "planes", 0, kMaxDim), hw = ArgInt(info, 3, op, "hw", 0, kMaxDim);
  F32 gx = ArgF32(info, 4, op, "gradInput");
  RequireLen(env, op, "indices", idx.length, gy.length);
  RequireLen(env, op, "gradInput", gx.length, Vol(env, op, {planes, hw}));
  Require(env, planes > 0 ? gy.length % planes == 0 : gy.length == 0, op, "gradOutput does not split into planes");
  if (planes) MaxPool2dBackward(planes, hw, gy.length / planes, gy.data, idx.data, gx.data);
  return env.Undefined();
}

Napi::Value AvgPool2dJs(const Info& info) {
  const char* op = "avgPool2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  Pool2dParams p = ArgPool(info, 1, op);
  F32 y = ArgF32(info, 2, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {p.planes, p.h, p.w}));
  RequireLen(env, op, "out", y.length, Vol(env, op, {p.planes, p.oh, p.ow}));
  if (y.length) RunKernel(env, op, [&] { AvgPool2dForward(p, x.data, y.data); });
  return env.Undefined();
}

Napi::Value AvgPool2dBackwardJs(const Info& info) {
  const char* op = "avgPool2dBackward";
  Napi::Env env = info.Env();
  F32 gy = ArgF32(info, 0, op, "gradOutput");
  Pool2dParams p = ArgPool(info, 1, op);
  F32 gx = ArgF32(info, 2, op, "gradInput");
  RequireLen(env, op, "gradOutput", gy.length, Vol(env, op, {p.planes, p.oh, p.ow}));
  RequireLen(env, op, "gradInput", gx.length, Vol(env, op, {p.planes, p.h, p.w}));
  if (gx.length) RunKernel(env, op, [&] { AvgPool2dBackward(p, gy.data, gx.data); });
  return env.Undefined();
}

// adaptive params: TORCHLET_ADAPTIVE_PARAMS order, read as v[0..4] = planes, h, w, oh, ow below.
std::vector<int64_t> ArgAdaptive(const Info& info, size_t i, const char* op) {
  static_assert(adaptive_param::planes == 0 && adaptive_param::h == 1 && adaptive_param::w == 2 &&
                    adaptive_param::oh == 3 && adaptive_param::ow == 4,
                "the adaptive-pool readers index v by this order");
  auto v = ArgParams(info, i, op, "params", adaptive_param::count);
  Require(info.Env(), v[3] > 0 && v[4] > 0, op, "output size must be positive");
  Require(info.Env(), v[1] * v[2] < kMaxDim, op, "plane too large for int32 indices");
  return v;
}

Napi::Value AdaptiveAvgPool2dJs(const Info& info) {
  const char* op = "adaptiveAvgPool2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  auto v = ArgAdaptive(info, 1, op);
  F32 y = ArgF32(info, 2, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {v[0], v[1], v[2]}));
  RequireLen(env, op, "out", y.length, Vol(env, op, {v[0], v[3], v[4]}));
  if (x.length && y.length) AdaptiveAvgPool2dForward(v[0], v[1], v[2], v[3], v[4], x.data, y.data);
  return env.Undefined();
}

Napi::Value AdaptiveAvgPool2dBackwardJs(const Info& info) {
  const char* op = "adaptiveAvgPool2dBackward";
  Napi::Env env = info.Env();
  F32 gy = ArgF32(info, 0, op, "gradOutput");
  auto v = ArgAdaptive(info, 1, op);
  F32 gx = ArgF32(info, 2, op, "gradInput");
  RequireLen(env, op, "gradOutput", gy.length, Vol(env, op, {v[0], v[3], v[4]}));
  RequireLen(env, op, "gradInput", gx.length, Vol(env, op, {v[0], v[1], v[2]}));
  if (gx.length) AdaptiveAvgPool2dBackward(v[0], v[1], v[2], v[3], v[4], gy.data, gx.data);
  return env.Undefined();
}

Napi::Value AdaptiveMaxPool2dJs(const Info& info) {
  const char* op = "adaptiveMaxPool2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  auto v = ArgAdaptive(info, 1, op);
  F32 y = ArgF32(info, 2, op, "out");
  I32 idx = ArgI32(info, 3, op, "indices", true);
  RequireLen(env, op, "input", x.length, Vol(env, op, {v[0], v[1], v[2]}));
  RequireLen(env, op, "out", y.length, Vol(env, op, {v[0], v[3], v[4]}));
  if (idx.data) RequireLen(env, op, "indices", idx.length, y.length);
  Require(env, (v[1] > 0 && v[2] > 0) || v[0] == 0, op, "input planes must be non-empty");
  if (y.length) AdaptiveMaxPool2dForward(v[0], v[1], v[2], v[3], v[4], x.data, y.data, idx.data);
  return env.Undefined();
}

// batchNorm(x, [n, c, hw], weight|null, bias|null, runningMean|null, runningVar|null, training, momentum, eps,
//           out, saveMean, saveInvstd)
Napi::Value BatchNormJs(const Info& info) {
  const char* op = "batchNorm";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  auto s = ArgParams(info, 1, op, "shape", 3);
  F32 w = ArgF32(info, 2, op, "weight", true), b = ArgF32(info, 3, op, "bias", true);
  F32 rm = ArgF32(info, 4, op, "runningMean", true), rv = ArgF32(info, 5, op, "runningVar", true);
  const bool training = ArgBool(info, 6);
  const float momentum = static_cast<float>(ArgNumber(info, 7, op, "momentum"));
  const float eps = static_cast<float>(ArgNumber(info, 8, op, "eps"));
  F32 y = ArgF32(info, 9, op, "out"), sm = ArgF32(info, 10, op, "saveMean"), si = ArgF32(info, 11, op, "saveInvstd");
  const int64_t n = s[0], c = s[1], hw = s[2];
  RequireLen(env, op, "input", x.length, Vol(env, op, {n, c, hw}));
  RequireLen(env, op, "out", y.length, x.length);
  RequireLen(env, op, "saveMean", sm.length, c);
  RequireLen(env, op, "saveInvstd", si.length, c);
  if (w.data) RequireLen(env, op, "weight", w.length, c);
  if (b.data) RequireLen(env, op, "bias", b.length, c);
  if (rm.data) RequireLen(env, op, "runningMean", rm.length, c);
  if (rv.data) RequireLen(env, op, "runningVar", rv.length, c);
  Require(env, (rm.data != nullptr) == (rv.data != nullptr), op,
          "runningMean and runningVar must both be given or both null");
  Require(env, training || rm.data, op, "running stats are required in eval mode");
  Require(env, !training || n * hw > 0, op, "expected more than 0 values per channel when training");
  RunKernel(env, op, [&] {
    BatchNormForward(n, c, hw, x.data, w.data, b.data, rm.data, rv.data, training, momentum, eps, y.data, sm.data,
                     si.data);
  });
  return env.Undefined();
}

// batchNormBackward(x, gy, [n, c, hw], weight|null, saveMean, saveInvstd, training, gx|null, gw|null, gb|null)
Napi::Value BatchNormBackwardJs(const Info& info) {
  const char* op = "batchNormBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), gy = ArgF32(info, 1, op, "gradOutput");
  auto s = ArgParams(info, 2, op, "shape", 3);
  F32 w = ArgF32(info, 3, op, "weight", true);
  F32 sm = ArgF32(info, 4, op, "saveMean"), si = ArgF32(info, 5, op, "saveInvstd");
  const bool training = ArgBool(info, 6);
  F32 gx = ArgF32(info, 7, op, "gradInput", true), gw = ArgF32(info, 8, op, "gradWeight", true);
  F32 gb = ArgF32(info, 9, op, "gradBias", true);
  const int64_t n = s[0], c = s[1], hw = s[2];
  RequireLen(env, op, "input", x.length, Vol(env, op, {n, c, hw}));
  RequireLen(env, op, "gradOutput", gy.length, x.length);
  RequireLen(env, op, "saveMean", sm.length, c);
  RequireLen(env, op, "saveInvstd", si.length, c);
  if (w.data) RequireLen(env, op, "weight", w.length, c);
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, c);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, c);
  RunKernel(env, op, [&] {
    BatchNormBackward(n, c, hw, x.data, gy.data, w.data, sm.data, si.data, training, gx.data, gw.data, gb.data);
  });
  return env.Undefined();
}

// linear(x, rows, in, w, out, bias|null, y)
Napi::Value LinearJs(const Info& info) {
  const char* op = "linear";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  const int64_t rows = ArgInt(info, 1, op, "rows", 0, kMaxDim), in = ArgInt(info, 2, op, "inFeatures", 0, kMaxDim);
  F32 w = ArgF32(info, 3, op, "weight");
  const int64_t out = ArgInt(info, 4, op, "outFeatures", 0, kMaxDim);
  F32 b = ArgF32(info, 5, op, "bias", true), y = ArgF32(info, 6, op, "out");
  RequireLen(env, op, "input", x.length, rows * in);
  RequireLen(env, op, "weight", w.length, out * in);
  if (b.data) RequireLen(env, op, "bias", b.length, out);
  RequireLen(env, op, "out", y.length, rows * out);
  RunKernel(env, op, [&] { LinearForward(rows, in, out, x.data, w.data, b.data, y.data); });
  return env.Undefined();
}

// linearBackward(x, rows, in, w, out, gy, gx|null, gw|null, gb|null)
Napi::Value LinearBackwardJs(const Info& info) {
  const char* op = "linearBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  const int64_t rows = ArgInt(info, 1, op, "rows", 0, kMaxDim), in = ArgInt(info, 2, op, "inFeatures", 0, kMaxDim);
  F32 w = ArgF32(info, 3, op, "weight");
  const int64_t out = ArgInt(info, 4, op, "outFeatures", 0, kMaxDim);
  F32 gy = ArgF32(info, 5, op, "gradOutput");
  F32 gx = ArgF32(info, 6, op, "gradInput", true), gw = ArgF32(info, 7, op, "gradWeight", true);
  F32 gb = ArgF32(info, 8, op, "gradBias", true);
  RequireLen(env, op, "input", x.length, rows * in);
  RequireLen(env, op, "weight", w.length, out * in);
  RequireLen(env, op, "gradOutput", gy.length, rows * out);
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, rows * in);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, out * in);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, out);
  RunKernel(env, op, [&] { LinearBackward(rows, in, out, x.data, w.data, gy.data, gx.data, gw.data, gb.data); });
  return env.Undefined();
}

}  // namespace

Conv2dParams CheckedConvParams(const Napi::CallbackInfo& info, size_t i, const char* op) {
  return ArgConv(info, i, op);
}
Pool2dParams CheckedPoolParams(const Napi::CallbackInfo& info, size_t i, const char* op) {
  return ArgPool(info, i, op);
}

void RegisterNnOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"conv2d", Conv2dForwardJs},
      {"conv2dBackward", Conv2dBackwardJs},
      {"conv2dAlgorithm", Conv2dAlgorithmJs},
      {"maxPool2d", MaxPool2dJs},
      {"maxPool2dBackward", MaxPool2dBackwardJs},
      {"avgPool2d", AvgPool2dJs},
      {"avgPool2dBackward", AvgPool2dBackwardJs},
      {"adaptiveAvgPool2d", AdaptiveAvgPool2dJs},
      {"adaptiveAvgPool2dBackward", AdaptiveAvgPool2dBackwardJs},
      {"adaptiveMaxPool2d", AdaptiveMaxPool2dJs},
      {"batchNorm", BatchNormJs},
      {"batchNormBackward", BatchNormBackwardJs},
      {"linear", LinearJs},
      {"linearBackward", LinearBackwardJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
  auto layouts = Napi::Object::New(env);
  auto names = [&](const char* const* list, size_t n) {
    auto a = Napi::Array::New(env, n);
    for (size_t k = 0; k < n; ++k) a.Set(static_cast<uint32_t>(k), list[k]);
    a.Freeze();
    return a;
  };
  layouts.Set("conv2d", names(kConvParamNames, conv_param::count));
  layouts.Set("pool2d", names(kPoolParamNames, pool_param::count));
  layouts.Set("adaptivePool2d", names(kAdaptiveParamNames, adaptive_param::count));
  layouts.Freeze();
  exports.Set("paramLayouts", layouts);
}

}  // namespace torchlet
