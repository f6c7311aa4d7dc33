// F.scaledDotProductAttention forward and backward (core/attention.*). lib/functional/attention.ts
// validates shapes with the friendly messages; every size and buffer length is checked again here.
#include <napi.h>

#include <string>
#include <vector>

#include "binding/args.h"
#include "core/attention.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;

// geom = [batch, l, s, e, ev, maskBatch, maskRows], then scale, causal, dropoutP, seedHi, seedLo at info[i+1..].
AttentionGeom ArgGeom(const Info& info, size_t i, const char* op) {
  Napi::Env env = info.Env();
  auto s = ArgShape(info, i, op, "geom");
  Require(env, s.size() == 7, op, "geom must have 7 entries, got " + std::to_string(s.size()));
  AttentionGeom g;
  g.batch = s[0];
  g.l = s[1];
  g.s = s[2];
  g.e = s[3];
  g.ev = s[4];
  g.mask_batch = s[5];
  g.mask_rows = s[6];
  Require(env, g.mask_rows == 1 || g.mask_rows == g.l, op,
          "maskRows must be 1 or l, got " + std::to_string(g.mask_rows));
  Require(env, g.mask_batch == 0 || g.mask_batch == 1 || g.mask_batch == g.batch, op,
          "maskBatch must be 0, 1 or batch, got " + std::to_string(g.mask_batch));
  // Flat dropout indices (b*l + i)*s + j must fit in 64 bits: bounded by this product.
  Vol(env, op, {g.batch, g.l, g.s});
  Vol(env, op, {g.batch, g.l, g.e});
  Vol(env, op, {g.batch, g.s, g.e});
  Vol(env, op, {g.batch, g.l, g.ev});
  Vol(env, op, {g.batch, g.s, g.ev});
  const double scale = ArgNumber(info, i + 1, op, "scale");
  Require(env, std::isfinite(scale), op, "scale must be finite, got " + NumStr(scale));
  g.scale = static_cast<float>(scale);
  g.causal = ArgBool(info, i + 2);
  const double p = ArgNumber(info, i + 3, op, "dropoutP");
  Require(env, p >= 0.0 && p <= 1.0, op, "dropoutP must be in [0, 1], got " + NumStr(p));
  g.dropout_p = static_cast<float>(p);
  const uint64_t hi = static_cast<uint64_t>(ArgInt(info, i + 4, op, "seedHi", 0, 0xffffffffll));
  const uint64_t lo = static_cast<uint64_t>(ArgInt(info, i + 5, op, "seedLo", 0, 0xffffffffll));
  g.seed = (hi << 32) | lo;
  return g;
}

void CheckInputs(Napi::Env env, const char* op, const AttentionGeom& g, const F32& q, const F32& k, const F32& v,
                 const F32& mask) {
  RequireLen(env, op, "query", q.length, Vol(env, op, {g.batch, g.l, g.e}));
  RequireLen(env, op, "key", k.length, Vol(env, op, {g.batch, g.s, g.e}));
  RequireLen(env, op, "value", v.length, Vol(env, op, {g.batch, g.s, g.ev}));
  if (g.mask_batch == 0)
    Require(env, mask.data == nullptr, op, "a mask was given with maskBatch 0");
  else
    RequireLen(env, op, "mask", mask.length, Vol(env, op, {g.mask_batch, g.mask_rows, g.s}));
}

// attention(q, k, v, mask|null, geom, scale, causal, dropoutP, seedHi, seedLo, out, lse)
Napi::Value AttentionJs(const Info& info) {
  const char* op = "scaledDotProductAttention";
  Napi::Env env = info.Env();
  F32 q = ArgF32(info, 0, op, "query"), k = ArgF32(info, 1, op, "key"), v = ArgF32(info, 2, op, "value");
  F32 mask = ArgF32(info, 3, op, "mask", true);
  const AttentionGeom g = ArgGeom(info, 4, op);
  F32 out = ArgF32(info, 10, op, "out"), lse = ArgF32(info, 11, op, "lse");
  CheckInputs(env, op, g, q, k, v, mask);
  RequireLen(env, op, "out", out.length, Vol(env, op, {g.batch, g.l, g.ev}));
  RequireLen(env, op, "lse", lse.length, Vol(env, op, {g.batch, g.l}));
  Require(env, g.s > 0 || g.l == 0 || g.batch == 0, op, "key length must be positive");
  if (g.batch && g.l)
    RunKernel(env, op, [&] { AttentionForward(g, q.data, k.data, v.data, mask.data, out.data, lse.data); });
  return env.Undefined();
}

// attentionBackward(q, k, v, mask|null, geom, scale, causal, dropoutP, seedHi, seedLo, out, lse, gout, gq, gk, gv)
Napi::Value AttentionBackwardJs(const Info& info) {
  const char* op = "scaledDotProductAttentionBackward";
  Napi::Env env = info.Env();
  F32 q = ArgF32(info, 0, op, "query"), k = ArgF32(info, 1, op, "key"), v = ArgF32(info, 2, op, "value");
  F32 mask = ArgF32(info, 3, op, "mask", true);
  const AttentionGeom g = ArgGeom(info, 4, op);
  F32 out = ArgF32(info, 10, op, "out"), lse = ArgF32(info, 11, op, "lse"), gout = ArgF32(info, 12, op, "gradOutput");
  F32 gq = ArgF32(info, 13, op, "gradQuery"), gk = ArgF32(info, 14, op, "gradKey"),
      gv = ArgF32(info, 15, op, "gradValue");
  CheckInputs(env, op, g, q, k, v, mask);
  RequireLen(env, op, "out", out.length, Vol(env, op, {g.batch, g.l, g.ev}));
  RequireLen(env, op, "lse", lse.length, Vol(env, op, {g.batch, g.l}));
  RequireLen(env, op, "gradOutput", gout.length, out.length);
  RequireLen(env, op, "gradQuery", gq.length, q.length);
  RequireLen(env, op, "gradKey", gk.length, k.length);
  RequireLen(env, op, "gradValue", gv.length, v.length);
  if (g.batch == 0) return env.Undefined();
  RunKernel(env, op, [&] {
    AttentionBackward(g, q.data, k.data, v.data, mask.data, out.data, lse.data, gout.data, gq.data, gk.data, gv.data);
  });
  return env.Undefined();
}

}  // namespace

void RegisterAttentionOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"attention", AttentionJs},
      {"attentionBackward", AttentionBackwardJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
