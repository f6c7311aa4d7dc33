/**
 * Spatial rearrangements of NCHW tensors, as PyTorch: `F.pixelShuffle` and zero padding
 * (`F.zeroPad2d`, the 'constant' mode of F.pad with value 0), each one index-mapping pass
 * forward and its inverse backward; and resampling (`F.interpolate`, native/core/interpolate.h).
 */
import { needsGrad, record } from '../autograd/node';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { layersNative2 } from '../native-layers2';
import { checkOptions, checkTensor, uninit } from './nn-util';

/** `F.pixelShuffle(input, upscaleFactor)`: [*, C r^2, H, W] -> [*, C, H r, W r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixelShuffle';
  checkTensor(op, input, 'input');
  const r = upscaleFactor;
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`${op}: upscaleFactor must be a positive integer, got ${JSON.stringify(r)}`);
  const s = input.shape;
  if (s.length < 3) throw new RangeError(`${op}: expected input of at least 3 dims (*, C, H, W), got input${fmtShape(s)}`);
  const [c, h, w] = s.slice(-3);
  if (c % (r * r) !== 0) {
    throw new RangeError(`${op}: expected the channel dimension (${c}) of input${fmtShape(s)} to be divisible by the square of upscaleFactor (${r * r})`);
  }
  const oc = c / (r * r), batch = input.numel() / (c * h * w || 1);
  const outShape = [...s.slice(0, -3), oc, h * r, w * r];
  // map[o] = the input index of output element o (one image; the same for every image).
  const plane = c * h * w;
  const map = new Int32Array(plane);
  let o = 0;
  for (let ch = 0; ch < oc; ch++) {
    for (let y = 0; y < h * r; y++) {
      for (let x = 0; x < w * r; x++) {
        const ic = ch * r * r + (y % r) * r + (x % r);
        map[o++] = (ic * h + Math.floor(y / r)) * w + Math.floor(x / r);
      }
    }
  }
  const src = input.storage;
  const out = new Tensor(uninit(input.numel(), op), outShape);
  const dst = out.storage;
  for (let b = 0; b < batch; b++) {
    const base = b * plane;
    for (let i = 0; i < plane; i++) dst[base + i] = src[base + map[i]];
  }
  if (needsGrad(input)) {
    record('PixelShuffleBackward0', [input], [out], ([g]) => {
      const gs = g!.storage, gx = new Float32Array(input.numel());
      for (let b = 0; b < batch; b++) {
        const base = b * plane;
        for (let i = 0; i < plane; i++) gx[base + map[i]] = gs[base + i];
      }
      return [new Tensor(gx, s)];
    }, []);
  }
  return out;
}

/** Padding [left, right, top, bottom] (a number pads all four sides). */
export type Padding2d = number | readonly [number, number, number, number];

/** `F.zeroPad2d(input, padding)`: zero padding of the last two dims of a (*, H, W) input. */
export function zeroPad2d(input: Tensor, padding: Padding2d): Tensor {
  const op = 'zeroPad2d';
  checkTensor(op, input, 'input');
  const p = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
  if (!Array.isArray(p) || p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new RangeError(`${op}: padding must be a non-negative integer or [left, right, top, bottom] of them, got ${JSON.stringify(padding)}`);
  }
  const [pl, pr, pt, pb] = p;
  const s = input.shape;
  if (s.length < 2) throw new RangeError(`${op}: expected input of at least 2 dims (*, H, W), got input${fmtShape(s)}`);
  const [h, w] = s.slice(-2);
  const oh = h + pt + pb, ow = w + pl + pr;
  const planes = h * w === 0 ? 0 : input.numel() / (h * w);
  const out = new Tensor(new Float32Array(planes * oh * ow), [...s.slice(0, -2), oh, ow]);
  const src = input.storage, dst = out.storage;
  for (let q = 0; q < planes; q++) {
    for (let y = 0; y < h; y++) {
      dst.set(src.subarray((q * h + y) * w, (q * h + y + 1) * w), (q * oh + y + pt) * ow + pl);
    }
  }
  if (needsGrad(input)) {
    record('ConstantPadNdBackward0', [input], [out], ([g]) => {
      const gs = g!.storage, gx = new Float32Array(input.numel());
      for (let q = 0; q < planes; q++) {
        for (let y = 0; y < h; y++) {
          const from = (q * oh + y + pt) * ow + pl;
          gx.set(gs.subarray(from, from + w), (q * h + y) * w);
        }
      }
      return [new Tensor(gx, s)];
    }, []);
  }
  return out;
}

/** The sampling modes of `F.interpolate` implemented so far. */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

export interface InterpolateOptions {
  /** Output spatial size: a number for every spatial dim, or one per dim. */
  size?: number | readonly number[] | null;
  /** Multiplier of each spatial size (output size floor(in * scale)). */
  scaleFactor?: number | readonly number[] | null;
  /** 'nearest' (3-D or 4-D input), 'linear' (3-D) or 'bilinear' (4-D). Default 'nearest'. */
  mode?: InterpolateMode;
  /** Linear modes only: align the corner pixels' centres (default false). */
  alignCorners?: boolean | null;
  /** Sample with in / out (true) instead of 1 / scaleFactor (default), as PyTorch. */
  recomputeScaleFactor?: boolean | null;
}

const INTERP_OPTIONS = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'];
const INTERP_MODES: Record<string, { dims: number; code: number; node: string }> = {
  nearest: { dims: 0, code: 0, node: 'Nearest' },
  linear: { dims: 1, code: 1, node: 'Linear1D' },
  bilinear: { dims: 2, code: 1, node: 'Bilinear2D' },
};

function perDim(op: string, name: string, v: number | readonly number[], dims: number, integer: boolean): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : Array.isArray(v) ? [...v] : null;
  if (list === null) throw new TypeError(`${op}: ${name} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
  if (list.length !== dims) {
    throw new RangeError(
      `${op}: ${name} shape must match input shape. Input is ${dims}D, ${name} is ${list.length}-D (got ${JSON.stringify(v)})`,
    );
  }
  for (const x of list) {
    const ok = typeof x === 'number' && (integer ? Number.isInteger(x) && x >= 0 && x < 2 ** 31 : Number.isFinite(x) && x > 0);
    if (!ok) {
      throw new RangeError(`${op}: ${name} must hold ${integer ? 'non-negative integers below 2^31' : 'positive finite numbers'}, got ${JSON.stringify(v)}`);
    }
  }
  return list;
}

/**
 * `F.interpolate(input, { size, scaleFactor, mode, alignCorners, recomputeScaleFactor })` (also
 * `F.interpolate(input, size, { ... })`): resizes the spatial dims of (N, C, L) or (N, C, H, W)
 * input by 'nearest', 'linear' (3-D) or 'bilinear' (4-D) sampling, at PyTorch's source
 * coordinates. One native call forward, one backward.
 */
export function interpolate(
  input: Tensor, sizeOrOpts?: number | readonly number[] | InterpolateOptions | null, opts?: InterpolateOptions,
): Tensor {
  const op = 'interpolate';
  checkTensor(op, input, 'input');
  let o: InterpolateOptions;
  if (typeof sizeOrOpts === 'number' || Array.isArray(sizeOrOpts)) o = { ...(opts ?? {}), size: sizeOrOpts as number | number[] };
  else o = (sizeOrOpts as InterpolateOptions | null | undefined) ?? opts ?? {};
  checkOptions(op, o, INTERP_OPTIONS);
  const mode = o.mode ?? 'nearest';
  const m = typeof mode === 'string' && Object.prototype.hasOwnProperty.call(INTERP_MODES, mode) ? INTERP_MODES[mode] : undefined;
  if (!m) throw new RangeError(`${op}: mode must be one of 'nearest', 'linear', 'bilinear', got ${JSON.stringify(mode)}`);
  const s = input.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new RangeError(`${op}: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got input${fmtShape(s)}`);
  }
  const dims = s.length - 2;
  if (m.dims !== 0 && m.dims !== dims) {
    throw new RangeError(`${op}: got ${s.length}D input, but ${mode} mode needs ${m.dims + 2}D input, got input${fmtShape(s)}`);
  }
  const alignCorners = o.alignCorners ?? null;
  if (alignCorners !== null && typeof alignCorners !== 'boolean') {
    throw new TypeError(`${op}: alignCorners must be a boolean, got ${JSON.stringify(alignCorners)}`);
  }
  if (mode === 'nearest' && alignCorners !== null) {
    throw new RangeError(`${op}: align_corners option can only be set with the interpolating modes: linear | bilinear, got mode '${mode}'`);
  }
  const size = o.size ?? null, scale = o.scaleFactor ?? null;
  if (size !== null && scale !== null) throw new RangeError(`${op}: only one of size or scaleFactor should be defined, got both`);
  if (size === null && scale === null) throw new RangeError(`${op}: either size or scaleFactor should be defined, got neither`);
  const inSize = s.slice(2);
  let outSize: number[], scales: number[];
  if (size !== null) {
    outSize = perDim(op, 'size', size, dims, true);
    scales = new Array<number>(dims).fill(0);
  } else {
    scales = perDim(op, 'scaleFactor', scale!, dims, false);
    outSize = inSize.map((v, i) => Math.floor(v * scales[i]));
    if (o.recomputeScaleFactor) scales = scales.map(() => 0);
  }
  if (inSize.some((v) => v <= 0) || outSize.some((v) => v <= 0 || v >= 2 ** 31)) {
    throw new RangeError(
      `${op}: input and output sizes should be greater than 0 (and below 2^31), got input ${JSON.stringify(inSize)} output ${JSON.stringify(outSize)}`,
    );
  }
  const [h, w] = dims === 2 ? inSize : [1, inSize[0]];
  const [oh, ow] = dims === 2 ? outSize : [1, outSize[0]];
  const [sh, sw] = dims === 2 ? scales : [0, scales[0]];
  const planes = s[0] * s[1];
  const params = Int32Array.of(planes, h, w, oh, ow, m.code, alignCorners ? 1 : 0);
  const outShape = [s[0], s[1], ...outSize];
  const out = new Tensor(uninit(planes * oh * ow, op), outShape);
  if (out.numel() > 0) layersNative2.interpolate(input.storage, params, sh, sw, out.storage);
  if (needsGrad(input)) {
    const node = `Upsample${m.code === 0 ? `Nearest${dims}D` : m.node}Backward0`;
    record(node, [input], [out], ([g]) => {
      const gx = new Tensor(uninit(input.numel()), s);
      if (gx.numel() > 0) layersNative2.interpolateBackward(g!.storage, params, sh, sw, gx.storage);
      return [gx];
    }, []);
  }
  return out;
}
