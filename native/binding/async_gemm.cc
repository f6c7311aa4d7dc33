// matmul off the main thread: an AsyncWorker runs the same SGEMM on a libuv worker, which hands
// the tiles to the kernel thread pool. Inputs and output stay referenced until the promise
// settles; the TS layer also marks them busy so nothing writes to them meanwhile.
#include <napi.h>

#include <vector>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/gemm.h"

namespace torchlet {
namespace {

class GemmWorker : public Napi::AsyncWorker {
 public:
  GemmWorker(Napi::Env env, const Napi::CallbackInfo& info)
      : Napi::AsyncWorker(env, "torchlet.matmulAsync"), deferred_(Napi::Promise::Deferred::New(env)) {
    const char* op = "matmulAsync";
    batch_ = ArgInt(info, 0, op, "batch", 0);
    ta_ = ArgBool(info, 1);
    tb_ = ArgBool(info, 2);
    m_ = ArgInt(info, 3, op, "m", 0);
    n_ = ArgInt(info, 4, op, "n", 0);
    k_ = ArgInt(info, 5, op, "k", 0);
    F32 a = ArgF32(info, 6, op, "a"), b = ArgF32(info, 8, op, "b"), c = ArgF32(info, 10, op, "c");
    sa_ = ArgInt(info, 7, op, "strideA", 0);
    sb_ = ArgInt(info, 9, op, "strideB", 0);
    sc_ = ArgInt(info, 11, op, "strideC", 0);
    if (batch_ > 0 && m_ > 0 && n_ > 0) {
      RequireLen(env, op, "a", a.length, Span(env, op, batch_, sa_, Vol(env, op, {m_, k_})), true);
      RequireLen(env, op, "b", b.length, Span(env, op, batch_, sb_, Vol(env, op, {k_, n_})), true);
      RequireLen(env, op, "c", c.length, Span(env, op, batch_, sc_, Vol(env, op, {m_, n_})), true);
      Require(env, sc_ >= m_ * n_ || batch_ == 1, op, "output batch items overlap");
    }
    a_ = a.data;
    b_ = b.data;
    c_ = c.data;
    for (size_t i : {6, 8, 10}) refs_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    for (int64_t i = 0; i < batch_; ++i)
      Sgemm(ta_, tb_, m_, n_, k_, 1.0f, a_ + i * sa_, ta_ ? m_ : k_, b_ + i * sb_, tb_ ? k_ : n_, 0.0f, c_ + i * sc_, n_);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  int64_t batch_, m_, n_, k_, sa_, sb_, sc_;
  bool ta_, tb_;
  const float* a_;
  const float* b_;
  float* c_;
};

Napi::Value GemmAsync(const Napi::CallbackInfo& info) {
  auto* w = new GemmWorker(info.Env(), info);  // deleted by node-addon-api after OnOK/OnError
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void RegisterAsyncOps(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmAsync", Napi::Function::New(env, GemmAsync, "gemmAsync"));
}

}  // namespace torchlet
