#include "core/im2col.h"

#include "core/kernel_table.h"

namespace torchlet {

// The loops live in kernels/nn_impl.h, compiled per ISA (masked vector row copies).
void Im2Col(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1) {
  Kernels().im2col(&g, x, col, r0, r1, 0, g.oh * g.ow);
}

void Im2ColBlock(const ConvGeom& g, const float* x, float* col, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  Kernels().im2col(&g, x, col, r0, r1, j0, j1);
}

void Col2ImAdd(const ConvGeom& g, const float* col, float* dx, int64_t c0, int64_t c1) {
  Kernels().col2im_add(&g, col, dx, c0, c1);
}

}  // namespace torchlet
