/**
 * `F.conv2d`: 2-D convolution over NCHW (or unbatched CHW) input with OIHW weights, as PyTorch.
 * One native call forward (algorithm chosen per shape: 1x1 GEMM, depthwise direct, im2col + SGEMM)
 * and one backward (input, weight and bias gradients together).
 */
import { needsGrad, record } from '../autograd/node';
import { nnNative, packParams } from '../native-nn';
import { fmtShape, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { checkOptionalTensor, checkOptions, checkTensor, nchw, pair, Size2, uninit } from './nn-util';

export interface Conv2dOptions {
  stride?: Size2;
  /** Zero padding on both sides (number or [h, w]), or 'same' (stride 1 only) / 'valid' (none). */
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
}

const OPTION_NAMES = ['stride', 'padding', 'dilation', 'groups'];

interface ConvGeometry {
  params: Int32Array;
  outShape: number[];
  size: number;
}

/**
 * The last geometry computed for each weight, with what it was computed from. nn.Conv2d calls
 * with the same weight, option values and input shape every time, so the checks and the params
 * array (whose first native use costs an off-heap allocation) are done once. Option values are
 * compared by value (a pair array mutated in place is seen).
 */
interface CachedGeometry extends ConvGeometry {
  xShape: readonly number[];
  wShape: readonly number[];
  stride: unknown;
  padding: unknown;
  dilation: unknown;
  groups: unknown;
}
const geometryCache = new WeakMap<Tensor, CachedGeometry>();

const sameOption = (a: unknown, b: unknown): boolean => {
  if (a === b) return typeof a !== 'object' || a === null || (Array.isArray(a) && a.length === 0);
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length > 2) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || typeof a[i] !== 'number') return false;
  return true;
};
const copyOption = (v: unknown): unknown => (Array.isArray(v) ? v.slice() : v);

function convGeometry(x: Tensor, weight: Tensor, opts: Conv2dOptions): ConvGeometry {
  checkOptions('conv2d', opts, OPTION_NAMES);
  const hit = geometryCache.get(weight);
  if (hit !== undefined && sameShape(hit.xShape, x.shape) && sameShape(hit.wShape, weight.shape) &&
      sameOption(hit.stride, opts.stride) && sameOption(hit.padding, opts.padding) &&
      sameOption(hit.dilation, opts.dilation) && sameOption(hit.groups, opts.groups)) {
    return hit;
  }
  const { params, outShape } = conv2dParams(x, weight, opts);
  let size = 1;
  for (const s of outShape) size *= s;
  const g: CachedGeometry = {
    params, outShape, size, xShape: x.shape.slice(), wShape: weight.shape.slice(), stride: copyOption(opts.stride),
    padding: copyOption(opts.padding), dilation: copyOption(opts.dilation), groups: opts.groups,
  };
  geometryCache.set(weight, g);
  return g;
}

/** The shared geometry of a conv call. @internal */
export function conv2dParams(
  x: Tensor, weight: Tensor, opts: Conv2dOptions = {},
): { params: Int32Array; outShape: number[] } {
  const op = 'conv2d';
  checkOptions(op, opts, OPTION_NAMES);
  const { n, c, h, w, batched } = nchw(op, x);
  if (weight.shape.length !== 4) {
    throw new RangeError(`${op}: expected a 4-D weight [outChannels, inChannels/groups, kH, kW], got weight${fmtShape(weight.shape)}`);
  }
  const [oc, cg, kh, kw] = weight.shape;
  const groups = opts.groups ?? 1;
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) {
    throw new RangeError(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  }
  const [sh, sw] = pair(op, 'stride', opts.stride ?? 1, 1);
  const [dh, dw] = pair(op, 'dilation', opts.dilation ?? 1, 1);
  if (cg * groups !== c) {
    throw new RangeError(
      `${op}: expected input${fmtShape(x.shape)} to have ${cg * groups} channels (weight ${fmtShape(weight.shape)}, ` +
        `groups ${groups}), but got ${c} channels`,
    );
  }
  if (oc % groups !== 0) {
    throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has ${oc} output channels, not divisible by groups ${groups}`);
  }
  if (oc === 0 || kh === 0 || kw === 0) throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has an empty dimension`);
  let pt: number, pl: number, oh: number, ow: number;
  const padding = opts.padding ?? 0;
  if (padding === 'same') {
    if (sh !== 1 || sw !== 1) {
      throw new RangeError(`${op}: padding='same' is not supported for strided convolutions (stride [${sh}, ${sw}])`);
    }
    pt = Math.floor((dh * (kh - 1)) / 2);
    pl = Math.floor((dw * (kw - 1)) / 2);
    oh = h;
    ow = w;
  } else {
    let ph: number, pw: number;
    if (padding === 'valid') [ph, pw] = [0, 0];
    else if (typeof padding === 'string') {
      throw new RangeError(`${op}: padding must be a number, a pair, 'same' or 'valid', got '${padding}'`);
    } else [ph, pw] = pair(op, 'padding', padding, 0);
    pt = ph;
    pl = pw;
    const eh = dh * (kh - 1) + 1, ew = dw * (kw - 1) + 1;
    if (h + 2 * ph < eh || w + 2 * pw < ew) {
      throw new RangeError(
        `${op}: input${fmtShape(x.shape)} (padded size ${h + 2 * ph} x ${w + 2 * pw}) is smaller than the ` +
          `effective kernel size ${eh} x ${ew} (weight ${fmtShape(weight.shape)}, dilation [${dh}, ${dw}])`,
      );
    }
    oh = Math.floor((h + 2 * ph - eh) / sh) + 1;
    ow = Math.floor((w + 2 * pw - ew) / sw) + 1;
  }
  const params = packParams('conv2d', { n, c, h, w, oc, kh, kw, sh, sw, ph: pt, pw: pl, dh, dw, groups, oh, ow });
  return { params, outShape: batched ? [n, oc, oh, ow] : [oc, oh, ow] };
}

/** `F.conv2d(input, weight, bias?, { stride, padding, dilation, groups })`. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkTensor(op, x, 'input');
  checkTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  const { params, outShape, size } = convGeometry(x, weight, opts ?? {});
  if (b && (b.shape.length !== 1 || b.shape[0] !== weight.shape[0])) {
    throw new RangeError(`${op}: expected bias of shape [${weight.shape[0]}] (weight ${fmtShape(weight.shape)}), got bias${fmtShape(b.shape)}`);
  }
  const out = new Tensor(uninit(size, op), outShape);
  nnNative.conv2d(x.storage, weight.storage, b ? b.storage : null, params, out.storage);
  if (tracer.active !== null) tracer.active.op('conv2d', [x], out, { weight, bias: b, params });
  if (!needsGrad(x, weight, b)) return out;
  record('ConvolutionBackward0', [x, weight, b], [out], ([g]) => {
    const gx = x.requiresGrad ? new Tensor(uninit(x.numel()), x.shape) : null;
    const gw = weight.requiresGrad ? new Tensor(uninit(weight.numel()), weight.shape) : null;
    const gb = b && b.requiresGrad ? new Tensor(uninit(b.numel()), b.shape) : null;
    nnNative.conv2dBackward(x.storage, weight.storage, g!.storage, params, gx && gx.storage, gw && gw.storage,
      gb && gb.storage);
    return [gx, gw, gb];
  });
  return out;
}
