/**
 * The rest of PyTorch's everyday ops: clamp, rounding, the transcendental functions without a SIMD
 * kernel, prod/var/std/logsumexp/norm, cumulative ops, any/all, sort/topk, tril/triu. Forward passes
 * are one native call each; gradients are written with the differentiable ops themselves where
 * that is exact, and with a dedicated formula where it is not (norm at 0, prod with zeros).
 */
import { noGrad } from '../autograd/grad-mode';
import { record } from '../autograd/node';
import { native, TypedReduceOp } from '../native';
import { fmtShape, normDim, splitAt } from '../shape';
import { DType } from '../dtype';
import { Tensor, TensorOrNumber } from '../tensor';
import * as E from './elementwise';
import { cast, checkTensor, emptyOf, rawBinary, rawTypedUnary, sumTo } from './elementwise';
import { dimsArg, keptShape, valuesIndices, ValuesIndices } from './reduce';
import * as S from './shape';
import { gather, where } from './indexing';
import { sigmoid } from './activation';

// ---- clamp --------------------------------------------------------------------------------------

function bound(op: string, v: unknown, name: string): TensorOrNumber | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || v instanceof Tensor) return v;
  throw new TypeError(`${op}: ${name} must be a number, a Tensor or null, got ${typeof v}`);
}

/** Limits x to [min, max] (either may be omitted; min > max gives max, as in PyTorch). */
export function clamp(x: Tensor, min?: TensorOrNumber | null, max?: TensorOrNumber | null): Tensor {
  checkTensor('clamp', x);
  const lo = bound('clamp', min, 'min'), hi = bound('clamp', max, 'max');
  if (lo === null && hi === null) throw new RangeError("clamp: at least one of 'min' or 'max' must not be null");
  let out = x;
  out = lo === null ? out : rawBinary('maximum', out, lo);
  out = hi === null ? out : rawBinary('minimum', out, hi);
  if (out === x) out = x.detach().clone();
  // NaN stays NaN (PyTorch propagates it). Gradients as PyTorch's clamp_backward_min_max: x where
  // it lies inside the bounds, a tensor bound where it binds.
  const tLo = lo instanceof Tensor ? lo : null, tHi = hi instanceof Tensor ? hi : null;
  record('ClampBackward1', [x, tLo, tHi], [out], ([g]) => {
    const f = (m: Tensor) => E.mul(g!, cast(m, 'float32'));
    let pass: Tensor | null = null;
    if (lo !== null) pass = E.ge(x, lo);
    if (hi !== null) pass = pass ? E.logicalAnd(pass, E.le(x, hi)) : E.le(x, hi);
    const gx = x.requiresGrad ? f(pass!) : null;
    let gLo: Tensor | null = null, gHi: Tensor | null = null;
    if (tLo && tLo.requiresGrad) {
      const m = E.lt(x, tLo);
      gLo = sumTo(f(hi === null ? m : E.logicalAnd(m, E.lt(tLo, hi))), tLo.shape);
    }
    if (tHi && tHi.requiresGrad) {
      const m = E.gt(x, tHi);
      gHi = sumTo(f(lo === null ? m : E.logicalOr(m, E.lt(tHi, lo))), tHi.shape);
    }
    return [gx, gLo, gHi];
  }, [x, ...(tLo ? [tLo] : []), ...(tHi ? [tHi] : [])]);
  return out;
}

// ---- rounding and transcendental functions -----------------------------------------------------

function rounding(op: 'floor' | 'ceil' | 'round' | 'trunc') {
  return (x: Tensor): Tensor => {
    checkTensor(op, x);
    if (x.dtype === 'bool') throw new TypeError(`${op}: not implemented for a bool tensor`);
    const out = rawTypedUnary(op, x);
    // Piecewise constant: the gradient is zero everywhere (PyTorch's FloorBackward0 etc.).
    record(`${op[0].toUpperCase()}${op.slice(1)}Backward0`, [x], [out], ([g]) => [E.mul(g!, 0)], []);
    return out;
  };
}
export const floor = rounding('floor');
export const ceil = rounding('ceil');
export const round = rounding('round');
export const trunc = rounding('trunc');

/** x - trunc(x) (keeps the sign of x). */
export function frac(x: Tensor): Tensor {
  checkTensor('frac', x);
  if (x.dtype !== 'float32') throw new TypeError(`frac: not implemented for ${x.dtype} tensors`);
  const out = rawBinary('sub', x, rawTypedUnary('trunc', x));
  record('FracBackward0', [x], [out], ([g]) => [g], []);
  return out;
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` (PyTorch's softplus). */
export function softplus(x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  checkTensor('softplus', x);
  const beta = opts.beta ?? 1, threshold = opts.threshold ?? 20;
  if (typeof beta !== 'number' || typeof threshold !== 'number') throw new TypeError('softplus: beta and threshold must be numbers');
  const xf = cast(x, 'float32');
  const z = beta === 1 ? xf : rawBinary('mul', xf, beta);
  const linear = rawBinary('gt', z, threshold);
  let sp = rawTypedUnary('softplus', z);  // itself linear above 20
  if (beta !== 1) sp = rawBinary('div', sp, beta);
  const out = noGrad(() => where(linear, xf, sp));
  record('SoftplusBackward0', [x], [out], ([g]) => [E.mul(g!, noGrad(() => where(linear, 1, sigmoid(z))))], [x]);
  return out;
}

// ---- reductions --------------------------------------------------------------------------------

/** One typed native reduction over `dims` (sorted) of x, into `outType`. */
function reduceTyped(op: keyof typeof TypedReduceOp, x: Tensor, dims: number[], keepdim: boolean, outType: DType): Tensor {
  let y = x;
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i];
    const [outer, n, inner] = splitAt(y.shape, d);
    const out = emptyOf(outType, keptShape(y.shape, [d], true));
    if (out.numel() > 0) native.reduceTyped(TypedReduceOp[op], y._data(), outer, n, inner, out._storage!);
    y = out;
  }
  if (dims.length === 0) y = cast(x, outType) === x ? x.detach().clone() : cast(x, outType);
  return keepdim ? y : new Tensor(y._data(), keptShape(x.shape, dims, false));
}

function allDims(x: Tensor, dim: number | number[] | null | undefined, op: string): number[] {
  return dimsArg(op, x, dim) ?? x.shape.map((_, i) => i);
}

/** Product of the elements (of `dim`); int64 and bool give int64, as in PyTorch. */
export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor('prod', x);
  const dims = allDims(x, dim, 'prod');
  const outType: DType = x.dtype === 'float32' ? 'float32' : 'int64';
  const out = reduceTyped('prod', x, dims, keepdim, outType);
  record('ProdBackward0', [x], [out], ([g]) => {
    // d prod / d x_i = product of the others: exclusive cumulative products from both ends, which
    // stays exact when some x are zero (dividing prod by x_i would not).
    if (dims.length === 0) return [g];
    const flat = dim === undefined || dim === null ? x.reshape(-1) : x;
    const d = dim === undefined || dim === null ? 0 : dims[0];
    const others = E.mul(exclusiveCumprod(flat, d, false), exclusiveCumprod(flat, d, true));
    const gk = (dim === undefined || dim === null) ? g!.reshape([]) : (keepdim ? g! : g!.unsqueeze(d));
    return [E.mul(others, gk).reshape(x.shape)];
  }, [x]);
  return out;
}

function exclusiveCumprod(x: Tensor, d: number, reverse: boolean): Tensor {
  const n = x.shape[d];
  const src = reverse ? S.flip(x, [[d]]) : x;
  const ones = E.add(E.mul(S.narrow(src, d, 0, 1), 0), 1);
  const body = n > 1 ? cumprod(S.narrow(src, d, 0, n - 1), d) : null;
  const ex = body ? S.cat([ones, body], d) : ones;
  return reverse ? S.flip(ex, [[d]]) : ex;
}

/** Options of `var` / `std`: PyTorch's `correction` (1 = Bessel's, default) or `unbiased`, and `keepdim`. */
export interface VarOptions {
  correction?: number;
  unbiased?: boolean;
  keepdim?: boolean;
}

/** Variance over `dim` (all elements when omitted), with `correction` subtracted from the count. */
export function variance(x: Tensor, dim?: number | number[] | null, opts: VarOptions = {}): Tensor {
  checkTensor('var', x);
  if (x.dtype !== 'float32') throw new TypeError(`var: std and var only support floating point dtypes, got ${x.dtype}`);
  const dims = allDims(x, dim, 'var');
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const keepdim = !!opts.keepdim;
  const n = dims.reduce((c, d) => c * x.shape[d], 1);
  const mean = x.mean(dims, true);
  const dev = E.sub(x, mean);
  return E.div(E.square(dev).sum(dims, keepdim), Math.max(0, n - correction));
}

export function std(x: Tensor, dim?: number | number[] | null, opts: VarOptions = {}): Tensor {
  return E.sqrt(variance(x, dim, opts));
}

/** Largest element over several dims, with keepdim (no gradient: a shift constant). */
function amaxNoGrad(x: Tensor, dims: number[]): Tensor {
  return noGrad(() => reduceTyped('max', x, dims, true, x.dtype));
}

/** log(sum(exp(x))) over `dim`, computed stably (PyTorch's `logsumexp`). */
export function logsumexp(x: Tensor, dim: number | number[], keepdim = false): Tensor {
  checkTensor('logsumexp', x);
  const xf = x.dtype === 'float32' ? x : cast(x, 'float32');
  const dims = allDims(xf, dim, 'logsumexp');
  if (xf.numel() === 0) return E.log(xf.sum(dims, keepdim));
  let m = amaxNoGrad(xf, dims);
  // An all -inf (or inf) slice would give inf - inf: shift by 0 there instead.
  m = noGrad(() => where(E.isinf(m), 0, m));
  const s = E.log(E.exp(E.sub(xf, m)).sum(dims, keepdim));
  return E.add(s, keepdim ? m : new Tensor(m._data(), keptShape(xf.shape, dims, false)));
}

/** The p-norm over `dim` (all elements when omitted): p = 2 ('fro'), 1, Infinity, -Infinity, 0, or any p. */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: number | number[] | null, keepdim = false): Tensor {
  checkTensor('norm', x);
  if (x.dtype !== 'float32') throw new TypeError(`norm: expected a floating point tensor, got ${x.dtype}`);
  const dims = allDims(x, dim, 'norm');
  const pv = p === 'fro' ? 2 : p;
  if (typeof pv !== 'number' || Number.isNaN(pv)) throw new TypeError(`norm: p must be a number or 'fro', got ${String(p)}`);
  if (pv === 2) {
    const out = noGrad(() => E.sqrt(E.square(x).sum(dims, keepdim)));
    // PyTorch's norm backward is 0 where the norm is 0 (not x / 0 = NaN).
    record('NormBackward1', [x], [out], ([g]) => {
      const ok = keepdim ? out : out.reshape(keptShape(x.shape, dims, true));
      const gk = keepdim ? g! : g!.reshape(keptShape(x.shape, dims, true));
      const safe = noGrad(() => where(E.eq(ok, 0), 1, ok));
      return [E.mul(E.div(x, safe), noGrad(() => where(E.eq(ok, 0), 0, gk)))];
    }, [x, out]);
    return out;
  }
  const a = E.abs(x);
  if (pv === Infinity) return maxOver(a, dims, keepdim, true);
  if (pv === -Infinity) return maxOver(a, dims, keepdim, false);
  if (pv === 0) return cast(E.ne(x, 0), 'float32').sum(dims, keepdim);
  if (pv === 1) return a.sum(dims, keepdim);
  return E.pow(E.pow(a, pv).sum(dims, keepdim), 1 / pv);
}

/** max/min over several dims, differentiable (ties share the gradient). */
function maxOver(a: Tensor, dims: number[], keepdim: boolean, isMax: boolean): Tensor {
  if (dims.length === a.dim() && !keepdim) return isMax ? a.max() : a.min();
  let y = a;
  for (let i = dims.length - 1; i >= 0; i--) y = (isMax ? y.max(dims[i], true) : y.min(dims[i], true)).values;
  return keepdim ? y : y.reshape(keptShape(a.shape, dims, false));
}

function cumDim(op: string, x: Tensor, dim: number): number {
  checkTensor(op, x);
  return normDim(op, dim, Math.max(x.dim(), 1));
}

/** Running sums along dim; bool and int64 give int64. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = cumDim('cumsum', x, dim);
  const type: DType = x.dtype === 'float32' ? 'float32' : 'int64';
  const xc = cast(x, type);
  const out = emptyOf(type, x.shape);
  const [outer, n, inner] = splitAt(x.dim() ? x.shape : [1], d);
  if (out.numel() > 0) native.cumulative(false, xc._data(), outer, n, inner, out._storage!);
  record('CumsumBackward0', [x], [out], ([g]) => {
    // The gradient of a running sum is the running sum of g from the end.
    const gf = S.flip(g!, [[d]]);
    return [S.flip(cumsum(gf, d), [[d]])];
  }, []);
  return out;
}

/** Running products along dim; bool and int64 give int64. */
export function cumprod(x: Tensor, dim: number): Tensor {
  const d = cumDim('cumprod', x, dim);
  const type: DType = x.dtype === 'float32' ? 'float32' : 'int64';
  const xc = cast(x, type);
  const out = emptyOf(type, x.shape);
  const [outer, n, inner] = splitAt(x.dim() ? x.shape : [1], d);
  if (out.numel() > 0) native.cumulative(true, xc._data(), outer, n, inner, out._storage!);
  record('CumprodBackward0', [x], [out], ([g]) => [cumprodGrad(x, out, g!, outer, n, inner)], [x, out]);
  return out;
}

/**
 * dL/dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k = left_i R_i, with left_i = prod_{k < i} x_k
 * and R_i = g_i + x_{i+1} R_{i+1}: exact when some x are zero.
 */
function cumprodGrad(x: Tensor, _out: Tensor, g: Tensor, outer: number, n: number, inner: number): Tensor {
  const xs = x._data() as Float32Array, gs = g.contiguous()._data() as Float32Array;
  const gx = new Float32Array(xs.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let r = 0;
      for (let j = n - 1; j >= 0; j--) {
        r = gs[base + j * inner] + (j + 1 < n ? xs[base + (j + 1) * inner] * r : 0);
        gx[base + j * inner] = r;
      }
      let left = 1;
      for (let j = 0; j < n; j++) {
        gx[base + j * inner] *= left;
        left *= xs[base + j * inner];
      }
    }
  }
  return new Tensor(gx, x.shape);
}

function anyAll(op: 'any' | 'all', x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  const dims = allDims(x, dim, op);
  if (x.numel() === 0 && dims.length === x.dim()) {
    const t = emptyOf('bool', keepdim ? x.shape.map(() => 1) : []);
    (t._storage as Uint8Array)[0] = op === 'all' ? 1 : 0;
    return t;
  }
  return reduceTyped(op, x, dims, keepdim, 'bool');
}

/** True where any element (along dim) is non-zero. */
export const any = (x: Tensor, dim?: number | null, keepdim = false): Tensor => anyAll('any', x, dim, keepdim);
/** True where every element (along dim) is non-zero. */
export const all = (x: Tensor, dim?: number | null, keepdim = false): Tensor => anyAll('all', x, dim, keepdim);

// ---- sort / topk -------------------------------------------------------------------------------

/** Options of `sort`: descending order, and stable (equal elements keep their order). */
export interface SortOptions {
  descending?: boolean;
  stable?: boolean;
}

/** Options of `topk`: the k largest (default) or smallest; sorted (default) by value. */
export interface TopkOptions {
  largest?: boolean;
  sorted?: boolean;
}

function sortIndices(x: Tensor, d: number, descending: boolean, stable: boolean): Tensor {
  const shape = x.dim() ? x.shape : [1];
  const [outer, n, inner] = splitAt(shape, d);
  const values = emptyOf(x.dtype, x.shape);
  const idx = new BigInt64Array(x.numel());
  if (idx.length) native.sort(x._data(), outer, n, inner, descending, stable, values._storage!, idx);
  return new Tensor(idx, x.shape);
}

/** Sorts along dim: `{ values, indices }` (also `[values, indices]`); NaN sorts as the largest. */
export function sort(x: Tensor, dim = -1, opts: SortOptions = {}): ValuesIndices {
  checkTensor('sort', x);
  const d = normDim('sort', dim, Math.max(x.dim(), 1));
  const indices = sortIndices(x, d, !!opts.descending, !!opts.stable);
  const values = x.dim() === 0 ? x.clone() : gather(x, d, indices);
  return valuesIndices(values, indices);
}

/** The k largest (or smallest) elements along dim and their indices. */
export function topk(x: Tensor, k: number, dim = -1, opts: TopkOptions = {}): ValuesIndices {
  checkTensor('topk', x);
  const d = normDim('topk', dim, Math.max(x.dim(), 1));
  const size = x.dim() ? x.shape[d] : 1;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(`topk: k (${k}) is out of range for dimension ${d} of size ${size} (shape ${fmtShape(x.shape)})`);
  }
  const largest = opts.largest ?? true;
  // A stable sort keeps ties in index order, so the result does not depend on the kernel.
  let indices = sortIndices(x, d, largest, true);
  if (x.dim() > 0) indices = S.narrow(indices, d, 0, k).contiguous();
  const values = x.dim() === 0 ? x.clone() : gather(x, d, indices);
  return valuesIndices(values, indices);
}

// ---- triangles ---------------------------------------------------------------------------------

function triangle(op: 'tril' | 'triu', x: Tensor, k: number): Tensor {
  checkTensor(op, x);
  if (x.dim() < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(k)) throw new TypeError(`${op}: diagonal must be an integer, got ${k}`);
  const r = x.shape[x.dim() - 2], c = x.shape[x.dim() - 1];
  const rows = new BigInt64Array(r), cols = new BigInt64Array(c);
  for (let i = 0; i < r; i++) rows[i] = BigInt(i);
  for (let j = 0; j < c; j++) cols[j] = BigInt(j);
  const diff = E.sub(new Tensor(cols, [1, c]), new Tensor(rows, [r, 1]));  // j - i
  const keep = op === 'tril' ? E.le(diff, k) : E.ge(diff, k);
  return where(keep, x, x.dtype === 'bool' ? false : 0);
}

/** The lower triangle (j - i <= k) of the last two dims; the rest zero. */
export const tril = (x: Tensor, k = 0): Tensor => triangle('tril', x, k);
/** The upper triangle (j - i >= k) of the last two dims; the rest zero. */
export const triu = (x: Tensor, k = 0): Tensor => triangle('triu', x, k);
