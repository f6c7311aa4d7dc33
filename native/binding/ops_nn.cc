// Neural-network layer ops (conv, pooling, batch norm, linear): forward and backward.
#include <napi.h>

#include "binding/args.h"
#include "binding/instance.h"

namespace torchlet {

void RegisterNnOps(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace torchlet
