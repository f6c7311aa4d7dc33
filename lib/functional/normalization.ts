/**
 * `F.layerNorm`, `F.groupNorm` and `F.instanceNorm`, as PyTorch. One native call forward, one
 * backward (native/core/layernorm.*); the forward saves the mean and 1/std of each normalized row.
 */
import { needsGrad, record } from '../autograd/node';
import { noGrad } from '../autograd/grad-mode';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { layersNative } from './activation';
import { batchNorm } from './batchnorm';
import { checkOptionalTensor, checkOptions, checkTensor, uninit } from './nn-util';

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) {
    throw new RangeError(`${op}: eps must be a non-negative number, got ${JSON.stringify(eps)}`);
  }
  return eps;
}

function checkAffine(op: string, t: Tensor | null, name: string, shape: readonly number[]): void {
  if (t === null) return;
  if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
    throw new RangeError(`${op}: expected ${name} of shape ${fmtShape(shape)}, got ${name}${fmtShape(t.shape)}`);
  }
}

/**
 * `F.layerNorm(input, normalizedShape, weight?, bias?, eps = 1e-5)`: normalizes over the trailing
 * dims given by normalizedShape (a number or a list), then scales by weight and shifts by bias
 * (each of shape normalizedShape, or null).
 */
export function layerNorm(
  input: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5,
): Tensor {
  const op = 'layerNorm';
  checkTensor(op, input, 'input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || ns.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new TypeError(`${op}: normalizedShape must be a non-negative integer or a list of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const w = checkOptionalTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  const e = checkEps(op, eps);
  const s = input.shape;
  const k = ns.length;
  if (k > s.length || ns.some((v, i) => v !== s[s.length - k + i])) {
    throw new RangeError(
      `${op}: given normalizedShape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${fmtShape(s)}`,
    );
  }
  checkAffine(op, w, 'weight', ns);
  checkAffine(op, b, 'bias', ns);
  let d = 1;
  for (const v of ns) d *= v;
  const rows = d === 0 ? 0 : input.numel() / d;
  const shape = [rows, d];
  const out = new Tensor(uninit(input.numel(), op), s);
  const mean = uninit(rows), rstd = uninit(rows);
  layersNative.layerNorm(input.storage, shape, w && w.storage, b && b.storage, e, out.storage, mean, rstd);
  if (needsGrad(input, w, b)) {
    record('NativeLayerNormBackward0', [input, w, b], [out], ([g]) => {
      const gx = input.requiresGrad ? new Tensor(uninit(input.numel()), s) : null;
      const gw = w && w.requiresGrad ? new Tensor(uninit(w.numel()), w.shape) : null;
      const gb = b && b.requiresGrad ? new Tensor(uninit(b.numel()), b.shape) : null;
      layersNative.layerNormBackward(input.storage, g!.storage, shape, w && w.storage, mean, rstd, gx && gx.storage,
        gw && gw.storage, gb && gb.storage);
      return [gx, gw, gb];
    }, [input, ...(w ? [w] : [])]);
  }
  return out;
}

/** (N, C, *) as [n, c, rest]. */
function ncRest(op: string, x: Tensor, minDims: number): [number, number, number] {
  const s = x.shape;
  if (s.length < minDims) {
    throw new RangeError(`${op}: expected input of shape (N, C, *) with at least ${minDims} dims, got input${fmtShape(s)}`);
  }
  let hw = 1;
  for (let i = 2; i < s.length; i++) hw *= s[i];
  return [s[0], s[1], hw];
}

function groupNormImpl(op: string, node: string, x: Tensor, groups: number, w: Tensor | null, b: Tensor | null,
  eps: number, stats?: (mean: Float32Array, rstd: Float32Array) => void): Tensor {
  const [n, c, hw] = ncRest(op, x, 2);
  const shape = [n, c, hw, groups];
  const out = new Tensor(uninit(x.numel(), op), x.shape);
  const mean = uninit(n * groups), rstd = uninit(n * groups);
  layersNative.groupNorm(x.storage, shape, w && w.storage, b && b.storage, eps, out.storage, mean, rstd);
  if (stats) stats(mean, rstd);
  if (needsGrad(x, w, b)) {
    record(node, [x, w, b], [out], ([g]) => {
      const gx = x.requiresGrad ? new Tensor(uninit(x.numel()), x.shape) : null;
      const gw = w && w.requiresGrad ? new Tensor(uninit(c), w.shape) : null;
      const gb = b && b.requiresGrad ? new Tensor(uninit(c), b.shape) : null;
      layersNative.groupNormBackward(x.storage, g!.storage, shape, w && w.storage, mean, rstd, gx && gx.storage,
        gw && gw.storage, gb && gb.storage);
      return [gx, gw, gb];
    }, [x, ...(w ? [w] : [])]);
  }
  return out;
}

/**
 * `F.groupNorm(input, numGroups, weight?, bias?, eps = 1e-5)` over (N, C, *) input: each image's
 * channels split into numGroups groups normalized separately; weight and bias are per channel.
 */
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = 'groupNorm';
  checkTensor(op, input, 'input');
  const w = checkOptionalTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  const e = checkEps(op, eps);
  const [, c] = ncRest(op, input, 2);
  if (typeof numGroups !== 'number' || !Number.isInteger(numGroups) || numGroups < 1) {
    throw new RangeError(`${op}: numGroups must be a positive integer, got ${JSON.stringify(numGroups)}`);
  }
  if (c % numGroups !== 0) {
    throw new RangeError(`${op}: expected number of channels in input to be divisible by numGroups, but got input of shape ${fmtShape(input.shape)} and numGroups=${numGroups}`);
  }
  checkAffine(op, w, 'weight', [c]);
  checkAffine(op, b, 'bias', [c]);
  return groupNormImpl(op, 'NativeGroupNormBackward0', input, numGroups, w, b, e);
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with each instance's own statistics (true) or with the running ones (false). */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * `F.instanceNorm(input, { runningMean, runningVar, weight, bias, useInputStats, momentum, eps })`
 * over (N, C, *) input: every (image, channel) plane normalized by its own statistics. With running
 * stats and useInputStats, they are updated in place with the batch average of the instance means
 * and unbiased variances (as PyTorch); with useInputStats false they normalize instead.
 */
export function instanceNorm(input: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkTensor(op, input, 'input');
  opts = opts ?? {};
  checkOptions(op, opts, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps']);
  const rm = checkOptionalTensor(op, opts.runningMean, 'runningMean');
  const rv = checkOptionalTensor(op, opts.runningVar, 'runningVar');
  const w = checkOptionalTensor(op, opts.weight, 'weight');
  const b = checkOptionalTensor(op, opts.bias, 'bias');
  const useInputStats = opts.useInputStats ?? true;
  const momentum = opts.momentum ?? 0.1;
  const e = checkEps(op, opts.eps ?? 1e-5);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new RangeError(`${op}: momentum must be a number, got ${momentum}`);
  const [n, c, hw] = ncRest(op, input, 3);
  checkAffine(op, w, 'weight', [c]);
  checkAffine(op, b, 'bias', [c]);
  if ((rm === null) !== (rv === null)) throw new TypeError(`${op}: runningMean and runningVar must both be given or both be null`);
  checkAffine(op, rm, 'runningMean', [c]);
  checkAffine(op, rv, 'runningVar', [c]);
  if (!useInputStats) {
    if (rm === null) throw new TypeError(`${op}: expected running stats when useInputStats is false, got runningMean null`);
    return batchNorm(input, rm, rv, { weight: w, bias: b, training: false, eps: e });
  }
  if (hw <= 1) {
    throw new RangeError(`${op}: expected more than 1 spatial element when training, got input of size ${fmtShape(input.shape)}`);
  }
  const update = rm === null ? undefined : (mean: Float32Array, rstd: Float32Array) => {
    noGrad(() => {
      const m = rm._beginWrite(op), v = rv!._beginWrite(op);
      for (let ch = 0; ch < c; ch++) {
        let sm = 0, sv = 0;
        for (let i = 0; i < n; i++) {
          const r = i * c + ch;
          sm += mean[r];
          // The biased variance back from rstd, made unbiased.
          sv += (1 / (rstd[r] * rstd[r]) - e) * hw / (hw - 1);
        }
        m[ch] = (1 - momentum) * m[ch] + momentum * (sm / n);
        v[ch] = (1 - momentum) * v[ch] + momentum * (sv / n);
      }
    });
  };
  return groupNormImpl(op, 'NativeGroupNormBackward0', input, c, w, b, e, update);
}
