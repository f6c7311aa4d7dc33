// matmul off the main thread: a napi_async_work runs the same SGEMM on a libuv worker, which hands
// the tiles to the kernel thread pool. Inputs and output stay referenced until the work completes;
// the TS layer also marks them busy so nothing writes to them meanwhile.
//
// Teardown: worker.terminate() (or the main thread exiting) with work in flight makes Node wait
// for the libuv work and then run our completion on an environment that can no longer run JS.
// Settling the promise there fails; node-addon-api turns that failure into a C++ exception thrown
// out of a C callback, which aborted the whole process. So this file uses the C API directly,
// settles only through non-throwing calls, and skips the settle once the environment is going away
// (InstanceData::tearing_down, set by an env cleanup hook) or when the settle call fails.
#include <napi.h>

#include <exception>
#include <new>
#include <string>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/gemm.h"

namespace torchlet {
namespace {

struct GemmJob {
  napi_env env = nullptr;
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref refs[3] = {nullptr, nullptr, nullptr};
  int64_t batch = 0, m = 0, n = 0, k = 0, sa = 0, sb = 0, sc = 0;
  bool ta = false, tb = false;
  const float* a = nullptr;
  const float* b = nullptr;
  float* c = nullptr;
  // Set on the libuv thread, read on the JS thread after the work completes (libuv orders them).
  std::string error;
};

void Execute(napi_env, void* data) {
  auto* j = static_cast<GemmJob*>(data);
  // An exception escaping a libuv thread would call std::terminate: turn it into a rejection.
  try {
    for (int64_t i = 0; i < j->batch; ++i)
      Sgemm(j->ta, j->tb, j->m, j->n, j->k, 1.0f, j->a + i * j->sa, j->ta ? j->m : j->k, j->b + i * j->sb,
            j->tb ? j->k : j->n, 0.0f, j->c + i * j->sc, j->n);
  } catch (const std::bad_alloc&) {
    j->error = "torchlet.matmulAsync: out of memory";
  } catch (const std::exception& e) {
    j->error = std::string("torchlet.matmulAsync: ") + e.what();
  } catch (...) {
    j->error = "torchlet.matmulAsync: unknown native error";
  }
}

// Runs on the JS thread, also during environment teardown. Never throws; every N-API status is
// checked and a failure only means the promise is left unsettled (nobody can observe it any more).
void Complete(napi_env env, napi_status status, void* data) {
  auto* j = static_cast<GemmJob*>(data);
  InstanceData* inst = nullptr;
  napi_get_instance_data(env, reinterpret_cast<void**>(&inst));
  const bool alive = inst != nullptr && !inst->tearing_down;
  if (alive && j->deferred != nullptr) {
    napi_value v = nullptr;
    napi_status s;
    if (status == napi_ok && j->error.empty()) {
      s = napi_get_undefined(env, &v);
      if (s == napi_ok) s = napi_resolve_deferred(env, j->deferred, v);
    } else {
      const std::string msg = status == napi_cancelled ? "torchlet.matmulAsync: cancelled"
                              : j->error.empty()       ? "torchlet.matmulAsync: native work failed"
                                                       : j->error;
      napi_value text = nullptr;
      s = napi_create_string_utf8(env, msg.c_str(), msg.size(), &text);
      if (s == napi_ok) s = napi_create_error(env, nullptr, text, &v);
      if (s == napi_ok) s = napi_reject_deferred(env, j->deferred, v);
    }
    if (s != napi_ok) {
      // A failed settle can leave an exception pending; clear it so Node does not report it.
      bool pending = false;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
    }
  }
  for (napi_ref& r : j->refs)
    if (r != nullptr) napi_delete_reference(env, r);
  napi_delete_async_work(env, j->work);
  delete j;
}

Napi::Value GemmAsync(const Napi::CallbackInfo& info) {
  const char* op = "matmulAsync";
  Napi::Env env = info.Env();
  InstanceData& inst = Instance(env);
  if (inst.tearing_down) Fail(env, op, "the environment is shutting down");
  GemmJob j;
  j.batch = ArgInt(info, 0, op, "batch", 0);
  j.ta = ArgBool(info, 1);
  j.tb = ArgBool(info, 2);
  j.m = ArgInt(info, 3, op, "m", 0);
  j.n = ArgInt(info, 4, op, "n", 0);
  j.k = ArgInt(info, 5, op, "k", 0);
  F32 a = ArgF32(info, 6, op, "a"), b = ArgF32(info, 8, op, "b"), c = ArgF32(info, 10, op, "c");
  j.sa = ArgInt(info, 7, op, "strideA", 0);
  j.sb = ArgInt(info, 9, op, "strideB", 0);
  j.sc = ArgInt(info, 11, op, "strideC", 0);
  if (j.batch > 0 && j.m > 0 && j.n > 0) {
    RequireLen(env, op, "a", a.length, Span(env, op, j.batch, j.sa, Vol(env, op, {j.m, j.k})), true);
    RequireLen(env, op, "b", b.length, Span(env, op, j.batch, j.sb, Vol(env, op, {j.k, j.n})), true);
    RequireLen(env, op, "c", c.length, Span(env, op, j.batch, j.sc, Vol(env, op, {j.m, j.n})), true);
    Require(env, j.sc >= Vol(env, op, {j.m, j.n}) || j.batch == 1, op, "output batch items overlap");
  }
  // Nothing to compute: skip the loop, which would otherwise spin through up to 2^50 empty items
  // (found by scripts/fuzz.js: batch 2^32 with m = 0 kept a libuv thread busy for 13 s).
  if (j.batch == 0 || j.m == 0 || j.n == 0) j.batch = 0;
  j.a = a.data;
  j.b = b.data;
  j.c = c.data;

  // Validation is over: from here on failures are N-API errors, and the job owns its handles.
  auto* job = new GemmJob(j);
  job->env = env;
  auto fail = [&](const char* what) -> Napi::Value {
    for (napi_ref& r : job->refs)
      if (r != nullptr) napi_delete_reference(env, r);
    if (job->work != nullptr) napi_delete_async_work(env, job->work);
    delete job;
    Fail(env, op, what);
  };
  for (int i = 0; i < 3; ++i)
    if (napi_create_reference(env, info[6 + 2 * i], 1, &job->refs[i]) != napi_ok)
      return fail("cannot reference an operand");
  napi_value name = nullptr, promise = nullptr;
  if (napi_create_string_utf8(env, "torchlet.matmulAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, nullptr, name, Execute, Complete, job, &job->work) != napi_ok)
    return fail("cannot create the async work");
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) return fail("cannot create a promise");
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    // The deferred is dropped unsettled with the job; the caller gets the thrown error instead.
    return fail("cannot queue the async work");
  }
  return Napi::Value(env, promise);
}

}  // namespace

void RegisterAsyncOps(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmAsync", Napi::Function::New(env, GemmAsync, "gemmAsync"));
}

}  // namespace torchlet
