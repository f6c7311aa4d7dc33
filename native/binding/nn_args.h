// The checked readers of the nn params arrays (binding/ops_nn.cc), shared with the plan builder
// (binding/ops_plan.cc) so a traced step is validated exactly as the op it came from.
#pragma once
#include <napi.h>

#include "core/conv2d.h"
#include "core/pool2d.h"

namespace torchlet {

// info[i]: a conv2d params array (paramLayouts.conv2d); throws a JS error naming `op` if invalid.
Conv2dParams CheckedConvParams(const Napi::CallbackInfo& info, size_t i, const char* op);
// info[i]: a pool2d params array (paramLayouts.pool2d).
Pool2dParams CheckedPoolParams(const Napi::CallbackInfo& info, size_t i, const char* op);

}  // namespace torchlet
