/** Reductions over all elements or along dims (negative dims count from the end). */
import { record } from '../autograd/node';
import { native, ReduceOp, TypedReduceOp } from '../native';
import { fmtShape, normDim, numel, splitAt } from '../shape';
import { DType } from '../dtype';
import { Tensor } from '../tensor';
import { cast, emptyOf, rawBinary } from './elementwise';

/**
 * PyTorch's `(values, indices)` named tuple: `r.values`, `r.indices`, and destructuring
 * `const [values, indices] = x.max(1)`. Indices are int64.
 */
export type ValuesIndices = readonly [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

/** @internal */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = [values, indices] as unknown as { values: Tensor; indices: Tensor };
  r.values = values;
  r.indices = indices;
  return Object.freeze(r) as unknown as ValuesIndices;
}

function empty(shape: readonly number[]): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape);
}

/** Normalised, sorted, duplicate-free dims (null when omitted). @internal */
export function dimsArg(op: string, x: Tensor, dim: number | number[] | null | undefined): number[] | null {
  if (dim === undefined || dim === null) return null;
  const list = Array.isArray(dim) ? dim : [dim];
  const out = list.map((d) => normDim(op, d, Math.max(x.dim(), 1)));
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: dim ${out.join(', ')} appears multiple times in the list of dims`);
  return x.dim() === 0 ? [] : out.sort((a, b) => a - b);
}

/** `shape` with `dims` removed (or kept as 1 with keepdim). @internal */
export function keptShape(shape: readonly number[], dims: number[], keepdim: boolean): number[] {
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

/** Integer sums: the portable typed kernel, wrapping on overflow as int64 does. */
function integerSum(x: Tensor, dims: number[], keepdim: boolean): Tensor {
  let y = x;
  for (let i = dims.length - 1; i >= 0; i--) {
    const [outer, n, inner] = splitAt(y.shape, dims[i]);
    const out = emptyOf('int64', keptShape(y.shape, [dims[i]], true));
    if (out.numel() > 0) native.reduceTyped(TypedReduceOp.sum, y._data(), outer, n, inner, out._storage!);
    y = out;
  }
  if (dims.length === 0) y = cast(x, 'int64');
  return new Tensor(y._data(), keptShape(x.shape, dims, keepdim));
}

function sumOrMean(op: 'sum' | 'mean', x: Tensor, dim: number | number[] | null | undefined, keepdim: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  const dims = dimsArg(op, x, dim) ?? x.shape.map((_, i) => i);
  if (x.dtype !== 'float32') {
    if (op === 'mean') {
      throw new TypeError(`mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype === 'int64' ? 'Long' : 'Bool'}; convert with .float()`);
    }
    return integerSum(x, dims, keepdim);
  }
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
  }, []);
  return out;
}

export function sum(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return sumOrMean('sum', x, dim, keepdim);
}

export function mean(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return sumOrMean('mean', x, dim, keepdim);
}

/** max/min of an int64 or bool tensor: values through the typed kernel, indices through sort. */
function integerExtreme(isMax: boolean, x: Tensor, d: number | null, keepdim: boolean): Tensor | ValuesIndices {
  const op = isMax ? 'max' : 'min';
  const dtype: DType = x.dtype;
  if (d === null) {
    const out = emptyOf(dtype, []);
    native.reduceTyped(isMax ? TypedReduceOp.max : TypedReduceOp.min, x._data(), 1, x.numel(), 1, out._storage!);
    return out;
  }
  const [outer, n, inner] = splitAt(x.shape, d);
  const shape = keptShape(x.shape, [d], keepdim);
  const values = emptyOf(dtype, shape);
  native.reduceTyped(isMax ? TypedReduceOp.max : TypedReduceOp.min, x._data(), outer, n, inner, values._storage!);
  // The first index of the extreme value, as PyTorch's CPU kernel gives: a stable sort's first.
  const sorted = emptyOf(dtype, x.shape);
  const order = new BigInt64Array(x.numel());
  native.sort(x._data(), outer, n, inner, isMax, true, sorted._storage!, order);
  const first = new Tensor(order, x.shape).narrow(d, 0, 1).contiguous();
  void op;
  return valuesIndices(values, keepdim ? first : first.squeeze(d));
}

function extreme(isMax: boolean, x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  const op = isMax ? 'max' : 'min';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) {
      throw new RangeError(`${op}: expected a non-empty tensor (shape ${fmtShape(x.shape)}); use ${op}(dim) on a non-zero dim instead`);
    }
    if (x.dtype !== 'float32') return integerExtreme(isMax, x, null, keepdim);
    const out = empty([]);
    native.reduce(isMax ? ReduceOp.max : ReduceOp.min, x.storage, 1, x.numel(), 1, out.storage);
    record(isMax ? 'MaxBackward1' : 'MinBackward1', [x], [out], ([g]) => {
      // Ties share the gradient evenly (PyTorch's evenly_distribute_backward).
      const mask = cast(rawBinary('eq', x, out.item()), 'float32');
      const count = sum(mask).item();
      return [rawBinary('mul', mask, g!.item() / count)];
    }, [x, out]);
    return out;
  }
  const d = normDim(op, dim, Math.max(x.dim(), 1));
  if (x.dim() === 0) {
    const v = x.detach().clone();
    return valuesIndices(x.requiresGrad ? x.clone() : v, new Tensor(new BigInt64Array(1), []));
  }
  const [outer, n, inner] = splitAt(x.shape, d);
  if (n === 0) throw new RangeError(`${op}: cannot reduce over dim ${dim} of size 0 (shape ${fmtShape(x.shape)})`);
  if (x.dtype !== 'float32') return integerExtreme(isMax, x, d, keepdim);
  const shape = keptShape(x.shape, [d], keepdim);
  const values = empty(shape);
  const idx = new Int32Array(outer * inner);
  native.argReduce(isMax, x.storage, outer, n, inner, values.storage, idx);
  const idx64 = new BigInt64Array(idx.length);
  if (idx.length) native.copyStrided(idx, 0, [1], idx64, 0, [1], [idx.length]);
  const indices = new Tensor(idx64, shape);
  record(isMax ? 'MaxBackward0' : 'MinBackward0', [x], [values], ([g]) => {
    const gx = new Tensor(new Float32Array(x.numel()), x.shape);
    native.scatterAlongDim(g!.storage, idx, outer, n, inner, gx.storage);
    return [gx];
  }, []);
  return valuesIndices(values, indices);
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
    const flat = x.detach().reshape(-1);
    const i = (extreme(isMax, flat, 0, false) as ValuesIndices).indices;
    return keepdim ? i.reshape(x.shape.map(() => 1)) : i;
  }
  return (extreme(isMax, x.detach(), dim, keepdim) as ValuesIndices).indices;
}

/** Index of the largest value (flattened, or along `dim`), as an int64 tensor. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(true, x, dim, keepdim);
}

/** Index of the smallest value (flattened, or along `dim`), as an int64 tensor. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(false, x, dim, keepdim);
}
