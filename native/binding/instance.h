// Per-environment state (one per main thread or worker_thread), stored with napi_set_instance_data:
// no process-global JS state, so the addon is safe to load in several worker_threads.
#pragma once
#include <napi.h>

#include "core/random.h"

namespace torchlet {

struct InstanceData {
  Rng rng;
  // Set by an env cleanup hook when the environment starts tearing down (worker.terminate(), process
  // exit). Async completions that still run afterwards skip settling their promise. Only touched on
  // the environment's own JS thread.
  bool tearing_down = false;
};

inline InstanceData& Instance(Napi::Env env) { return *env.GetInstanceData<InstanceData>(); }

void RegisterRuntime(Napi::Env env, Napi::Object exports);
void RegisterTensorOps(Napi::Env env, Napi::Object exports);
void RegisterNnOps(Napi::Env env, Napi::Object exports);
void RegisterAsyncOps(Napi::Env env, Napi::Object exports);
void RegisterLossOps(Napi::Env env, Napi::Object exports);
void RegisterDtypeOps(Napi::Env env, Napi::Object exports);

}  // namespace torchlet
