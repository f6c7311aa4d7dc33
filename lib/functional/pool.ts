/**
 * 2-D pooling: `F.maxPool2d`, `F.avgPool2d`, `F.adaptiveAvgPool2d`, `F.adaptiveMaxPool2d`, on NCHW
 * or unbatched CHW input, with PyTorch's output-size rules (ceilMode, padding, dilation). Max
 * pooling keeps the argmax (Int32Array) of each window for its backward.
 */
import { needsGrad, record } from '../autograd/node';
import { nnNative, packParams } from '../native-nn';
import { fmtShape, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { checkOptions, checkTensor, nchw, pair, Size2, uninit, uninitI32 } from './nn-util';

export interface MaxPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function outSize(inSize: number, k: number, pad: number, stride: number, dil: number, ceil: boolean): number {
  let o = Math.floor((inSize + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (o - 1) * stride >= inSize + pad) o--;
  return o;
}

interface PoolGeom {
  n: number; c: number; h: number; w: number; oh: number; ow: number; batched: boolean;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/** The window fields of the native pool params (planes and the avg-pool options come from the caller). */
function geomParams(g: PoolGeom) {
  return { h: g.h, w: g.w, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw, dh: g.dh, dw: g.dw };
}

function poolGeom(op: string, x: Tensor, kernelSize: Size2, stride: Size2 | null | undefined, padding: Size2 | undefined,
  dilation: Size2 | undefined, ceilMode: boolean): PoolGeom {
  const { n, c, h, w, batched } = nchw(op, x);
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1);
  const noStride = stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0);
  const [sh, sw] = noStride ? [kh, kw] : pair(op, 'stride', stride, 1);
  const [ph, pw] = pair(op, 'padding', padding ?? 0, 0);
  const [dh, dw] = pair(op, 'dilation', dilation ?? 1, 1);
  if (ph > kh / 2 || pw > kw / 2) {
    throw new RangeError(
      `${op}: pad should be at most half of kernel size, but got padding [${ph}, ${pw}] for kernelSize [${kh}, ${kw}]`,
    );
  }
  if (h === 0 || w === 0) throw new RangeError(`${op}: expected non-empty spatial dims, got input${fmtShape(x.shape)}`);
  const oh = outSize(h, kh, ph, sh, dh, ceilMode), ow = outSize(w, kw, pw, sw, dw, ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `${op}: given input${fmtShape(x.shape)}, the calculated output size [${oh}, ${ow}] is too small ` +
        `(kernelSize [${kh}, ${kw}], stride [${sh}, ${sw}], padding [${ph}, ${pw}], dilation [${dh}, ${dw}])`,
    );
  }
  return { n, c, h, w, oh, ow, batched, kh, kw, sh, sw, ph, pw, dh, dw };
}

const outShapeOf = (g: { n: number; c: number; oh: number; ow: number; batched: boolean }) =>
  g.batched ? [g.n, g.c, g.oh, g.ow] : [g.c, g.oh, g.ow];

/** `F.maxPool2d(x, kernelSize, { stride, padding, dilation, ceilMode, returnIndices })`. */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size2, opts?: MaxPool2dOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  const op = 'maxPool2d';
  checkTensor(op, x, 'input');
  opts = opts ?? {};
  checkOptions(op, opts, MAX_POOL_OPTIONS);
  const { g, params, shape, size } = maxPoolGeometry(op, x, kernelSize, opts);
  const planes = g.n * g.c;
  const out = new Tensor(uninit(size, op), shape);
  const grad = needsGrad(x);
  const idx = grad || opts.returnIndices ? uninitI32(size) : null;
  nnNative.maxPool2d(x.storage, params, out.storage, idx);
  if (tracer.active !== null) tracer.active.op(opts.returnIndices ? 'maxPool2d with returnIndices' : 'maxPool2d', [x], out, { params });
  if (grad) {
    record('MaxPool2DWithIndicesBackward0', [x], [out], ([gy]) => {
      const gx = new Tensor(uninit(x.numel()), x.shape);
      nnNative.maxPool2dBackward(gy!.storage, idx!, planes, g.h * g.w, gx.storage);
      return [gx];
    });
  }
  if (opts.returnIndices) return [out, new Tensor(Float32Array.from(idx!), shape)];
  return out;
}

const MAX_POOL_OPTIONS = ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'];

interface MaxPoolGeometry {
  g: PoolGeom;
  params: Int32Array;
  shape: number[];
  size: number;
}

/**
 * The last few max-pooling geometries with what they were computed from: a model calls the same
 * few shapes every step, so the checks and the params array (whose first native use costs an
 * off-heap allocation) are done once per shape. Sizes are compared by value.
 */
interface CachedMaxPool extends MaxPoolGeometry {
  xShape: readonly number[];
  kernelSize: unknown;
  stride: unknown;
  padding: unknown;
  dilation: unknown;
  ceilMode: boolean;
}
const maxPoolCache: CachedMaxPool[] = [];

const sameSize = (a: unknown, b: unknown): boolean => {
  if (a === b) return typeof a !== 'object' || a === null;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length > 2) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || typeof a[i] !== 'number') return false;
  return true;
};
const copySize = (v: unknown): unknown => (Array.isArray(v) ? v.slice() : v);

function maxPoolGeometry(op: string, x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions): MaxPoolGeometry {
  const ceilMode = !!opts.ceilMode;
  for (let i = 0; i < maxPoolCache.length; i++) {
    const e = maxPoolCache[i];
    if (e.ceilMode === ceilMode && sameShape(e.xShape, x.shape) && sameSize(e.kernelSize, kernelSize) &&
        sameSize(e.stride, opts.stride) && sameSize(e.padding, opts.padding) && sameSize(e.dilation, opts.dilation)) {
      return e;
    }
  }
  const g = poolGeom(op, x, kernelSize, opts.stride, opts.padding, opts.dilation, ceilMode);
  const planes = g.n * g.c;
  const params = packParams('pool2d', { planes, ...geomParams(g), count_include_pad: 0, divisor_override: 0 });
  const shape = outShapeOf(g);
  const e: CachedMaxPool = {
    g, params, shape, size: planes * g.oh * g.ow, xShape: x.shape.slice(), kernelSize: copySize(kernelSize),
    stride: copySize(opts.stride), padding: copySize(opts.padding), dilation: copySize(opts.dilation), ceilMode,
  };
  if (maxPoolCache.length >= 8) maxPoolCache.pop();
  maxPoolCache.unshift(e);
  return e;
}

/** `F.avgPool2d(x, kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })`. */
export function avgPool2d(x: Tensor, kernelSize: Size2, opts: AvgPool2dOptions = {}): Tensor {
  const op = 'avgPool2d';
  checkTensor(op, x, 'input');
  opts = opts ?? {};
  checkOptions(op, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const g = poolGeom(op, x, kernelSize, opts.stride, opts.padding, 1, !!opts.ceilMode);
  const div = opts.divisorOverride ?? 0;
  if (opts.divisorOverride !== undefined && opts.divisorOverride !== null &&
    (typeof div !== 'number' || !Number.isInteger(div) || div === 0)) {
    throw new RangeError(`${op}: divisorOverride must be a non-zero integer, got ${JSON.stringify(opts.divisorOverride)}`);
  }
  if (div < 0) throw new RangeError(`${op}: divisorOverride must be positive, got ${div}`);
  const planes = g.n * g.c;
  const params = packParams('pool2d', {
    planes, ...geomParams(g), dh: 1, dw: 1, count_include_pad: opts.countIncludePad === false ? 0 : 1, divisor_override: div,
  });
  const out = new Tensor(uninit(planes * g.oh * g.ow, op), outShapeOf(g));
  nnNative.avgPool2d(x.storage, params, out.storage);
  if (tracer.active !== null) tracer.active.op('avgPool2d', [x], out, { params });
  record('AvgPool2DBackward0', [x], [out], ([gy]) => {
    const gx = new Tensor(uninit(x.numel()), x.shape);
    nnNative.avgPool2dBackward(gy!.storage, params, gx.storage);
    return [gx];
  });
  return out;
}

type AdaptiveSize = number | null | readonly (number | null)[];

function adaptiveGeom(op: string, x: Tensor, outputSize: AdaptiveSize) {
  const { n, c, h, w, batched } = nchw(op, x);
  let req: (number | null)[];
  if (typeof outputSize === 'number' || outputSize === null) req = [outputSize, outputSize];
  else if (Array.isArray(outputSize) && outputSize.length === 2) req = [outputSize[0], outputSize[1]];
  else throw new RangeError(`${op}: outputSize must be a number or a pair (entries may be null), got ${JSON.stringify(outputSize)}`);
  const oh = req[0] ?? h, ow = req[1] ?? w;
  for (const v of [oh, ow]) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`${op}: outputSize entries must be positive integers or null, got ${JSON.stringify(outputSize)}`);
    }
  }
  if (h === 0 || w === 0) throw new RangeError(`${op}: expected non-empty spatial dims, got input${fmtShape(x.shape)}`);
  return { n, c, h, w, oh, ow, batched, params: packParams('adaptivePool2d', { planes: n * c, h, w, oh, ow }) };
}

/** `F.adaptiveAvgPool2d(x, outputSize)`; null entries keep the input size. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkTensor(op, x, 'input');
  const g = adaptiveGeom(op, x, outputSize);
  const out = new Tensor(uninit(g.n * g.c * g.oh * g.ow, op), outShapeOf(g));
  nnNative.adaptiveAvgPool2d(x.storage, g.params, out.storage);
  if (tracer.active !== null) tracer.active.op('adaptiveAvgPool2d', [x], out, { c: g.c, h: g.h, w: g.w, oh: g.oh, ow: g.ow });
  record('AdaptiveAvgPool2DBackward0', [x], [out], ([gy]) => {
    const gx = new Tensor(uninit(x.numel()), x.shape);
    nnNative.adaptiveAvgPool2dBackward(gy!.storage, g.params, gx.storage);
    return [gx];
  });
  return out;
}

type ReturnIndices = boolean | { returnIndices?: boolean };

/** `F.adaptiveMaxPool2d(x, outputSize, { returnIndices })` (a bare boolean also works, PyTorch's positional form). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: ReturnIndices): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: ReturnIndices = false): Tensor | [Tensor, Tensor] {
  const op = 'adaptiveMaxPool2d';
  checkTensor(op, x, 'input');
  if (typeof opts === 'object' && opts !== null) checkOptions(op, opts, ['returnIndices']);
  const returnIndices = typeof opts === 'object' && opts !== null ? !!opts.returnIndices : !!opts;
  const g = adaptiveGeom(op, x, outputSize);
  const shape = outShapeOf(g);
  const out = new Tensor(uninit(g.n * g.c * g.oh * g.ow, op), shape);
  const idx = new Int32Array(out.numel());
  nnNative.adaptiveMaxPool2d(x.storage, g.params, out.storage, idx);
  record('AdaptiveMaxPool2DBackward0', [x], [out], ([gy]) => {
    const gx = new Tensor(uninit(x.numel()), x.shape);
    nnNative.maxPool2dBackward(gy!.storage, idx, g.n * g.c, g.h * g.w, gx.storage);
    return [gx];
  });
  if (returnIndices) return [out, new Tensor(Float32Array.from(idx), shape)];
  return out;
}
