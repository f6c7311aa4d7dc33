// The layers of issue 13 (activations, normalisation, ...): forward and backward. As in ops_nn.cc,
// lib/functional/* validates first with the friendly messages; every length and parameter is
// checked again here before a kernel touches memory.
#include <napi.h>

#include <string>
#include <vector>

#include "binding/args.h"
#include "core/activation_ext.h"
#include "core/layernorm.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;
constexpr int64_t kMaxDim = int64_t(1) << 31;

// `count` non-negative integers from a JS array, each below 2^31.
std::vector<int64_t> ArgSizes(const Info& info, size_t i, const char* op, const char* name, size_t count) {
  auto v = ArgShape(info, i, op, name);
  if (v.size() != count)
    Fail(info.Env(), op,
         std::string(name) + " must have " + std::to_string(count) + " entries, got " + std::to_string(v.size()));
  for (size_t k = 0; k < v.size(); ++k)
    if (v[k] >= kMaxDim) Fail(info.Env(), op, std::string(name) + "[" + std::to_string(k) + "] is too large");
  return v;
}

int ArgActOp(const Info& info, size_t i, const char* op) {
  return static_cast<int>(ArgInt(info, i, op, "op", 0, kActCount - 1));
}

// activation(op, x, y, a, b): y may be x itself (in place).
Napi::Value ActivationJs(const Info& info) {
  const char* op = "activation";
  Napi::Env env = info.Env();
  const int code = ArgActOp(info, 0, op);
  F32 x = ArgF32(info, 1, op, "input"), y = ArgF32(info, 2, op, "out");
  const float a = static_cast<float>(ArgNumber(info, 3, op, "a")), b = static_cast<float>(ArgNumber(info, 4, op, "b"));
  RequireLen(env, op, "out", y.length, x.length);
  if (x.length) ActivationForward(code, x.data, y.data, x.length, a, b);
  return env.Undefined();
}

// activationBackward(op, x, gy, gx, a, b)
Napi::Value ActivationBackwardJs(const Info& info) {
  const char* op = "activationBackward";
  Napi::Env env = info.Env();
  const int code = ArgActOp(info, 0, op);
  F32 x = ArgF32(info, 1, op, "input"), gy = ArgF32(info, 2, op, "gradOutput"), gx = ArgF32(info, 3, op, "gradInput");
  const float a = static_cast<float>(ArgNumber(info, 4, op, "a")), b = static_cast<float>(ArgNumber(info, 5, op, "b"));
  RequireLen(env, op, "gradOutput", gy.length, x.length);
  RequireLen(env, op, "gradInput", gx.length, x.length);
  if (x.length) ActivationBackward(code, x.data, gy.data, gx.data, x.length, a, b);
  return env.Undefined();
}

// prelu(x, w, [outer, c, inner], y)
Napi::Value PreluJs(const Info& info) {
  const char* op = "prelu";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight");
  auto s = ArgSizes(info, 2, op, "shape", 3);
  F32 y = ArgF32(info, 3, op, "out");
  RequireLen(env, op, "input", x.length, Vol(env, op, {s[0], s[1], s[2]}));
  RequireLen(env, op, "out", y.length, x.length);
  Require(env, w.length == 1 || w.length == s[1], op,
          "weight holds " + std::to_string(w.length) + " values, expected 1 or " + std::to_string(s[1]));
  if (x.length) PreluForward(x.data, w.data, w.length, y.data, s[0], s[1], s[2]);
  return env.Undefined();
}

// preluBackward(x, w, gy, [outer, c, inner], gx|null, gw|null)
Napi::Value PreluBackwardJs(const Info& info) {
  const char* op = "preluBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), w = ArgF32(info, 1, op, "weight"), gy = ArgF32(info, 2, op, "gradOutput");
  auto s = ArgSizes(info, 3, op, "shape", 3);
  F32 gx = ArgF32(info, 4, op, "gradInput", true), gw = ArgF32(info, 5, op, "gradWeight", true);
  RequireLen(env, op, "input", x.length, Vol(env, op, {s[0], s[1], s[2]}));
  RequireLen(env, op, "gradOutput", gy.length, x.length);
  Require(env, w.length == 1 || w.length == s[1], op,
          "weight holds " + std::to_string(w.length) + " values, expected 1 or " + std::to_string(s[1]));
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, w.length);
  Require(env, s[1] > 0 || !gw.data || w.length == 1, op, "no channels");
  if (gw.data && x.length == 0) {
    for (int64_t k = 0; k < gw.length; ++k) gw.data[k] = 0.0f;
    gw.data = nullptr;
  }
  if (x.length) PreluBackward(x.data, w.data, w.length, gy.data, gx.data, gw.data, s[0], s[1], s[2]);
  return env.Undefined();
}

// layerNorm(x, [rows, d], weight|null, bias|null, eps, y, mean, rstd)
Napi::Value LayerNormJs(const Info& info) {
  const char* op = "layerNorm";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  auto s = ArgSizes(info, 1, op, "shape", 2);
  F32 w = ArgF32(info, 2, op, "weight", true), b = ArgF32(info, 3, op, "bias", true);
  const float eps = static_cast<float>(ArgNumber(info, 4, op, "eps"));
  F32 y = ArgF32(info, 5, op, "out"), m = ArgF32(info, 6, op, "mean"), r = ArgF32(info, 7, op, "rstd");
  RequireLen(env, op, "input", x.length, Vol(env, op, {s[0], s[1]}));
  RequireLen(env, op, "out", y.length, x.length);
  RequireLen(env, op, "mean", m.length, s[0]);
  RequireLen(env, op, "rstd", r.length, s[0]);
  if (w.data) RequireLen(env, op, "weight", w.length, s[1]);
  if (b.data) RequireLen(env, op, "bias", b.length, s[1]);
  Require(env, s[1] > 0 || s[0] == 0, op, "normalized size must be positive");
  if (x.length) LayerNormForward(s[0], s[1], x.data, w.data, b.data, eps, y.data, m.data, r.data);
  return env.Undefined();
}

// layerNormBackward(x, gy, [rows, d], weight|null, mean, rstd, gx|null, gw|null, gb|null)
Napi::Value LayerNormBackwardJs(const Info& info) {
  const char* op = "layerNormBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), gy = ArgF32(info, 1, op, "gradOutput");
  auto s = ArgSizes(info, 2, op, "shape", 2);
  F32 w = ArgF32(info, 3, op, "weight", true);
  F32 m = ArgF32(info, 4, op, "mean"), r = ArgF32(info, 5, op, "rstd");
  F32 gx = ArgF32(info, 6, op, "gradInput", true), gw = ArgF32(info, 7, op, "gradWeight", true);
  F32 gb = ArgF32(info, 8, op, "gradBias", true);
  RequireLen(env, op, "input", x.length, Vol(env, op, {s[0], s[1]}));
  RequireLen(env, op, "gradOutput", gy.length, x.length);
  RequireLen(env, op, "mean", m.length, s[0]);
  RequireLen(env, op, "rstd", r.length, s[0]);
  if (w.data) RequireLen(env, op, "weight", w.length, s[1]);
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, s[1]);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, s[1]);
  LayerNormBackward(s[0], s[1], x.data, gy.data, w.data, m.data, r.data, gx.data, gw.data, gb.data);
  return env.Undefined();
}

// groupNorm(x, [n, c, hw, groups], weight|null, bias|null, eps, y, mean, rstd)
Napi::Value GroupNormJs(const Info& info) {
  const char* op = "groupNorm";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input");
  auto s = ArgSizes(info, 1, op, "shape", 4);
  F32 w = ArgF32(info, 2, op, "weight", true), b = ArgF32(info, 3, op, "bias", true);
  const float eps = static_cast<float>(ArgNumber(info, 4, op, "eps"));
  F32 y = ArgF32(info, 5, op, "out"), m = ArgF32(info, 6, op, "mean"), r = ArgF32(info, 7, op, "rstd");
  const int64_t n = s[0], c = s[1], hw = s[2], g = s[3];
  Require(env, g > 0 && c % g == 0, op, "channels must be a multiple of a positive group count");
  RequireLen(env, op, "input", x.length, Vol(env, op, {n, c, hw}));
  RequireLen(env, op, "out", y.length, x.length);
  RequireLen(env, op, "mean", m.length, Vol(env, op, {n, g}));
  RequireLen(env, op, "rstd", r.length, m.length);
  if (w.data) RequireLen(env, op, "weight", w.length, c);
  if (b.data) RequireLen(env, op, "bias", b.length, c);
  if (x.length) GroupNormForward(n, c, hw, g, x.data, w.data, b.data, eps, y.data, m.data, r.data);
  return env.Undefined();
}

// groupNormBackward(x, gy, [n, c, hw, groups], weight|null, mean, rstd, gx|null, gw|null, gb|null)
Napi::Value GroupNormBackwardJs(const Info& info) {
  const char* op = "groupNormBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), gy = ArgF32(info, 1, op, "gradOutput");
  auto s = ArgSizes(info, 2, op, "shape", 4);
  F32 w = ArgF32(info, 3, op, "weight", true);
  F32 m = ArgF32(info, 4, op, "mean"), r = ArgF32(info, 5, op, "rstd");
  F32 gx = ArgF32(info, 6, op, "gradInput", true), gw = ArgF32(info, 7, op, "gradWeight", true);
  F32 gb = ArgF32(info, 8, op, "gradBias", true);
  const int64_t n = s[0], c = s[1], hw = s[2], g = s[3];
  Require(env, g > 0 && c % g == 0, op, "channels must be a multiple of a positive group count");
  RequireLen(env, op, "input", x.length, Vol(env, op, {n, c, hw}));
  RequireLen(env, op, "gradOutput", gy.length, x.length);
  RequireLen(env, op, "mean", m.length, Vol(env, op, {n, g}));
  RequireLen(env, op, "rstd", r.length, m.length);
  if (w.data) RequireLen(env, op, "weight", w.length, c);
  if (gx.data) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (gw.data) RequireLen(env, op, "gradWeight", gw.length, c);
  if (gb.data) RequireLen(env, op, "gradBias", gb.length, c);
  GroupNormBackward(n, c, hw, g, x.data, gy.data, w.data, m.data, r.data, gx.data, gw.data, gb.data);
  return env.Undefined();
}

Napi::Value ActivationIsaJs(const Info& info) { return Napi::String::New(info.Env(), ActivationIsa()); }

}  // namespace

void RegisterLayerOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"activation", ActivationJs},
      {"activationBackward", ActivationBackwardJs},
      {"activationIsa", ActivationIsaJs},
      {"prelu", PreluJs},
      {"preluBackward", PreluBackwardJs},
      {"layerNorm", LayerNormJs},
      {"layerNormBackward", LayerNormBackwardJs},
      {"groupNorm", GroupNormJs},
      {"groupNormBackward", GroupNormBackwardJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
