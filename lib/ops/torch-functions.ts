/** The `torch.X(t, ...)` forms of the Tensor methods (one implementation for both). */
import { Tensor, TensorOrNumber } from '../tensor';
import * as E from './elementwise';
import * as R from './reduce';
import * as S from './shape';
import * as A from './activation';

export { add, sub, mul, div, pow, maximum, minimum, neg, exp, log, sqrt, abs, square, reciprocal, sign, eq, ne, gt, lt, ge, le } from './elementwise';
export { sum, mean, max, min, argmax, argmin } from './reduce';
export type { ValuesIndices } from './reduce';
export { cat, stack } from './shape';
export { matmul } from './linalg';
export { relu, sigmoid, tanh, softmax, logSoftmax } from './activation';

export const reshape = (x: Tensor, ...shape: (number | readonly number[])[]): Tensor => S.reshape(x, shape);
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => S.flatten(x, startDim, endDim);
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor => S.transpose(x, dim0, dim1);
export const permute = (x: Tensor, ...dims: (number | readonly number[])[]): Tensor => S.permute(x, dims);
export const squeeze = (x: Tensor, dim?: number): Tensor => S.squeeze(x, dim);
export const unsqueeze = (x: Tensor, dim: number): Tensor => S.unsqueeze(x, dim);
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor => S.narrow(x, dim, start, length);
export const clone = (x: Tensor): Tensor => S.clone(x);
export const detach = (x: Tensor): Tensor => x.detach();
/** `torch.isTensor` (PyTorch's `is_tensor`). */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

// Keep the namespace imports used (they document where each op lives).
void E; void R; void A;
export type { TensorOrNumber };
