/** Reductions over all elements or along dims (negative dims count from the end). */
import { record } from '../autograd/node';
import { native, ReduceOp } from '../native';
import { fmtShape, normDim, numel, splitAt } from '../shape';
import { Tensor } from '../tensor';
import { rawBinary } from './elementwise';

/** PyTorch's `(values, indices)` named tuple; indices are float32 holding integers. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function empty(shape: readonly number[]): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape);
}

function dimsArg(op: string, x: Tensor, dim: number | number[] | null | undefined): number[] | null {
  if (dim === undefined || dim === null) return null;
  const list = Array.isArray(dim) ? dim : [dim];
  const out = list.map((d) => normDim(op, d, x.dim()));
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: dim ${out.join(', ')} appears multiple times in the list of dims`);
  return out.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], dims: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** One native reduction along one dim; returns the reduced tensor with keepdim semantics. */
function reduceDim(op: 'sum' | 'mean', x: Tensor, dim: number, keepdim: boolean): Tensor {
  const [outer, n, inner] = splitAt(x.shape, dim);
  const out = empty(keptShape(x.shape, [dim], keepdim));
  native.reduce(ReduceOp[op], x.storage, outer, n, inner, out.storage);
  return out;
}

function sumOrMean(op: 'sum' | 'mean', x: Tensor, dim: number | number[] | null | undefined, keepdim: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  const dims = dimsArg(op, x, dim) ?? x.shape.map((_, i) => i);
  let out: Tensor;
  if (dims.length === x.dim()) {
    out = empty(keepdim ? x.shape.map(() => 1) : []);
    if (x.numel() > 0) native.reduce(ReduceOp[op], x.storage, 1, x.numel(), 1, out.storage);
    else out.storage[0] = op === 'mean' ? NaN : 0;
  } else {
    // Innermost dim first keeps the remaining dims' indices valid while reducing with keepdim.
    out = x;
    for (let i = dims.length - 1; i >= 0; i--) out = reduceDim(op, out, dims[i], true);
    if (!keepdim) out = new Tensor(out.storage, keptShape(x.shape, dims, false));
  }
  const count = dims.reduce((c, d) => c * x.shape[d], 1);
  record(op === 'sum' ? 'SumBackward' : 'MeanBackward', [x], [out], ([g]) => {
    // Broadcast g back over the reduced dims.
    const gk = new Tensor(g!.storage, keptShape(x.shape, dims, true));
    const ones = empty(x.shape);
    const gx = rawBinary('add', ones, gk);
    return [op === 'mean' ? rawBinary('mul', gx, 1 / count) : gx];
  });
  return out;
}

export function sum(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return sumOrMean('sum', x, dim, keepdim);
}

export function mean(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return sumOrMean('mean', x, dim, keepdim);
}

function extreme(isMax: boolean, x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  const op = isMax ? 'max' : 'min';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) {
      throw new RangeError(`${op}: expected a non-empty tensor (shape ${fmtShape(x.shape)}); use ${op}(dim) on a non-zero dim instead`);
    }
    const out = empty([]);
    native.reduce(isMax ? ReduceOp.max : ReduceOp.min, x.storage, 1, x.numel(), 1, out.storage);
    record(isMax ? 'MaxBackward1' : 'MinBackward1', [x], [out], ([g]) => {
      // Ties share the gradient evenly (PyTorch's evenly_distribute_backward).
      const mask = rawBinary('eq', x, out.item());
      const count = sum(mask).item();
      return [rawBinary('mul', mask, g!.item() / count)];
    });
    return out;
  }
  const d = normDim(op, dim, x.dim());
  const [outer, n, inner] = splitAt(x.shape, d);
  if (n === 0) throw new RangeError(`${op}: cannot reduce over dim ${dim} of size 0 (shape ${fmtShape(x.shape)})`);
  const shape = keptShape(x.shape, [d], keepdim);
  const values = empty(shape);
  const idx = new Int32Array(outer * inner);
  native.argReduce(isMax, x.storage, outer, n, inner, values.storage, idx);
  const indices = new Tensor(Float32Array.from(idx), shape);
  record(isMax ? 'MaxBackward0' : 'MinBackward0', [x], [values], ([g]) => {
    const gx = new Tensor(new Float32Array(x.numel()), x.shape);
    native.scatterAlongDim(g!.storage, idx, outer, n, inner, gx.storage);
    return [gx];
  });
  return { values, indices };
}

export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extreme(true, x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extreme(false, x, dim, keepdim);
}

function argExtreme(isMax: boolean, x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const op = isMax ? 'argmax' : 'argmin';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  if (x.numel() === 0) throw new RangeError(`${op}: expected a non-empty tensor (shape ${fmtShape(x.shape)})`);
  if (dim === undefined || dim === null) {
    const v = empty([1]);
    const i = new Int32Array(1);
    native.argReduce(isMax, x.storage, 1, x.numel(), 1, v.storage, i);
    return new Tensor(Float32Array.of(i[0]), keepdim ? x.shape.map(() => 1) : []);
  }
  return (extreme(isMax, x.detach(), dim, keepdim) as ValuesIndices).indices;
}

/** Index of the largest value (flattened, or along `dim`), as a float32 tensor of integers. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(true, x, dim, keepdim);
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(false, x, dim, keepdim);
}
