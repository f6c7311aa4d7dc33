// The activations beyond relu/sigmoid/tanh (ReLU6, LeakyReLU, ELU, GELU, SiLU, Mish, Hardswish,
// Hardsigmoid, Softplus, Softsign) and PReLU, forward and backward. Each is one pass over
// contiguous float32 data, compiled per ISA (scalar, AVX2, AVX-512) and chosen by ActiveIsa(), so
// TORCHLET_ISA selects these kernels as it does the elementwise ones.
#pragma once
#include <cstdint>

namespace torchlet {

// Op codes shared with lib/functional/activation.ts (ACT_OPS there lists the same numbers).
enum ActOp : int {
  kActRelu = 0,
  kActRelu6 = 1,
  kActLeakyRelu = 2,
  kActElu = 3,
  kActGelu = 4,
  kActGeluTanh = 5,
  kActSilu = 6,
  kActMish = 7,
  kActHardswish = 8,
  kActHardsigmoid = 9,
  kActSoftplus = 10,
  kActSoftsign = 11,
  kActCount = 12
};

// y = f(x) over n items; y may be x (in place). a, b: the op's parameters (LeakyReLU slope,
// ELU alpha, Softplus beta and threshold), ignored by the others.
void ActivationForward(int op, const float* x, float* y, int64_t n, float a, float b);
// gx = gy * f'(x), from the input x (the TS layer keeps a copy when the forward ran in place).
// gx may alias gy.
void ActivationBackward(int op, const float* x, const float* gy, float* gx, int64_t n, float a, float b);

// PReLU over [outer, c, inner]: y = x > 0 ? x : w[ch] * x, w of c entries (or 1: shared).
void PreluForward(const float* x, const float* w, int64_t wn, float* y, int64_t outer, int64_t c, int64_t inner);
// Any of gx, gw may be null; gw (wn entries) is overwritten.
void PreluBackward(const float* x, const float* w, int64_t wn, const float* gy, float* gx, float* gw, int64_t outer,
                   int64_t c, int64_t inner);

// The ISA the activation kernels run with ("scalar", "avx2", "avx512").
const char* ActivationIsa();

}  // namespace torchlet
