// Layers of issue 13 built on the convolution kernels and the interpolation kernels: transposed
// convolution and upsampling, forward and backward. lib/functional/{conv-extra,interpolate}.ts
// validate first with the friendly messages; every length and parameter is checked again here
// before a kernel touches memory.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <string>

#include "binding/args.h"
#include "core/conv_transpose.h"
#include "core/interpolate.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;
constexpr int64_t kMaxDim = int64_t(1) << 31;

// `count` integers from an Int32Array, each in [0, 2^31).
I32 ArgParams(const Info& info, size_t i, const char* op, int64_t count) {
  I32 a = ArgI32(info, i, op, "params");
  if (a.length != count)
    Fail(info.Env(), op, "params must have " + std::to_string(count) + " entries, got " + std::to_string(a.length));
  for (int64_t k = 0; k < count; ++k)
    if (a.data[k] < 0) Fail(info.Env(), op, "params[" + std::to_string(k) + "] must be a non-negative integer");
  return a;
}

void RequirePositive(Napi::Env env, const char* op, const char* name, int64_t v) {
  if (v < 1) Fail(env, op, std::string(name) + " must be positive, got " + std::to_string(v));
}

// The adjoint conv2d's geometry [n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow]
// (c, h, w: the transposed conv's output; oc, oh, ow: its input). The conv2d kernels need the
// same invariants as ops_nn.cc's ArgConv: the output must fit the padded input.
Conv2dParams ArgConvT(const Info& info, size_t i, const char* op) {
  Napi::Env env = info.Env();
  const I32 a = ArgParams(info, i, op, 16);
  const int32_t* v = a.data;
  Conv2dParams p{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]};
  RequirePositive(env, op, "kernel height", p.kh);
  RequirePositive(env, op, "kernel width", p.kw);
  RequirePositive(env, op, "stride", p.sh);
  RequirePositive(env, op, "stride", p.sw);
  RequirePositive(env, op, "dilation", p.dh);
  RequirePositive(env, op, "dilation", p.dw);
  RequirePositive(env, op, "groups", p.groups);
  RequirePositive(env, op, "output height", p.h);
  RequirePositive(env, op, "output width", p.w);
  RequirePositive(env, op, "input height", p.oh);
  RequirePositive(env, op, "input width", p.ow);
  Require(env, p.c % p.groups == 0 && p.oc % p.groups == 0 && p.c > 0 && p.oc > 0, op,
          "channels (" + std::to_string(p.oc) + " in, " + std::to_string(p.c) +
              " out) must be positive multiples of groups " + std::to_string(p.groups));
  Require(env,
          Vol(env, op, {p.n, p.c, p.h, p.w}) < (int64_t(1) << 40) &&
              Vol(env, op, {p.n, p.oc, p.oh, p.ow}) < (int64_t(1) << 40),
          op, "tensor too large");
  // All values are < 2^31, so these sums of a few of them cannot overflow int64.
  const int64_t eh = p.dh * (p.kh - 1) + 1, ew = p.dw * (p.kw - 1) + 1;
  const int64_t hp = p.h + 2 * p.ph + 1, wp = p.w + 2 * p.pw + 1;
  if (eh > hp || ew > wp || p.oh > (hp - eh) / p.sh + 1 || p.ow > (wp - ew) / p.sw + 1)
    Fail(env, op,
         "input size " + std::to_string(p.oh) + " x " + std::to_string(p.ow) + " and output size " +
             std::to_string(p.h) + " x " + std::to_string(p.w) +
             " do not agree with this kernel, stride, padding and dilation");
  return p;
}

// convTranspose2d(x, w, bias|null, params, out)
Napi::Value ConvTranspose2dJs(const Info& info) {
  const char* op = "convTranspose2d";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight"), b = ArgF32(info, 2, op, "bias", true);
  const Conv2dParams p = ArgConvT(info, 3, op);
  F32 y = ArgF32(info, 4, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {p.n, p.oc, p.oh, p.ow}));
  RequireLen(env, op, "weight", w.length, Vol(env, op, {p.oc, p.c / p.groups, p.kh, p.kw}));
  if (b.data) RequireLen(env, op, "bias", b.length, p.c);
  RequireLen(env, op, "out", y.length, Vol(env, op, {p.n, p.c, p.h, p.w}));
  if (p.n > 0) RunKernel(env, op, [&] { ConvTranspose2dForward(p, x.data, w.data, b.data, y.data); });
  return env.Undefined();
}

// convTranspose2dBackward(x, w, gy, params, gx|null, gw|null, gb|null)
Napi::Value ConvTranspose2dBackwardJs(const Info& info) {
  const char* op = "convTranspose2dBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight"), gy = ArgF32(info, 2, op, "gradOutput");
  const Conv2dParams p = ArgConvT(info, 3, op);
  F32 gx = ArgF32(info, 4, op, "gradInput", true), gw = ArgF32(info, 5, op, "gradWeight", true);
  F32 gb = ArgF32(info, 6, op, "gradBias", true);
  const int64_t xn = Vol(env, op, {p.n, p.oc, p.oh, p.ow}), wn = Vol(env, op, {p.oc, p.c / p.groups, p.kh, p.kw});
  RequireLen(env, op, "input", x.length, xn);
  RequireLen(env, op, "weight", w.length, wn);
  RequireLen(env, op, "gradOutput", gy.length, Vol(env, op, {p.n, p.c, p.h, p.w}));
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, xn);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, wn);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, p.c);
  if (p.n == 0) {  // an empty batch: zero gradients, nothing for the kernels to do
    if (gw.data) std::fill(gw.data, gw.data + gw.length, 0.0f);
    if (gb.data) std::fill(gb.data, gb.data + gb.length, 0.0f);
    return env.Undefined();
  }
  RunKernel(env, op, [&] { ConvTranspose2dBackward(p, x.data, w.data, gy.data, gx.data, gw.data, gb.data); });
  return env.Undefined();
}

// params: [planes, h, w, oh, ow, mode, alignCorners]; then scaleH, scaleW (<= 0: none).
InterpParams ArgInterp(const Info& info, size_t i, const char* op) {
  Napi::Env env = info.Env();
  const I32 a = ArgParams(info, i, op, 7);
  const int32_t* v = a.data;
  InterpParams p{v[0], v[1], v[2], v[3], v[4], v[5], v[6] != 0, 0, 0};
  Require(env, p.mode < kInterpModeCount, op,
          "mode must be 0 (nearest) or 1 (bilinear), got " + std::to_string(p.mode));
  RequirePositive(env, op, "input height", p.h);
  RequirePositive(env, op, "input width", p.w);
  RequirePositive(env, op, "output height", p.oh);
  RequirePositive(env, op, "output width", p.ow);
  Require(env, p.h < kMaxDim && p.w < kMaxDim, op, "input size is too large");
  p.scale_h = ArgNumber(info, i + 1, op, "scaleH");
  p.scale_w = ArgNumber(info, i + 2, op, "scaleW");
  Require(env, std::isfinite(p.scale_h) && std::isfinite(p.scale_w), op,
          "scale factors must be finite, got " + NumStr(p.scale_h) + ", " + NumStr(p.scale_w));
  return p;
}

// interpolate(x, params, scaleH, scaleW, out)
Napi::Value InterpolateJs(const Info& info) {
  const char* op = "interpolate";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  const InterpParams p = ArgInterp(info, 1, op);
  F32 y = ArgF32(info, 4, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {p.planes, p.h, p.w}));
  RequireLen(env, op, "out", y.length, Vol(env, op, {p.planes, p.oh, p.ow}));
  if (y.length) RunKernel(env, op, [&] { InterpolateForward(p, x.data, y.data); });
  return env.Undefined();
}

// interpolateBackward(gy, params, scaleH, scaleW, gx)
Napi::Value InterpolateBackwardJs(const Info& info) {
  const char* op = "interpolateBackward";
  Napi::Env env = info.Env();
  F32 gy = ArgF32(info, 0, op, "gradOutput");
  const InterpParams p = ArgInterp(info, 1, op);
  F32 gx = ArgF32(info, 4, op, "gradInput");
  RequireLen(env, op, "gradOutput", gy.length, Vol(env, op, {p.planes, p.oh, p.ow}));
  RequireLen(env, op, "gradInput", gx.length, Vol(env, op, {p.planes, p.h, p.w}));
  if (gx.length) RunKernel(env, op, [&] { InterpolateBackward(p, gy.data, gx.data); });
  return env.Undefined();
}

}  // namespace

void RegisterLayerOps2(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"convTranspose2d", ConvTranspose2dJs},
      {"convTranspose2dBackward", ConvTranspose2dBackwardJs},
      {"interpolate", InterpolateJs},
      {"interpolateBackward", InterpolateBackwardJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
