/**
 * torchlet: PyTorch's `nn.Module` for Node.js.
 *
 * @example
 * import * as torch from 'torchlet';
 * const { nn } = torch;
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * const y = model(torch.randn(3, 4));   // callable: runs hooks around forward
 */
export { Tensor } from './tensor';
export type { DType, NestedArray, TensorOrNumber } from './tensor';
export * from './ops/creation';
export * from './ops/torch-functions';
export { matmulAsync } from './ops/async';
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from './autograd/grad-mode';
export type { IndexSpec } from './tensor';
export type { TensorOptions, CreationOptions } from './ops/creation';
export type { CloseOptions } from './ops/torch-functions';
/** dtype constants, as PyTorch's `torch.float32`, `torch.int64`, `torch.bool` (and `torch.long`, `torch.float`). */
export const float32 = 'float32' as const;
export const float = 'float32' as const;
export const int64 = 'int64' as const;
export const long = 'int64' as const;
export const bool = 'bool' as const;
export { backend, setNumThreads, getNumThreads } from './runtime';
export { save, load } from './io';
import { trace } from './jit';
export type { Plan, TraceOptions } from './jit';
/** `torch.jit`: traced native plans for serving (see {@link trace}). */
export const jit = { trace };
import * as nn from './nn';
import * as optim from './optim';
import * as data from './data';
import * as models from './models';
export { nn, optim, models };
/** `torch.utils.data`: datasets and loaders. */
export const utils = { data };
