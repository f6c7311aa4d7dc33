// Loss ops (lib/functional/loss.ts): forward and backward of cross-entropy / NLL, MSE, L1 and
// BCE-with-logits, one native call each; plus the DataLoader's row gather (lib/data).
// The TypeScript layer validates shapes, targets and options with friendly messages; here every
// buffer length and parameter range is checked again before any memory is touched.
#include <napi.h>

#include <cmath>
#include <string>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/loss.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;

// outer * c * inner without overflow (each dim is a non-negative integer below 2^53 from ArgInt).
int64_t CheckedVolume(Napi::Env env, const char* op, int64_t outer, int64_t c, int64_t inner) {
  const double v = static_cast<double>(outer) * static_cast<double>(c) * static_cast<double>(inner);
  if (v > static_cast<double>(int64_t{1} << 50)) Fail(env, op, "outer * c * inner is too large");
  return outer * c * inner;
}

struct ClassDims {
  int64_t outer, c, inner, m, volume;
};

ClassDims ArgClassDims(const Info& info, size_t i, const char* op) {
  ClassDims d;
  d.outer = ArgInt(info, i, op, "outer", 0);
  d.c = ArgInt(info, i + 1, op, "c", 0, INT32_MAX);
  d.inner = ArgInt(info, i + 2, op, "inner", 0);
  d.volume = CheckedVolume(info.Env(), op, d.outer, d.c, d.inner);
  d.m = CheckedVolume(info.Env(), op, d.outer, 1, d.inner);
  return d;
}

int ArgReduction(const Info& info, size_t i, const char* op) {
  return static_cast<int>(ArgInt(info, i, op, "reduction", kLossNone, kLossSum));
}

double ArgEps(const Info& info, size_t i, const char* op) {
  const double eps = ArgNumber(info, i, op, "labelSmoothing");
  Require(info.Env(), eps >= 0 && eps <= 1, op, "labelSmoothing must be in [0, 1]");
  return eps;
}

// Output of a reduction: m values for 'none', else 1.
void RequireLossLen(Napi::Env env, const char* op, const char* name, int64_t have, int reduction, int64_t m) {
  RequireLen(env, op, name, have, reduction == kLossNone ? m : 1);
}

// Whether an optional argument was passed (not null/undefined). A detached or empty array still counts,
// so its length is checked rather than the argument silently dropped.
bool Given(const Info& info, size_t i) { return !(info[i].IsNull() || info[i].IsUndefined()); }

// Optional per-class weights: null, or exactly c values.
F32 ArgClassWeight(const Info& info, size_t i, const char* op, int64_t c) {
  F32 w = ArgF32(info, i, op, "weight", true);
  if (Given(info, i)) RequireLen(info.Env(), op, "weight", w.length, c);
  return w;
}

// Converted class targets handed back to a backward: each must be -1 (ignored) or a class in [0, c).
I32 ArgConvertedTargets(const Info& info, size_t i, const char* op, const ClassDims& d) {
  I32 t = ArgI32(info, i, op, "target");
  RequireLen(info.Env(), op, "target", t.length, d.m);
  for (int64_t k = 0; k < t.length; ++k)
    if (t.data[k] < -1 || t.data[k] >= d.c)
      Fail(info.Env(), op,
           "target[" + std::to_string(k) + "] = " + std::to_string(t.data[k]) + " is not a class in [0, " +
               std::to_string(d.c) + ") or -1");
  return t;
}

// classLoss(mode, x, outer, c, inner, target, weight, ignoreIndex, labelSmoothing, reduction,
//           targetOut, logp, loss, info) -> index of the first invalid target, or -1.
// mode 0: cross-entropy on logits x (logp receives log_softmax(x); null when no backward follows);
// mode 1: NLL on log-probabilities x
// (logp unused: pass null). target: Int32Array, Float32Array or Float64Array of class indices;
// targetOut (Int32Array) receives them converted (-1 where ignored); info[0] the total weight.
Napi::Value ClassLossJs(const Info& info) {
  const char* op = "classLoss";
  Napi::Env env = info.Env();
  const int mode = static_cast<int>(ArgInt(info, 0, op, "mode", 0, 1));
  F32 x = ArgF32(info, 1, op, "input");
  const ClassDims d = ArgClassDims(info, 2, op);
  RequireLen(env, op, "input", x.length, d.volume);

  void* tdata = nullptr;
  size_t tlen = 0;
  napi_typedarray_type ttype;
  napi_value tbuf;
  size_t toff;
  if (napi_get_typedarray_info(env, info[5], &ttype, &tlen, &tdata, &tbuf, &toff) != napi_ok ||
      (ttype != napi_int32_array && ttype != napi_float32_array && ttype != napi_float64_array))
    throw Napi::TypeError::New(
        env, std::string("torchlet.") + op + ": target must be an Int32Array, Float32Array or Float64Array");
  RequireLen(env, op, "target", static_cast<int64_t>(tlen), d.m);

  F32 w = ArgClassWeight(info, 6, op, d.c);
  const double ignore_index = ArgNumber(info, 7, op, "ignoreIndex");
  const double eps = ArgEps(info, 8, op);
  const int reduction = ArgReduction(info, 9, op);
  I32 tout = ArgI32(info, 10, op, "targetOut");
  RequireLen(env, op, "targetOut", tout.length, d.m);
  F32 logp = ArgF32(info, 11, op, "logp", true);
  // Cross-entropy without a logp buffer (nothing to backpropagate): log_softmax is not kept.
  if (mode == 0 && Given(info, 11)) RequireLen(env, op, "logp", logp.length, d.volume);
  F32 loss = ArgF32(info, 12, op, "loss");
  RequireLossLen(env, op, "loss", loss.length, reduction, d.m);
  void* idata = nullptr;
  size_t ilen = 0;
  if (!TypedArrayInfo(info, 13, napi_float64_array, &idata, &ilen))
    throw Napi::TypeError::New(env, std::string("torchlet.") + op + ": info must be a Float64Array");
  RequireLen(env, op, "info", static_cast<int64_t>(ilen), 1, true);

  int64_t bad;
  if (ttype == napi_int32_array)
    bad = ConvertClassTargets(static_cast<const int32_t*>(tdata), d.m, d.c, ignore_index, tout.data);
  else if (ttype == napi_float32_array)
    bad = ConvertClassTargets(static_cast<const float*>(tdata), d.m, d.c, ignore_index, tout.data);
  else
    bad = ConvertClassTargets(static_cast<const double*>(tdata), d.m, d.c, ignore_index, tout.data);
  if (bad >= 0) return Napi::Number::New(env, static_cast<double>(bad));

  double total;
  if (mode == 0)
    total = CrossEntropyForward(x.data, d.outer, d.c, d.inner, tout.data, w.data, eps, reduction,
                                Given(info, 11) ? logp.data : nullptr, loss.data);
  else
    total = ClassNllForward(x.data, d.outer, d.c, d.inner, tout.data, w.data, eps, reduction, loss.data);
  static_cast<double*>(idata)[0] = total;
  return Napi::Number::New(env, -1);
}

// classLossBackward(mode, logp, outer, c, inner, target, weight, labelSmoothing, reduction, totalWeight,
//                   gradOutput, gradInput). target: classLoss's targetOut; logp: its logp (mode 0 only).
Napi::Value ClassLossBackwardJs(const Info& info) {
  const char* op = "classLossBackward";
  Napi::Env env = info.Env();
  const int mode = static_cast<int>(ArgInt(info, 0, op, "mode", 0, 1));
  F32 logp = ArgF32(info, 1, op, "logp", true);
  const ClassDims d = ArgClassDims(info, 2, op);
  // Cross-entropy without a logp buffer (nothing to backpropagate): log_softmax is not kept.
  if (mode == 0 && Given(info, 11)) RequireLen(env, op, "logp", logp.length, d.volume);
  I32 t = ArgConvertedTargets(info, 5, op, d);
  F32 w = ArgClassWeight(info, 6, op, d.c);
  const double eps = ArgEps(info, 7, op);
  const int reduction = ArgReduction(info, 8, op);
  const double total = ArgNumber(info, 9, op, "totalWeight");
  F32 g = ArgF32(info, 10, op, "gradOutput");
  RequireLossLen(env, op, "gradOutput", g.length, reduction, d.m);
  F32 gx = ArgF32(info, 11, op, "gradInput");
  RequireLen(env, op, "gradInput", gx.length, d.volume);
  if (d.volume == 0) return env.Undefined();
  if (mode == 0)
    CrossEntropyBackward(logp.data, d.outer, d.c, d.inner, t.data, w.data, eps, reduction, total, g.data, g.length,
                         gx.data);
  else
    ClassNllBackward(d.outer, d.c, d.inner, t.data, w.data, eps, reduction, total, g.data, g.length, gx.data);
  return env.Undefined();
}

// crossEntropyProbs(x, p, outer, c, inner, weight, labelSmoothing, reduction, logp, loss)
Napi::Value CrossEntropyProbsJs(const Info& info) {
  const char* op = "crossEntropyProbs";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), p = ArgF32(info, 1, op, "target");
  const ClassDims d = ArgClassDims(info, 2, op);
  RequireLen(env, op, "input", x.length, d.volume);
  RequireLen(env, op, "target", p.length, d.volume);
  F32 w = ArgClassWeight(info, 5, op, d.c);
  const double eps = ArgEps(info, 6, op);
  const int reduction = ArgReduction(info, 7, op);
  F32 logp = ArgF32(info, 8, op, "logp");
  RequireLen(env, op, "logp", logp.length, d.volume);
  F32 loss = ArgF32(info, 9, op, "loss");
  RequireLossLen(env, op, "loss", loss.length, reduction, d.m);
  CrossEntropyProbsForward(x.data, p.data, d.outer, d.c, d.inner, w.data, eps, reduction, logp.data, loss.data);
  return env.Undefined();
}

// crossEntropyProbsBackward(logp, p, outer, c, inner, weight, labelSmoothing, reduction, gradOutput,
//                           gradInput | null, gradTarget | null)
Napi::Value CrossEntropyProbsBackwardJs(const Info& info) {
  const char* op = "crossEntropyProbsBackward";
  Napi::Env env = info.Env();
  F32 logp = ArgF32(info, 0, op, "logp"), p = ArgF32(info, 1, op, "target");
  const ClassDims d = ArgClassDims(info, 2, op);
  RequireLen(env, op, "logp", logp.length, d.volume);
  RequireLen(env, op, "target", p.length, d.volume);
  F32 w = ArgClassWeight(info, 5, op, d.c);
  const double eps = ArgEps(info, 6, op);
  const int reduction = ArgReduction(info, 7, op);
  F32 g = ArgF32(info, 8, op, "gradOutput");
  RequireLossLen(env, op, "gradOutput", g.length, reduction, d.m);
  F32 gx = ArgF32(info, 9, op, "gradInput", true), gp = ArgF32(info, 10, op, "gradTarget", true);
  if (Given(info, 9)) RequireLen(env, op, "gradInput", gx.length, d.volume);
  if (Given(info, 10)) RequireLen(env, op, "gradTarget", gp.length, d.volume);
  CrossEntropyProbsBackward(logp.data, p.data, d.outer, d.c, d.inner, w.data, eps, reduction, g.data, g.length, gx.data,
                            gp.data);
  return env.Undefined();
}

// pointwiseLoss(kind, x, y, reduction, loss): kind 0 = MSE, 1 = L1.
Napi::Value PointwiseLossJs(const Info& info) {
  const char* op = "pointwiseLoss";
  Napi::Env env = info.Env();
  const int kind = static_cast<int>(ArgInt(info, 0, op, "kind", kMseLoss, kL1Loss));
  F32 x = ArgF32(info, 1, op, "input"), y = ArgF32(info, 2, op, "target");
  RequireLen(env, op, "target", y.length, x.length);
  const int reduction = ArgReduction(info, 3, op);
  F32 loss = ArgF32(info, 4, op, "loss");
  RequireLossLen(env, op, "loss", loss.length, reduction, x.length);
  PointwiseLossForward(kind, x.data, y.data, x.length, reduction, loss.data);
  return env.Undefined();
}

// pointwiseLossBackward(kind, x, y, reduction, gradOutput, gradInput | null, gradTarget | null)
Napi::Value PointwiseLossBackwardJs(const Info& info) {
  const char* op = "pointwiseLossBackward";
  Napi::Env env = info.Env();
  const int kind = static_cast<int>(ArgInt(info, 0, op, "kind", kMseLoss, kL1Loss));
  F32 x = ArgF32(info, 1, op, "input"), y = ArgF32(info, 2, op, "target");
  RequireLen(env, op, "target", y.length, x.length);
  const int reduction = ArgReduction(info, 3, op);
  F32 g = ArgF32(info, 4, op, "gradOutput");
  RequireLossLen(env, op, "gradOutput", g.length, reduction, x.length);
  F32 gx = ArgF32(info, 5, op, "gradInput", true), gy = ArgF32(info, 6, op, "gradTarget", true);
  if (Given(info, 5)) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (Given(info, 6)) RequireLen(env, op, "gradTarget", gy.length, x.length);
  PointwiseLossBackward(kind, x.data, y.data, x.length, reduction, g.data, g.length, gx.data, gy.data);
  return env.Undefined();
}

// A periodic (broadcast over leading dims) per-item weight: null, or a length dividing n.
F32 ArgPeriodic(const Info& info, size_t i, const char* op, const char* name, int64_t n) {
  F32 w = ArgF32(info, i, op, name, true);
  if (Given(info, i)) {
    Require(info.Env(), w.length > 0 ? n % w.length == 0 : n == 0, op,
            std::string(name) + " holds " + std::to_string(w.length) + " values, which does not divide the input's " +
                std::to_string(n));
  }
  return w;
}

// bceWithLogits(x, y, weight | null, posWeight | null, reduction, loss)
Napi::Value BceWithLogitsJs(const Info& info) {
  const char* op = "bceWithLogits";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), y = ArgF32(info, 1, op, "target");
  RequireLen(env, op, "target", y.length, x.length);
  F32 w = ArgPeriodic(info, 2, op, "weight", x.length), pw = ArgPeriodic(info, 3, op, "posWeight", x.length);
  const int reduction = ArgReduction(info, 4, op);
  F32 loss = ArgF32(info, 5, op, "loss");
  RequireLossLen(env, op, "loss", loss.length, reduction, x.length);
  BceWithLogitsForward(x.data, y.data, x.length, w.data, w.length, pw.data, pw.length, reduction, loss.data);
  return env.Undefined();
}

// bceWithLogitsBackward(x, y, weight | null, posWeight | null, reduction, gradOutput, gradInput | null,
//                       gradTarget | null)
Napi::Value BceWithLogitsBackwardJs(const Info& info) {
  const char* op = "bceWithLogitsBackward";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "input"), y = ArgF32(info, 1, op, "target");
  RequireLen(env, op, "target", y.length, x.length);
  F32 w = ArgPeriodic(info, 2, op, "weight", x.length), pw = ArgPeriodic(info, 3, op, "posWeight", x.length);
  const int reduction = ArgReduction(info, 4, op);
  F32 g = ArgF32(info, 5, op, "gradOutput");
  RequireLossLen(env, op, "gradOutput", g.length, reduction, x.length);
  F32 gx = ArgF32(info, 6, op, "gradInput", true), gy = ArgF32(info, 7, op, "gradTarget", true);
  if (Given(info, 6)) RequireLen(env, op, "gradInput", gx.length, x.length);
  if (Given(info, 7)) RequireLen(env, op, "gradTarget", gy.length, x.length);
  BceWithLogitsBackward(x.data, y.data, x.length, w.data, w.length, pw.data, pw.length, reduction, g.data, g.length,
                        gx.data, gy.data);
  return env.Undefined();
}

// gatherRows(src, rows, row, indices, out): out[j] = src row indices[j] (src: rows x row floats).
Napi::Value GatherRowsJs(const Info& info) {
  const char* op = "gatherRows";
  Napi::Env env = info.Env();
  F32 src = ArgF32(info, 0, op, "src");
  const int64_t rows = ArgInt(info, 1, op, "rows", 0, INT32_MAX), row = ArgInt(info, 2, op, "row", 0);
  I32 idx = ArgI32(info, 3, op, "indices");
  F32 out = ArgF32(info, 4, op, "out");
  RequireLen(env, op, "src", src.length, CheckedVolume(env, op, rows, row, 1));
  RequireLen(env, op, "out", out.length, CheckedVolume(env, op, idx.length, row, 1));
  for (int64_t j = 0; j < idx.length; ++j)
    if (idx.data[j] < 0 || idx.data[j] >= rows)
      Fail(env, op,
           "index " + std::to_string(idx.data[j]) + " at " + std::to_string(j) + " is out of range for " +
               std::to_string(rows) + " rows");
  GatherRows(src.data, row, idx.data, idx.length, out.data);
  return env.Undefined();
}

}  // namespace

void RegisterLossOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"classLoss", ClassLossJs},
      {"classLossBackward", ClassLossBackwardJs},
      {"crossEntropyProbs", CrossEntropyProbsJs},
      {"crossEntropyProbsBackward", CrossEntropyProbsBackwardJs},
      {"pointwiseLoss", PointwiseLossJs},
      {"pointwiseLossBackward", PointwiseLossBackwardJs},
      {"bceWithLogits", BceWithLogitsJs},
      {"bceWithLogitsBackward", BceWithLogitsBackwardJs},
      {"gatherRows", GatherRowsJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
