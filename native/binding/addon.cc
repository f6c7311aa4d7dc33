// Module entry: instance data and the export table. Each ops_*.cc registers its own functions.
#include <napi.h>

#include "binding/instance.h"
#include "core/allocator_tuning.h"

namespace torchlet {

void RegisterLayerOps(Napi::Env env, Napi::Object exports);      // binding/ops_layers.cc
void RegisterPlanOps(Napi::Env env, Napi::Object exports);       // binding/ops_plan.cc
void RegisterAttentionOps(Napi::Env env, Napi::Object exports);  // binding/ops_attention.cc
void RegisterLayerOps2(Napi::Env env, Napi::Object exports);     // binding/ops_layers2.cc

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TuneAllocatorOnce();
  auto* data = new InstanceData();
  data->rng.Seed(0x5eed);
  env.SetInstanceData(data);  // deleted by node-addon-api when the environment tears down
  // Runs when the environment starts tearing down, before the instance data is freed: from then on
  // async completions must not try to settle promises (see async_gemm.cc).
  napi_add_env_cleanup_hook(
      env, [](void* arg) { static_cast<InstanceData*>(arg)->tearing_down = true; }, data);
  RegisterRuntime(env, exports);
  RegisterTensorOps(env, exports);
  RegisterNnOps(env, exports);
  RegisterAsyncOps(env, exports);
  RegisterLossOps(env, exports);
  RegisterDtypeOps(env, exports);
  RegisterLayerOps(env, exports);
  RegisterPlanOps(env, exports);
  RegisterAttentionOps(env, exports);
  RegisterLayerOps2(env, exports);
  return exports;
}

}  // namespace torchlet

// The macro token-pastes its second argument, so it needs an unqualified name.
static Napi::Object InitTorchlet(Napi::Env env, Napi::Object exports) { return torchlet::Init(env, exports); }
NODE_API_MODULE(torchlet, InitTorchlet)
