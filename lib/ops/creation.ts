/** Tensor creation, with PyTorch's names and both shape forms (`zeros(2, 3)` and `zeros([2, 3])`). */
import { native } from '../native';
import { allocStorage, fmtShape, numel, parseShapeArgs } from '../shape';
import { NestedArray, Tensor } from '../tensor';

export interface TensorOptions {
  /** Shape for flat data (a Float32Array or flat number[]). */
  shape?: readonly number[];
  requiresGrad?: boolean;
}

type ShapeArgs = (number | readonly number[])[];

function withGrad(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Splits a trailing options object off `(...shape, opts?)`. */
function splitOpts(args: unknown[]): [ShapeArgs, { requiresGrad?: boolean }] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    return [args.slice(0, -1) as ShapeArgs, last as { requiresGrad?: boolean }];
  }
  return [args as ShapeArgs, {}];
}

function flattenNested(op: string, data: NestedArray): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
    if (probe === undefined) break;
  }
  const values: number[] = [];
  const walk = (v: NestedArray, d: number, path: string) => {
    if (d === shape.length) {
      if (typeof v !== 'number') {
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

/**
 * Creates a tensor from a number, nested arrays, or flat data (Float32Array / number[]) with
 * `{ shape }`. Data is copied.
 * @example torch.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: NestedArray | Float32Array | ArrayLike<number>, opts: TensorOptions = {}): Tensor {
  let values: Float32Array, shape: number[];
  if (data instanceof Tensor) {
    throw new TypeError('tensor: data is already a Tensor; use t.clone() or t.detach()');
  }
  if (ArrayBuffer.isView(data) || (opts.shape && Array.isArray(data))) {
    values = Float32Array.from(data as ArrayLike<number>);
    shape = opts.shape ? [...opts.shape] : [values.length];
  } else if (typeof data === 'number') {
    values = Float32Array.of(data);
    shape = [];
  } else if (Array.isArray(data)) {
    const flat = flattenNested('tensor', data);
    values = Float32Array.from(flat.values);
    shape = flat.shape;
  } else {
    throw new TypeError(`tensor: data must be a number, nested arrays or a Float32Array, got ${data === null ? 'null' : typeof data}`);
  }
  if (opts.shape) {
    parseShapeArgs('tensor', [opts.shape]);
    if (numel(opts.shape) !== values.length) {
      throw new RangeError(`tensor: shape ${fmtShape(opts.shape)} needs ${numel(opts.shape)} values, got ${values.length}`);
    }
  }
  return withGrad(new Tensor(values, shape), opts.requiresGrad);
}

function filled(op: string, args: unknown[], value: number): Tensor {
  const [shapeArgs, opts] = splitOpts(args);
  const shape = parseShapeArgs(op, shapeArgs);
  const data = allocStorage(op, shape);
  if (value !== 0) data.fill(value);
  return withGrad(new Tensor(data, shape), opts.requiresGrad);
}

/** Zeros of the given shape: `zeros(2, 3)` or `zeros([2, 3])`, optionally `{ requiresGrad }` last. */
export function zeros(...args: (number | readonly number[] | { requiresGrad?: boolean })[]): Tensor {
  return filled('zeros', args, 0);
}

export function ones(...args: (number | readonly number[] | { requiresGrad?: boolean })[]): Tensor {
  return filled('ones', args, 1);
}

/** Uninitialised in PyTorch; zero-filled here (JS memory is always initialised). */
export function empty(...args: (number | readonly number[] | { requiresGrad?: boolean })[]): Tensor {
  return filled('empty', args, 0);
}

export function full(shape: readonly number[] | number, value: number, opts: { requiresGrad?: boolean } = {}): Tensor {
  if (typeof value !== 'number') throw new TypeError('full: fill value must be a number');
  return filled('full', [shape, opts], value);
}

/** Standard normal samples, seeded by `manualSeed`. */
export function randn(...args: (number | readonly number[] | { requiresGrad?: boolean })[]): Tensor {
  const t = filled('randn', args, 0);
  native.randNormal(t.storage, 0, 1);
  return t;
}

/** Uniform samples in [0, 1), seeded by `manualSeed`. */
export function rand(...args: (number | readonly number[] | { requiresGrad?: boolean })[]): Tensor {
  const t = filled('rand', args, 0);
  native.randUniform(t.storage, 0, 1);
  return t;
}

/** `arange(end)`, `arange(start, end)` or `arange(start, end, step)`. */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite)) throw new RangeError('arange: start, end and step must be finite numbers');
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) {
    throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / step);
  const data = allocStorage('arange', [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

export function zerosLike(t: Tensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  return filled('zerosLike', [t.shape, opts], 0);
}

export function onesLike(t: Tensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  return filled('onesLike', [t.shape, opts], 1);
}

export function fullLike(t: Tensor, value: number, opts: { requiresGrad?: boolean } = {}): Tensor {
  return filled('fullLike', [t.shape, opts], value);
}

export function randnLike(t: Tensor): Tensor {
  return randn(t.shape);
}

export function randLike(t: Tensor): Tensor {
  return rand(t.shape);
}

/** Seeds the generator behind rand/randn/dropout/init/shuffling (per thread). */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new TypeError(`manualSeed: seed must be an integer, got ${seed}`);
  native.manualSeed(seed);
}

/** A random permutation of 0..n-1 (float32 integers). */
export function randperm(n: number): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const idx = new Int32Array(n);
  native.randperm(idx);
  return new Tensor(Float32Array.from(idx), [n]);
}
