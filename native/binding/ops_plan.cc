// Traced plans (torch.jit.trace): the TS layer builds a plan step by step (planConv, planLinear,
// ...; every step re-checked here as the op it came from), finishes it, then runs it synchronously
// (planRun) or on a libuv worker (planRunAsync) while the event loop stays free.
//
// Async safety: the job owns a copy of the input and a shared_ptr to the plan, so neither the input
// array nor plan.dispose() can pull memory from under a run; the output is created on the JS thread
// at completion. Completion follows async_gemm.cc's teardown rules: C API only, never throws, no
// settle once the environment is tearing down.
#include <napi.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/instance.h"
#include "binding/nn_args.h"
#include "core/activation_ext.h"
#include "core/plan.h"

namespace torchlet {
namespace {

using PlanPtr = std::shared_ptr<Plan>;
using Info = Napi::CallbackInfo;

Napi::Value NewHandle(Napi::Env env, PlanPtr p) {
  return Napi::External<PlanPtr>::New(env, new PlanPtr(std::move(p)), [](Napi::Env, PlanPtr* h) { delete h; });
}

// The plan behind info[0]. `building`: the plan must still accept steps (else: must be finished).
Plan& ArgPlan(const Info& info, const char* op, bool building) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) Fail(env, op, "expected a plan handle");
  PlanPtr* h = info[0].As<Napi::External<PlanPtr>>().Data();
  if (h == nullptr || !*h) Fail(env, op, "the plan has been disposed");
  Plan& p = **h;
  if (building && p.finished()) Fail(env, op, "the plan is already finished");
  if (!building && !p.finished()) Fail(env, op, "the plan is not finished");
  return p;
}

PlanPtr ArgPlanPtr(const Info& info, const char* op) {
  ArgPlan(info, op, false);
  return *info[0].As<Napi::External<PlanPtr>>().Data();
}

int ArgValue(const Info& info, size_t i, const char* op, const char* name, const Plan& p) {
  return static_cast<int>(ArgInt(info, i, op, name, 0, p.NumValues() - 1));
}

// A step writes a value no step wrote before, and never the input.
void CheckOutput(Napi::Env env, const char* op, int out) { Require(env, out > 0, op, "a step cannot write the input"); }

// A step of `kind` reading the value at info[at] and writing the one at info[at + 1] (never the input).
PlanStep NewStep(const Info& info, const char* op, const Plan& p, PlanStepKind kind, size_t at) {
  PlanStep s{};
  s.kind = kind;
  s.in = ArgValue(info, at, op, "input", p);
  s.out = ArgValue(info, at + 1, op, "output", p);
  CheckOutput(info.Env(), op, s.out);
  return s;
}

std::vector<float> CopyF32(const F32& a) { return std::vector<float>(a.data, a.data + a.length); }

// info[i..i+2]: an activation code (-1: none) and its two parameters, for a fused or kAct step.
void ArgAct(const Info& info, size_t i, const char* op, PlanStep& s, bool required) {
  s.act = static_cast<int>(ArgInt(info, i, op, "activation", required ? 0 : -1, kActCount - 1));
  s.act_a = static_cast<float>(ArgNumber(info, i + 1, op, "a"));
  s.act_b = static_cast<float>(ArgNumber(info, i + 2, op, "b"));
}

Napi::Value PlanCreate(const Info& info) {
  const char* op = "planCreate";
  auto p = std::make_shared<Plan>();
  p->AddValue(ArgInt(info, 0, op, "inputSize", 1, int64_t(1) << 40));
  return NewHandle(info.Env(), std::move(p));
}

Napi::Value PlanValue(const Info& info) {
  const char* op = "planValue";
  Plan& p = ArgPlan(info, op, true);
  return Napi::Number::New(info.Env(), p.AddValue(ArgInt(info, 1, op, "size", 1, int64_t(1) << 40)));
}

// planConv(plan, in, out, params (n = 1), weight, bias | null, act, a, b)
Napi::Value PlanConv(const Info& info) {
  const char* op = "planConv";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kConv, 1);
  s.conv = CheckedConvParams(info, 3, op);
  Require(env, s.conv.n == 1, op, "params must describe one sample (n = 1)");
  F32 w = ArgF32(info, 4, op, "weight"), b = ArgF32(info, 5, op, "bias", true);
  const Conv2dParams& c = s.conv;
  RequireLen(env, op, "input value", p.ValueSize(s.in), Vol(env, op, {c.c, c.h, c.w}));
  RequireLen(env, op, "output value", p.ValueSize(s.out), Vol(env, op, {c.oc, c.oh, c.ow}));
  RequireLen(env, op, "weight", w.length, Vol(env, op, {c.oc, c.c / c.groups, c.kh, c.kw}));
  if (b.data) RequireLen(env, op, "bias", b.length, c.oc);
  s.w = CopyF32(w);
  if (b.data) s.bias = CopyF32(b);
  ArgAct(info, 6, op, s, false);
  p.AddStep(std::move(s));
  return env.Undefined();
}

// planPool(plan, kind 0 max | 1 avg, in, out, params (planes = channels of one sample))
Napi::Value PlanPool(const Info& info) {
  const char* op = "planPool";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  const int64_t kind = ArgInt(info, 1, op, "kind", 0, 1);
  PlanStep s = NewStep(info, op, p, kind == 0 ? PlanStepKind::kMaxPool : PlanStepKind::kAvgPool, 2);
  s.pool = CheckedPoolParams(info, 4, op);
  RequireLen(env, op, "input value", p.ValueSize(s.in), Vol(env, op, {s.pool.planes, s.pool.h, s.pool.w}));
  RequireLen(env, op, "output value", p.ValueSize(s.out), Vol(env, op, {s.pool.planes, s.pool.oh, s.pool.ow}));
  p.AddStep(std::move(s));
  return env.Undefined();
}

// planAdaptiveAvg(plan, in, out, c, h, w, oh, ow)
Napi::Value PlanAdaptiveAvg(const Info& info) {
  const char* op = "planAdaptiveAvg";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kAdaptiveAvg, 1);
  s.a = ArgInt(info, 3, op, "channels", 1, kMaxInt);
  s.b = ArgInt(info, 4, op, "h", 1, kMaxInt);
  s.c = ArgInt(info, 5, op, "w", 1, kMaxInt);
  s.d = ArgInt(info, 6, op, "oh", 1, kMaxInt);
  s.e = ArgInt(info, 7, op, "ow", 1, kMaxInt);
  Require(env, s.b * s.c < (int64_t(1) << 31), op, "plane too large");
  RequireLen(env, op, "input value", p.ValueSize(s.in), Vol(env, op, {s.a, s.b, s.c}));
  RequireLen(env, op, "output value", p.ValueSize(s.out), Vol(env, op, {s.a, s.d, s.e}));
  p.AddStep(std::move(s));
  return env.Undefined();
}

// planLinear(plan, in, out, rowsPerSample, inFeatures, outFeatures, weight, bias | null, act, a, b)
Napi::Value PlanLinear(const Info& info) {
  const char* op = "planLinear";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kLinear, 1);
  s.a = ArgInt(info, 3, op, "rows", 1, kMaxInt);
  s.b = ArgInt(info, 4, op, "inFeatures", 1, kMaxInt);
  s.c = ArgInt(info, 5, op, "outFeatures", 1, kMaxInt);
  F32 w = ArgF32(info, 6, op, "weight"), b = ArgF32(info, 7, op, "bias", true);
  RequireLen(env, op, "input value", p.ValueSize(s.in), Vol(env, op, {s.a, s.b}));
  RequireLen(env, op, "output value", p.ValueSize(s.out), Vol(env, op, {s.a, s.c}));
  RequireLen(env, op, "weight", w.length, Vol(env, op, {s.c, s.b}));
  if (b.data) RequireLen(env, op, "bias", b.length, s.c);
  s.w = CopyF32(w);
  if (b.data) s.bias = CopyF32(b);
  ArgAct(info, 8, op, s, false);
  p.AddStep(std::move(s));
  return env.Undefined();
}

// planAffine(plan, in, out, channels, hw, scale, shift, act, a, b): eval batch norm, y = x * scale + shift
Napi::Value PlanAffine(const Info& info) {
  const char* op = "planAffine";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kAffine, 1);
  s.a = ArgInt(info, 3, op, "channels", 1, kMaxInt);
  s.b = ArgInt(info, 4, op, "hw", 1, int64_t(1) << 40);
  F32 k = ArgF32(info, 5, op, "scale"), t = ArgF32(info, 6, op, "shift");
  RequireLen(env, op, "input value", p.ValueSize(s.in), Vol(env, op, {s.a, s.b}));
  RequireLen(env, op, "output value", p.ValueSize(s.out), Vol(env, op, {s.a, s.b}));
  RequireLen(env, op, "scale", k.length, s.a);
  RequireLen(env, op, "shift", t.length, s.a);
  s.w = CopyF32(k);
  s.bias = CopyF32(t);
  ArgAct(info, 7, op, s, false);
  p.AddStep(std::move(s));
  return env.Undefined();
}

// planAdd(plan, a, b, out, act, a, b), planRelu(plan, in, out), planAct(plan, in, out, act, a, b):
// same-size elementwise steps
Napi::Value PlanAdd(const Info& info) {
  const char* op = "planAdd";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s{};
  s.kind = PlanStepKind::kAdd;
  s.in = ArgValue(info, 1, op, "a", p);
  s.in2 = ArgValue(info, 2, op, "b", p);
  s.out = ArgValue(info, 3, op, "output", p);
  CheckOutput(env, op, s.out);
  RequireLen(env, op, "b value", p.ValueSize(s.in2), p.ValueSize(s.in));
  RequireLen(env, op, "output value", p.ValueSize(s.out), p.ValueSize(s.in));
  ArgAct(info, 4, op, s, false);
  p.AddStep(std::move(s));
  return env.Undefined();
}

Napi::Value PlanRelu(const Info& info) {
  const char* op = "planRelu";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kRelu, 1);
  RequireLen(env, op, "output value", p.ValueSize(s.out), p.ValueSize(s.in));
  p.AddStep(std::move(s));
  return env.Undefined();
}

Napi::Value PlanAct(const Info& info) {
  const char* op = "planAct";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, true);
  PlanStep s = NewStep(info, op, p, PlanStepKind::kAct, 1);
  RequireLen(env, op, "output value", p.ValueSize(s.out), p.ValueSize(s.in));
  ArgAct(info, 3, op, s, true);
  p.AddStep(std::move(s));
  return env.Undefined();
}

Napi::Value PlanFinish(const Info& info) {
  const char* op = "planFinish";
  Plan& p = ArgPlan(info, op, true);
  p.Finish(ArgValue(info, 1, op, "output", p));
  return info.Env().Undefined();
}

// The batch size n of an input array, checked against the plan's input size.
int64_t BatchOf(Napi::Env env, const char* op, const Plan& p, const F32& x, const Info& info, size_t i) {
  const int64_t n = ArgInt(info, i, op, "batch", 1, kMaxInt);
  RequireLen(env, op, "input", x.length, Vol(env, op, {n, p.InputSize()}));
  Vol(env, op, {n, p.OutputSize()});
  return n;
}

// planRun(plan, x, n, out): out receives n * outputSize items. (Outputs are allocated by the caller:
// a typed array made here would belong to no JS realm but the main one.)
Napi::Value PlanRun(const Info& info) {
  const char* op = "planRun";
  Napi::Env env = info.Env();
  Plan& p = ArgPlan(info, op, false);
  F32 x = ArgF32(info, 1, op, "input");
  const int64_t n = BatchOf(env, op, p, x, info, 2);
  F32 y = ArgF32(info, 3, op, "out");
  RequireLen(env, op, "out", y.length, Vol(env, op, {n, p.OutputSize()}));
  Require(env, y.data + y.length <= x.data || x.data + x.length <= y.data, op, "out overlaps the input");
  RunKernel(env, op, [&] { p.Run(n, x.data, y.data, nullptr); });
  return env.Undefined();
}

struct PlanJob {
  napi_env env = nullptr;
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref out = nullptr;  // the caller's output array, filled on the JS thread at completion
  PlanPtr plan;
  std::shared_ptr<std::atomic<int>> cancel;
  int64_t n = 0;
  std::vector<float> x, y;
  bool cancelled = false;
  std::string error;  // written on the libuv thread, read after completion
};

void ExecuteJob(napi_env, void* data) {
  auto* j = static_cast<PlanJob*>(data);
  try {
    j->y.resize(static_cast<size_t>(j->n * j->plan->OutputSize()));
    j->cancelled = !j->plan->Run(j->n, j->x.data(), j->y.data(), j->cancel.get());
  } catch (const std::bad_alloc&) {
    j->error = "plan.runAsync: out of memory";
  } catch (const std::exception& e) {
    j->error = std::string("plan.runAsync: ") + e.what();
  } catch (...) {
    j->error = "plan.runAsync: unknown native error";
  }
  // The input copy is not needed any more; free it before the completion is scheduled.
  std::vector<float>().swap(j->x);
}

void CompleteJob(napi_env env, napi_status status, void* data) {
  auto* j = static_cast<PlanJob*>(data);
  InstanceData* inst = nullptr;
  napi_get_instance_data(env, reinterpret_cast<void**>(&inst));
  if (inst != nullptr && !inst->tearing_down && j->deferred != nullptr) {
    napi_value v = nullptr;
    napi_status s;
    if (status == napi_ok && j->error.empty() && !j->cancelled) {
      // The output array is the caller's and nobody else's until the promise resolves, but re-check
      // its length: JS may have detached (transferred) its buffer meanwhile.
      napi_value arr = nullptr;
      napi_typedarray_type type;
      size_t len = 0;
      void* bytes = nullptr;
      s = napi_get_reference_value(env, j->out, &arr);
      if (s == napi_ok && arr != nullptr) s = napi_get_typedarray_info(env, arr, &type, &len, &bytes, nullptr, nullptr);
      if (s == napi_ok && arr != nullptr && len == j->y.size()) {
        if (len) std::memcpy(bytes, j->y.data(), len * sizeof(float));
        s = napi_get_undefined(env, &v);
        if (s == napi_ok) s = napi_resolve_deferred(env, j->deferred, v);
      } else if (s == napi_ok) {
        napi_value text = nullptr;
        s = napi_create_string_utf8(env, "plan.runAsync: the output buffer was detached", NAPI_AUTO_LENGTH, &text);
        if (s == napi_ok) s = napi_create_error(env, nullptr, text, &v);
        if (s == napi_ok) s = napi_reject_deferred(env, j->deferred, v);
      }
    } else {
      const std::string msg = j->cancelled || status == napi_cancelled ? "plan.runAsync: aborted"
                              : j->error.empty()                       ? "plan.runAsync: native work failed"
                                                                       : j->error;
      napi_value text = nullptr, code = nullptr;
      s = napi_create_string_utf8(env, msg.c_str(), msg.size(), &text);
      if (s == napi_ok && (j->cancelled || status == napi_cancelled))
        s = napi_create_string_utf8(env, "ABORT_ERR", NAPI_AUTO_LENGTH, &code);
      if (s == napi_ok) s = napi_create_error(env, code, text, &v);
      if (s == napi_ok) s = napi_reject_deferred(env, j->deferred, v);
    }
    if (s != napi_ok) {
      bool pending = false;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
    }
  }
  if (j->out != nullptr) napi_delete_reference(env, j->out);
  napi_delete_async_work(env, j->work);
  delete j;
}

// planRunAsync(plan, x, n, out) -> { promise (resolves once out is filled), cancel: for planCancel }
Napi::Value PlanRunAsync(const Info& info) {
  const char* op = "planRunAsync";
  Napi::Env env = info.Env();
  if (Instance(env).tearing_down) Fail(env, op, "the environment is shutting down");
  PlanPtr plan = ArgPlanPtr(info, op);
  F32 x = ArgF32(info, 1, op, "input");
  const int64_t n = BatchOf(env, op, *plan, x, info, 2);
  F32 y = ArgF32(info, 3, op, "out");
  RequireLen(env, op, "out", y.length, Vol(env, op, {n, plan->OutputSize()}));
  auto* job = new PlanJob();
  job->env = env;
  job->plan = std::move(plan);
  job->n = n;
  job->cancel = std::make_shared<std::atomic<int>>(0);
  try {
    job->x.assign(x.data, x.data + x.length);  // the run never reads caller memory
  } catch (const std::bad_alloc&) {
    delete job;
    Fail(env, op, "out of memory");
  }
  auto cancel = Napi::External<std::shared_ptr<std::atomic<int>>>::New(
      env, new std::shared_ptr<std::atomic<int>>(job->cancel),
      [](Napi::Env, std::shared_ptr<std::atomic<int>>* c) { delete c; });
  auto fail = [&](const char* what) -> Napi::Value {
    if (job->out != nullptr) napi_delete_reference(env, job->out);
    if (job->work != nullptr) napi_delete_async_work(env, job->work);
    delete job;
    Fail(env, op, what);
  };
  if (napi_create_reference(env, info[3], 1, &job->out) != napi_ok) return fail("cannot reference the output");
  napi_value name = nullptr, promise = nullptr;
  if (napi_create_string_utf8(env, "torchlet.plan.runAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, nullptr, name, ExecuteJob, CompleteJob, job, &job->work) != napi_ok)
    return fail("cannot create the async work");
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) return fail("cannot create a promise");
  if (napi_queue_async_work(env, job->work) != napi_ok) return fail("cannot queue the async work");
  auto out = Napi::Object::New(env);
  out.Set("promise", Napi::Value(env, promise));
  out.Set("cancel", cancel);
  return out;
}

// planCancel(cancelHandle): the run stops before its next step and rejects with ABORT_ERR.
Napi::Value PlanCancel(const Info& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) Fail(env, "planCancel", "expected a run handle");
  auto* c = info[0].As<Napi::External<std::shared_ptr<std::atomic<int>>>>().Data();
  if (c != nullptr && *c) (*c)->store(1, std::memory_order_relaxed);
  return env.Undefined();
}

// planDispose(plan): drops this handle's reference; runs in flight keep theirs.
Napi::Value PlanDispose(const Info& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) Fail(env, "planDispose", "expected a plan handle");
  PlanPtr* h = info[0].As<Napi::External<PlanPtr>>().Data();
  if (h != nullptr) h->reset();
  return env.Undefined();
}

}  // namespace

void RegisterPlanOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"planCreate", PlanCreate},
      {"planValue", PlanValue},
      {"planConv", PlanConv},
      {"planPool", PlanPool},
      {"planAdaptiveAvg", PlanAdaptiveAvg},
      {"planLinear", PlanLinear},
      {"planAffine", PlanAffine},
      {"planAdd", PlanAdd},
      {"planRelu", PlanRelu},
      {"planAct", PlanAct},
      {"planFinish", PlanFinish},
      {"planRun", PlanRun},
      {"planRunAsync", PlanRunAsync},
      {"planCancel", PlanCancel},
      {"planDispose", PlanDispose},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
