/**
 * `F.conv1d` and `F.convTranspose2d`, as PyTorch. Both run on the conv2d kernels
 * (native/core/conv2d.h): a 1-D convolution is a 2-D one with H = 1 (one native call forward,
 * one backward, as conv2d), and a transposed convolution is conv2d's input gradient, its backward
 * conv2d's forward and weight gradient (native/core/conv_transpose.h).
 */
import { needsGrad, record } from '../autograd/node';
import { nnNative } from '../native-nn';
import { layersNative2 } from '../native-layers2';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { checkOptionalTensor, checkOptions, checkTensor, pair, Size2, uninit } from './nn-util';

/** A 1-D size: n or [n]. */
export type Size1 = number | readonly [number] | readonly number[];

export interface Conv1dOptions {
  stride?: Size1;
  /** Zero padding on both sides, or 'same' (stride 1 only) / 'valid' (none). */
  padding?: Size1 | 'same' | 'valid';
  dilation?: Size1;
  groups?: number;
}

const CONV1D_OPTIONS = ['stride', 'padding', 'dilation', 'groups'];

/** A size given as n or [n]: an integer >= min. */
function single(op: string, name: string, v: unknown, min: number): number {
  const x = typeof v === 'number' ? v : Array.isArray(v) && v.length === 1 ? v[0] : undefined;
  // The kernels take sizes as int32: larger values would wrap on the way in.
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x >= 2 ** 31) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min} or a 1-element list of one (each < 2^31), got ${JSON.stringify(v)}`);
  }
  return x;
}

function checkGroups(op: string, groups: unknown): number {
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) {
    throw new RangeError(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  }
  return groups;
}

function checkBias(op: string, b: Tensor | null, channels: number, weight: Tensor): void {
  if (b && (b.shape.length !== 1 || b.shape[0] !== channels)) {
    throw new RangeError(`${op}: expected bias of shape [${channels}] (weight ${fmtShape(weight.shape)}), got bias${fmtShape(b.shape)}`);
  }
}

/**
 * The conv2d geometry of a 1-D convolution (H = 1): [n, c, 1, l, oc, 1, k, 1, s, 0, pad, 1, d,
 * groups, 1, outL]. @internal
 */
export function conv1dParams(x: Tensor, weight: Tensor, opts: Conv1dOptions = {}): { params: Int32Array; outShape: number[] } {
  const op = 'conv1d';
  checkOptions(op, opts, CONV1D_OPTIONS);
  const s = x.shape;
  if (s.length !== 2 && s.length !== 3) {
    throw new RangeError(`${op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got input${fmtShape(s)}`);
  }
  const batched = s.length === 3;
  const [n, c, l] = batched ? s : [1, s[0], s[1]];
  if (weight.shape.length !== 3) {
    throw new RangeError(`${op}: expected a 3-D weight [outChannels, inChannels/groups, kernelSize], got weight${fmtShape(weight.shape)}`);
  }
  const [oc, cg, k] = weight.shape;
  const groups = checkGroups(op, opts.groups ?? 1);
  const stride = single(op, 'stride', opts.stride ?? 1, 1);
  const dilation = single(op, 'dilation', opts.dilation ?? 1, 1);
  if (cg * groups !== c) {
    throw new RangeError(
      `${op}: expected input${fmtShape(s)} to have ${cg * groups} channels (weight ${fmtShape(weight.shape)}, ` +
        `groups ${groups}), but got ${c} channels`,
    );
  }
  if (oc % groups !== 0) {
    throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has ${oc} output channels, not divisible by groups ${groups}`);
  }
  if (oc === 0 || k === 0) throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has an empty dimension`);
  const padding = opts.padding ?? 0;
  const ek = dilation * (k - 1) + 1;
  let pad: number, ol: number;
  if (padding === 'same') {
    if (stride !== 1) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions, got stride ${stride}`);
    // PyTorch pads floor(total / 2) on the left and the rest on the right; the kernels take the
    // left pad and derive the right one from the output length.
    pad = Math.floor((dilation * (k - 1)) / 2);
    ol = l;
  } else {
    if (padding === 'valid') pad = 0;
    else if (typeof padding === 'string') {
      throw new RangeError(`${op}: padding must be a number, a 1-element list, 'same' or 'valid', got '${padding}'`);
    } else pad = single(op, 'padding', padding, 0);
    if (l + 2 * pad < ek) {
      throw new RangeError(
        `${op}: input${fmtShape(s)} (padded length ${l + 2 * pad}) is smaller than the effective kernel size ${ek} ` +
          `(weight ${fmtShape(weight.shape)}, dilation ${dilation})`,
      );
    }
    ol = Math.floor((l + 2 * pad - ek) / stride) + 1;
  }
  const params = Int32Array.of(n, c, 1, l, oc, 1, k, 1, stride, 0, pad, 1, dilation, groups, 1, ol);
  return { params, outShape: batched ? [n, oc, ol] : [oc, ol] };
}

/** `F.conv1d(input, weight, bias?, { stride, padding, dilation, groups })`: input (N, C, L) or (C, L). */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  const op = 'conv1d';
  checkTensor(op, x, 'input');
  checkTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  const { params, outShape } = conv1dParams(x, weight, opts ?? {});
  checkBias(op, b, weight.shape[0], weight);
  const out = new Tensor(uninit(outShape.reduce((a, v) => a * v, 1), op), outShape);
  nnNative.conv2d(x.storage, weight.storage, b ? b.storage : null, params, out.storage);
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

export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Implicit zero padding dilation * (kernelSize - 1) - padding on both sides of the input. */
  padding?: Size2;
  /** Extra size added to one side of the output (each below stride or dilation). */
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

const CONVT_OPTIONS = ['stride', 'padding', 'outputPadding', 'groups', 'dilation'];

/**
 * The geometry of a transposed convolution as the conv2d it is the adjoint of: that conv's input
 * is this op's output [n, outC, oh, ow], its weight this op's weight [inC, outC/groups, kh, kw]
 * (conv2d's [oc, c/groups, kh, kw] with oc = inC), its output this op's input [n, inC, h, w].
 * @internal
 */
export function convTranspose2dParams(
  x: Tensor, weight: Tensor, opts: ConvTranspose2dOptions = {},
): { params: Int32Array; outShape: number[] } {
  const op = 'convTranspose2d';
  checkOptions(op, opts, CONVT_OPTIONS);
  const s = x.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new RangeError(`${op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got input${fmtShape(s)}`);
  }
  const batched = s.length === 4;
  const [n, c, h, w] = batched ? s : [1, ...s];
  if (weight.shape.length !== 4) {
    throw new RangeError(`${op}: expected a 4-D weight [inChannels, outChannels/groups, kH, kW], got weight${fmtShape(weight.shape)}`);
  }
  const [ic, ocg, kh, kw] = weight.shape;
  const groups = checkGroups(op, opts.groups ?? 1);
  const [sh, sw] = pair(op, 'stride', opts.stride ?? 1, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding ?? 0, 0);
  const [dh, dw] = pair(op, 'dilation', opts.dilation ?? 1, 1);
  const [oph, opw] = pair(op, 'outputPadding', opts.outputPadding ?? 0, 0);
  if (ic !== c) {
    throw new RangeError(`${op}: expected input${fmtShape(s)} to have ${ic} channels (weight ${fmtShape(weight.shape)}), but got ${c} channels`);
  }
  if (ic % groups !== 0) {
    throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has ${ic} input channels, not divisible by groups ${groups}`);
  }
  if (ic === 0 || ocg === 0 || kh === 0 || kw === 0) {
    throw new RangeError(`${op}: weight${fmtShape(weight.shape)} has an empty dimension`);
  }
  if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
    throw new RangeError(
      `${op}: output padding must be smaller than either stride or dilation, got outputPadding [${oph}, ${opw}] ` +
        `(stride [${sh}, ${sw}], dilation [${dh}, ${dw}])`,
    );
  }
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (h === 0 || w === 0 || oh < 1 || ow < 1) {
    throw new RangeError(
      `${op}: given input${fmtShape(s)}, the calculated output size per channel (${oh} x ${ow}) is too small`,
    );
  }
  if (oh >= 2 ** 31 || ow >= 2 ** 31) throw new RangeError(`${op}: the output size ${oh} x ${ow} is too large`);
  const oc = ocg * groups;
  const params = Int32Array.of(n, oc, oh, ow, ic, kh, kw, sh, sw, ph, pw, dh, dw, groups, h, w);
  return { params, outShape: batched ? [n, oc, oh, ow] : [oc, oh, ow] };
}

/**
 * `F.convTranspose2d(input, weight, bias?, { stride, padding, outputPadding, groups, dilation })`:
 * weight [inChannels, outChannels/groups, kH, kW]; output size (h - 1) * stride - 2 * padding +
 * dilation * (k - 1) + outputPadding + 1, as PyTorch.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkTensor(op, x, 'input');
  checkTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  const { params, outShape } = convTranspose2dParams(x, weight, opts ?? {});
  checkBias(op, b, params[1], weight);
  const out = new Tensor(uninit(outShape.reduce((a, v) => a * v, 1), op), outShape);
  layersNative2.convTranspose2d(x.storage, weight.storage, b ? b.storage : null, params, out.storage);
  if (!needsGrad(x, weight, b)) return out;
  record('ConvolutionBackward0', [x, weight, b], [out], ([g]) => {
    const gx = x.requiresGrad ? new Tensor(uninit(x.numel()), x.shape) : null;
    const gw = weight.requiresGrad ? new Tensor(uninit(weight.numel()), weight.shape) : null;
    const gb = b && b.requiresGrad ? new Tensor(uninit(b.numel()), b.shape) : null;
    layersNative2.convTranspose2dBackward(x.storage, weight.storage, g!.storage, params, gx && gx.storage,
      gw && gw.storage, gb && gb.storage);
    return [gx, gw, gb];
  });
  return out;
}

export interface ConvTranspose1dOptions {
  stride?: Size1;
  padding?: Size1;
  outputPadding?: Size1;
  groups?: number;
  dilation?: Size1;
}

const CONVT1D_OPTIONS = ['stride', 'padding', 'outputPadding', 'groups', 'dilation'];

/**
 * `F.convTranspose1d(input, weight, bias?, { stride, padding, outputPadding, groups, dilation })`:
 * input (N, C, L) or (C, L), weight [inChannels, outChannels/groups, k]; a transposed 2-D
 * convolution with H = 1.
 */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose1dOptions = {}): Tensor {
  const op = 'convTranspose1d';
  checkTensor(op, x, 'input');
  checkTensor(op, weight, 'weight');
  checkOptions(op, opts, CONVT1D_OPTIONS);
  const o = opts ?? {};
  const s = x.shape;
  if (s.length !== 2 && s.length !== 3) {
    throw new RangeError(`${op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got input${fmtShape(s)}`);
  }
  if (weight.shape.length !== 3) {
    throw new RangeError(`${op}: expected a 3-D weight [inChannels, outChannels/groups, kernelSize], got weight${fmtShape(weight.shape)}`);
  }
  const as2d = (v: unknown, name: string, min: number): [number, number] => [min === 0 ? 0 : 1, single(op, name, v, min)];
  const x4 = x.reshape(s.length === 3 ? [s[0], s[1], 1, s[2]] : [s[0], 1, s[1]]);
  const w4 = weight.reshape([weight.shape[0], weight.shape[1], 1, weight.shape[2]]);
  let y: Tensor;
  try {
    y = convTranspose2d(x4, w4, bias, {
      stride: as2d(o.stride ?? 1, 'stride', 1), padding: as2d(o.padding ?? 0, 'padding', 0),
      outputPadding: as2d(o.outputPadding ?? 0, 'outputPadding', 0), dilation: as2d(o.dilation ?? 1, 'dilation', 1),
      groups: o.groups,
    });
  } catch (e) {
    // The 2-D op's messages, in 1-D terms (shapes of the caller's tensors).
    if (e instanceof RangeError && e.message.startsWith('convTranspose2d: ')) {
      throw new RangeError(`${op}: ${e.message.slice('convTranspose2d: '.length)} (as the 2-D op with H = 1 sees it)`);
    }
    throw e;
  }
  const ys = y.shape;
  return y.reshape(ys.length === 4 ? [ys[0], ys[1], ys[3]] : [ys[0], ys[2]]);
}
