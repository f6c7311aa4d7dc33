// Runtime: backend info, threads, seeding, and freeing tensor storage.
#include <napi.h>

#include <string>
#include <thread>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/allocator_tuning.h"
#include "core/cpu_features.h"
#include "core/denormal.h"
#include "core/kernel_table.h"
#include "core/thread_pool.h"

#ifndef TORCHLET_VERSION
#define TORCHLET_VERSION "0.1.0"
#endif

namespace torchlet {
namespace {

Napi::Value Backend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("isa", Kernels().name);
  o.Set("isaDetected", IsaName(DetectBestIsa()));
  auto supported = Napi::Array::New(env);
  uint32_t k = 0;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon})
    if (IsaSupported(isa)) supported.Set(k++, IsaName(isa));
  o.Set("isaSupported", supported);
  o.Set("isaNote", IsaNote());
  o.Set("threads", GetNumThreads());
  o.Set("hardwareConcurrency", static_cast<double>(std::thread::hardware_concurrency()));
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("mallocTuned", TuneAllocatorOnce());
  return o;
}

Napi::Value SetNumThreadsJs(const Napi::CallbackInfo& info) {
  SetNumThreads(static_cast<int>(ArgInt(info, 0, "setNumThreads", "n", 1, 1024)));
  return info.Env().Undefined();
}

Napi::Value GetNumThreadsJs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), GetNumThreads()); }

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  const double d = ArgNumber(info, 0, "manualSeed", "seed");
  Instance(info.Env()).rng.Seed(static_cast<uint64_t>(static_cast<int64_t>(d)));
  return info.Env().Undefined();
}

// Detaching an ArrayBuffer that JS allocated drops V8's only reference to its backing store, so the
// memory is returned at once instead of at the next GC (Tensor.dispose).
Napi::Value DetachBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsArrayBuffer()) throw Napi::TypeError::New(info.Env(), "torchlet.dispose: expected an ArrayBuffer");
  auto ab = info[0].As<Napi::ArrayBuffer>();
  if (!ab.IsDetached()) ab.Detach();
  return info.Env().Undefined();
}

// setFlushDenormal(on): like torch.set_flush_denormal; returns whether the CPU supports it.
Napi::Value SetFlushDenormalJs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), SetFlushDenormal(ArgBool(info, 0)));
}

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  // A kernel file that left a required entry unset fails loudly at load (every ISA's table is
  // loaded by the cross-ISA tests), not with a null call in the middle of a forward.
  if (const char* missing = MissingKernel(Kernels())) {
    throw Napi::Error::New(env, std::string("torchlet: the ") + Kernels().name + " kernel table has no " + missing);
  }
  exports.Set("backend", Napi::Function::New(env, Backend, "backend"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreadsJs, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreadsJs, "getNumThreads"));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed, "manualSeed"));
  exports.Set("setFlushDenormal", Napi::Function::New(env, SetFlushDenormalJs, "setFlushDenormal"));
  exports.Set("detachBuffer", Napi::Function::New(env, DetachBuffer, "detachBuffer"));
}

}  // namespace torchlet
