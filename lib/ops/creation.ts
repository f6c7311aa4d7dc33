/** Tensor creation, with PyTorch's names and both shape forms (`zeros(2, 3)` and `zeros([2, 3])`). */
import { noGrad } from '../autograd/grad-mode';
import { native } from '../native';
import { allocStorage, fmtShape, numel, parseShapeArgs } from '../shape';
import { allocArray, DType, parseDType, StorageArray } from '../dtype';
import { NestedArray, Tensor } from '../tensor';

export interface TensorOptions {
  /** Shape for flat data (a typed array or flat number[]). */
  shape?: readonly number[];
  /**
   * Element type. Omitted: float32 for numbers (JS has one number type, so integral data is not
   * guessed to be int64), int64 for a BigInt64Array or bigints, bool for booleans.
   */
  dtype?: DType | 'long' | 'float';
  requiresGrad?: boolean;
}

/** Options of the filling creators (zeros, ones, full, arange, ...). */
export interface CreationOptions {
  dtype?: DType | 'long' | 'float';
  requiresGrad?: boolean;
}

type ShapeArgs = (number | readonly number[])[];
type Scalarish = number | boolean | bigint;

function withGrad(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Splits a trailing options object off `(...shape, opts?)`. */
function splitOpts(args: unknown[]): [ShapeArgs, CreationOptions] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    return [args.slice(0, -1) as ShapeArgs, last as CreationOptions];
  }
  return [args as ShapeArgs, {}];
}

function dtypeOpt(op: string, d: unknown): DType | undefined {
  return d === undefined || d === null ? undefined : parseDType(op, d);
}

function flattenNested(op: string, data: NestedArray): { values: Scalarish[]; shape: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
    if (probe === undefined) break;
  }
  const values: Scalarish[] = [];
  const walk = (v: NestedArray, d: number, path: string) => {
    if (d === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
        throw new TypeError(`${op}: expected a number at ${path || 'top level'}, got ${Array.isArray(v) ? 'an array' : typeof v}`);
      }
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new RangeError(
        `${op}: nested arrays are not rectangular: expected length ${shape[d]} at ${path || 'top level'} ` +
          `(shape ${fmtShape(shape)}), got ${Array.isArray(v) ? `length ${v.length}` : typeof v}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { values, shape };
}

function inferDType(values: ArrayLike<Scalarish>): DType {
  if (values.length === 0) return 'float32';
  const first = typeof values[0];
  if (first === 'boolean') return 'bool';
  if (first === 'bigint') return 'int64';
  return 'float32';
}

/** Converts JS values to a storage array of `dtype` (int64 truncates toward zero, as PyTorch). */
function toStorage(op: string, values: ArrayLike<Scalarish>, dtype: DType): StorageArray {
  const n = values.length;
  if (dtype === 'float32') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(values[i]);
    return out;
  }
  if (dtype === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = values[i] ? 1 : 0;
    return out;
  }
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'bigint') out[i] = BigInt.asIntN(64, v);
    else {
      const x = Number(v);
      if (!Number.isFinite(x)) throw new RangeError(`${op}: cannot convert ${x} to int64 (element ${i})`);
      out[i] = BigInt(Math.trunc(x));
    }
  }
  return out;
}

/**
 * Creates a tensor from a number, a boolean, nested arrays, or flat data (a typed array or number[])
 * with `{ shape }`. Data is copied. `dtype` converts (see {@link TensorOptions.dtype} for the default).
 * @example torch.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 * @example torch.tensor([3, 1, 2], { dtype: 'int64' })
 */
export function tensor(data: NestedArray | ArrayLike<number> | BigInt64Array | bigint, opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) {
    throw new TypeError('tensor: data is already a Tensor; use t.clone() or t.detach()');
  }
  if (opts === null || typeof opts !== 'object') throw new TypeError('tensor: options must be an object');
  let values: ArrayLike<Scalarish>, shape: number[];
  let dtype = dtypeOpt('tensor', opts.dtype);
  if (ArrayBuffer.isView(data) || (opts.shape && Array.isArray(data))) {
    if (ArrayBuffer.isView(data) && !('length' in data)) throw new TypeError('tensor: a DataView is not tensor data; pass a typed array');
    values = data as unknown as ArrayLike<Scalarish>;
    shape = opts.shape ? [...opts.shape] : [values.length];
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
          throw new TypeError(`tensor: flat data with { shape } must hold numbers, got ${Array.isArray(v) ? 'an array' : typeof v} at [${i}]`);
        }
      }
    }
    if (dtype === undefined) dtype = data instanceof BigInt64Array ? 'int64' : Array.isArray(data) ? inferDType(values) : 'float32';
  } else if (typeof data === 'number' || typeof data === 'boolean' || typeof data === 'bigint') {
    values = [data];
    shape = [];
    dtype ??= inferDType(values);
  } else if (Array.isArray(data)) {
    const flat = flattenNested('tensor', data);
    values = flat.values;
    shape = flat.shape;
    dtype ??= inferDType(values);
  } else {
    throw new TypeError(`tensor: data must be a number, nested arrays or a typed array, got ${data === null ? 'null' : typeof data}`);
  }
  if (opts.shape) {
    parseShapeArgs('tensor', [opts.shape]);
    if (numel(opts.shape) !== values.length) {
      throw new RangeError(`tensor: shape ${fmtShape(opts.shape)} needs ${numel(opts.shape)} values, got ${values.length}`);
    }
  }
  let storage: StorageArray;
  if (dtype === 'float32' && values instanceof Float32Array) storage = values.slice();
  else if (dtype === 'int64' && values instanceof BigInt64Array) storage = values.slice();
  else if (dtype !== 'int64' && ArrayBuffer.isView(values) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    storage = dtype === 'float32' ? Float32Array.from(values as ArrayLike<number>) : Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  } else if (dtype === 'int64' && ArrayBuffer.isView(values) && !(values instanceof BigUint64Array) && !(values instanceof BigInt64Array)) {
    // Integer typed arrays convert natively; floats truncate toward zero.
    const src = values instanceof Float32Array ? values : Float64Array.from(values as ArrayLike<number>);
    for (let i = 0; i < src.length; i++) {
      if (!Number.isFinite(src[i])) throw new RangeError(`tensor: cannot convert ${src[i]} to int64 (element ${i})`);
    }
    const out = new BigInt64Array(src.length);
    if (out.length) native.copyStrided(src, 0, [1], out, 0, [1], [out.length]);
    storage = out;
  } else {
    storage = toStorage('tensor', values, dtype);
  }
  return withGrad(new Tensor(storage, shape), opts.requiresGrad);
}

function filled(op: string, args: unknown[], value: number | boolean): Tensor {
  const [shapeArgs, opts] = splitOpts(args);
  const shape = parseShapeArgs(op, shapeArgs);
  const dtype = dtypeOpt(op, opts.dtype) ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const data = allocStorage(op, shape);
  let t: Tensor;
  if (dtype === 'float32') {
    if (value !== 0) data.fill(Number(value));
    t = new Tensor(data, shape);
  } else {
    t = new Tensor(allocArray(dtype, data.length), shape);
    if (value !== 0 && value !== false) noGrad(() => t.fill_(value));
  }
  return withGrad(t, opts.requiresGrad);
}

type ShapeOrOpts = number | readonly number[] | CreationOptions;

/** Zeros of the given shape: `zeros(2, 3)` or `zeros([2, 3])`, optionally `{ dtype, requiresGrad }` last. */
export function zeros(...args: ShapeOrOpts[]): Tensor {
  return filled('zeros', args, 0);
}

export function ones(...args: ShapeOrOpts[]): Tensor {
  return filled('ones', args, 1);
}

/** Uninitialised in PyTorch; zero-filled here (JS memory is always initialised). */
export function empty(...args: ShapeOrOpts[]): Tensor {
  return filled('empty', args, 0);
}

/** A tensor of `shape` filled with `value` (a boolean value gives bool unless dtype says otherwise). */
export function full(shape: readonly number[] | number, value: number | boolean, opts: CreationOptions = {}): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError('full: fill value must be a number or a boolean');
  return filled('full', [shape, opts], value);
}

/** Standard normal samples, seeded by `manualSeed`. */
export function randn(...args: ShapeOrOpts[]): Tensor {
  const t = filled('randn', args, 0);
  native.randNormal(t.storage, 0, 1);
  return t;
}

/** Uniform samples in [0, 1), seeded by `manualSeed`. */
export function rand(...args: ShapeOrOpts[]): Tensor {
  const t = filled('rand', args, 0);
  native.randUniform(t.storage, 0, 1);
  return t;
}

/**
 * `arange(end)`, `arange(start, end)` or `arange(start, end, step)`, optionally `{ dtype }` last.
 * float32 unless asked (`{ dtype: 'int64' }` for indices).
 */
export function arange(start: number, end?: number | CreationOptions, step: number | CreationOptions = 1, opts: CreationOptions = {}): Tensor {
  if (typeof end === 'object' && end !== null) [opts, end, step] = [end, undefined, 1];
  if (typeof step === 'object' && step !== null) [opts, step] = [step, 1];
  if (end === undefined) [start, end] = [0, start];
  const s = step as number, e = end as number;
  if (![start, e, s].every((v) => typeof v === 'number' && Number.isFinite(v))) throw new RangeError('arange: start, end and step must be finite numbers');
  if (s === 0) throw new RangeError('arange: step must be nonzero');
  if ((e - start) / s < 0) {
    throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${e}, step ${s})`);
  }
  const dtype = dtypeOpt('arange', opts.dtype) ?? 'float32';
  const n = Math.ceil((e - start) / s);
  const data = allocStorage('arange', [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * s;
  const t = new Tensor(data, [n]);
  if (dtype === 'float32') return withGrad(t, opts.requiresGrad);
  const out = new Tensor(allocArray(dtype, n), [n]);
  if (dtype === 'int64') {
    const o = out._storage as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = BigInt(Math.trunc(start + i * s));
  } else noGrad(() => out.copy_(t));
  return out;
}

/** `steps` evenly spaced values from start to end inclusive (float32). */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('linspace: start and end must be finite numbers');
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const data = allocStorage('linspace', [steps]);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half from the end, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  const t = new Tensor(data, [steps]);
  const dtype = dtypeOpt('linspace', opts.dtype) ?? 'float32';
  return withGrad(dtype === 'float32' ? t : t.to(dtype), opts.requiresGrad);
}

/** The n x m identity matrix (m defaults to n). */
export function eye(n: number, m?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (typeof m === 'object' && m !== null) [opts, m] = [m, undefined];
  const cols = (m as number | undefined) ?? n;
  parseShapeArgs('eye', [n, cols]);
  const data = allocStorage('eye', [n, cols]);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  const t = new Tensor(data, [n, cols]);
  const dtype = dtypeOpt('eye', opts.dtype) ?? 'float32';
  return withGrad(dtype === 'float32' ? t : t.to(dtype), opts.requiresGrad);
}

export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled('zerosLike', [t.shape, { dtype: t.dtype, ...opts }], 0);
}

export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled('onesLike', [t.shape, { dtype: t.dtype, ...opts }], 1);
}

export function fullLike(t: Tensor, value: number | boolean, opts: CreationOptions = {}): Tensor {
  return filled('fullLike', [t.shape, { dtype: t.dtype, ...opts }], value);
}

export function randnLike(t: Tensor): Tensor {
  return randn(t.shape);
}

export function randLike(t: Tensor): Tensor {
  return rand(t.shape);
}

/** Uniform random integers in [low, high) of `shape` (int64 unless `dtype` says otherwise). */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[] | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (Array.isArray(high)) [low, high, shape, opts] = [0, low, high as readonly number[], (shape as CreationOptions) ?? {}];
  const hi = high as number;
  if (!Number.isInteger(low) || !Number.isInteger(hi)) throw new TypeError(`randint: low and high must be integers, got ${low} and ${hi}`);
  if (hi <= low) throw new RangeError(`randint: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${hi}`);
  if (!Array.isArray(shape)) throw new TypeError('randint: shape must be an array of sizes, e.g. randint(0, 10, [3])');
  const u = rand(shape as readonly number[]);
  // floor(low + u (high - low)): u < 1, so the result stays below high.
  const v = u.mul(hi - low).add(low).floor();
  const dtype = dtypeOpt('randint', opts.dtype) ?? 'int64';
  return withGrad(v.to(dtype), opts.requiresGrad);
}

/**
 * `numSamples` indices drawn from each row of non-negative `probs` (weights need not sum to 1),
 * with or without replacement (PyTorch's `multinomial`); int64 [rows?, numSamples].
 */
export function multinomial(probs: Tensor, numSamples: number, replacement = false): Tensor {
  if (!(probs instanceof Tensor)) throw new TypeError('multinomial: probs must be a Tensor');
  if (probs.dim() < 1 || probs.dim() > 2) throw new RangeError(`multinomial: prob_dist must be 1 or 2 dim, got shape ${fmtShape(probs.shape)}`);
  const p2 = probs.dim() === 1 ? probs.reshape(1, -1) : probs;
  const [rows, cats] = p2.shape;
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`multinomial: cannot sample numSamples = ${numSamples} <= 0 samples`);
  if (!replacement && numSamples > cats) {
    throw new RangeError(`multinomial: cannot sample numSamples = ${numSamples} > prob_dist.size(-1) = ${cats} samples without replacement`);
  }
  const w = p2.float().contiguous().toFloat32Array();
  const u = rand(rows * numSamples).toFloat32Array();
  const out = new BigInt64Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const row = w.subarray(r * cats, (r + 1) * cats).slice();
    let total = 0;
    for (let c = 0; c < cats; c++) {
      if (!(row[c] >= 0) || !Number.isFinite(row[c])) throw new RangeError('multinomial: probability tensor contains either inf, nan or element < 0');
      total += row[c];
    }
    if (total <= 0) throw new RangeError('multinomial: invalid multinomial distribution (sum of probabilities <= 0)');
    for (let s = 0; s < numSamples; s++) {
      let target = u[r * numSamples + s] * total, c = 0;
      while (c < cats - 1 && (target >= row[c] || row[c] === 0)) {
        target -= row[c];
        c++;
      }
      while (row[c] === 0 && c > 0) c--;
      out[r * numSamples + s] = BigInt(c);
      if (!replacement) {
        total -= row[c];
        row[c] = 0;
      }
    }
  }
  return new Tensor(out, probs.dim() === 1 ? [numSamples] : [rows, numSamples]);
}

/** Seeds the generator behind rand/randn/dropout/init/shuffling (per thread). */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new TypeError(`manualSeed: seed must be an integer, got ${seed}`);
  native.manualSeed(seed);
}

/** A random permutation of 0..n-1 (int64, as PyTorch). */
export function randperm(n: number, opts: CreationOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  if (n > 2 ** 31 - 1) throw new RangeError(`randperm: n must be below 2^31, got ${n}`);
  const idx = new Int32Array(n);
  native.randperm(idx);
  const out = new BigInt64Array(n);
  if (n) native.copyStrided(idx, 0, [1], out, 0, [1], [n]);
  const t = new Tensor(out, [n]);
  const dtype = dtypeOpt('randperm', opts.dtype) ?? 'int64';
  return dtype === 'int64' ? t : t.to(dtype);
}
