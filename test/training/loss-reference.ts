/**
 * Reference for test/training/loss-native.test.ts: the previous all-JavaScript implementation of the
 * losses (lib/functional/loss.ts before the move to native/core/loss.cc), which matched PyTorch on every
 * fixture. Kept verbatim (imports adjusted) so large, multi-threaded shapes the fixtures cannot cover
 * are checked against an independent implementation.
 */
import { needsGrad, record } from '../../lib/autograd/node';
import { native } from '../../lib/native';
import { fmtShape, numel, sameShape } from '../../lib/shape';
import { Tensor } from '../../lib/tensor';
import * as E from '../../lib/ops/elementwise';
import * as R from '../../lib/ops/reduce';

// The option types are the public ones; the code below is the independent (old, all-JS) implementation.
import type { BCEWithLogitsOptions, ClassTarget, CrossEntropyOptions, NllLossOptions, Reduction } from '../../lib/functional/loss';
export type { BCEWithLogitsOptions, ClassTarget, CrossEntropyOptions, NllLossOptions, Reduction };

function checkReduction(op: string, r: unknown): Reduction {
  if (r === undefined) return 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  }
  return r;
}

function checkTensor(op: string, x: unknown, name: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

/** Class-dim layout of `input`: [N, C, inner] for (N, C, d1...) or (C) (unbatched, N = 1). */
function classLayout(op: string, input: Tensor): { n: number; c: number; inner: number; targetShape: number[] } {
  const s = input.shape;
  if (s.length === 0) throw new RangeError(`${op}: input must have at least 1 dimension (classes), got a scalar`);
  if (s.length === 1) return { n: 1, c: s[0], inner: 1, targetShape: [] };
  let inner = 1;
  for (let i = 2; i < s.length; i++) inner *= s[i];
  return { n: s[0], c: s[1], inner, targetShape: [s[0], ...s.slice(2)] };
}

/** Reads and validates class-index targets; returns them as Int32Array (row-major over targetShape). */
function classTargets(op: string, target: unknown, targetShape: number[], c: number, ignoreIndex: number): Int32Array {
  const count = numel(targetShape);
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    if (!sameShape(target.shape, targetShape) && !(targetShape.length === 0 && target.numel() === 1)) {
      throw new RangeError(`${op}: expected target of shape ${fmtShape(targetShape)} for input with ${c} classes, got ${fmtShape(target.shape)}`);
    }
    values = target.storage;
  } else if (target instanceof Int32Array || Array.isArray(target)) {
    if (target.length !== count) {
      throw new RangeError(`${op}: expected ${count} target values (shape ${fmtShape(targetShape)}), got ${target.length}`);
    }
    values = target as ArrayLike<number>;
  } else {
    throw new TypeError(`${op}: target must be a Tensor, number[] or Int32Array of class indices`);
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) {
      throw new RangeError(`${op}: target must hold class indices (integers); got ${v} at index ${i}`);
    }
    if (v !== ignoreIndex && (v < 0 || v >= c)) {
      throw new RangeError(`${op}: target ${v} at index ${i} is out of bounds for ${c} classes (valid: 0..${c - 1}` +
        `${ignoreIndex < 0 || ignoreIndex >= c ? `, or ignoreIndex ${ignoreIndex}` : ''})`);
    }
    out[i] = v;
  }
  return out;
}

function classWeight(op: string, weight: unknown, c: number): Float32Array | null {
  if (weight === undefined || weight === null) return null;
  checkTensor(op, weight, 'weight');
  if (weight.numel() !== c || weight.dim() !== 1) {
    throw new RangeError(`${op}: weight must have shape [${c}] (one per class), got ${fmtShape(weight.shape)}`);
  }
  return weight.storage;
}

/**
 * Shared core of nllLoss and crossEntropy with class-index targets.
 * logp: log-probabilities [n, c, inner]. Returns the loss and, lazily, dL/dlogp for an upstream gradient.
 */
function nllCore(
  logp: Float32Array, n: number, c: number, inner: number, tgt: Int32Array, w: Float32Array | null,
  ignoreIndex: number, reduction: Reduction, eps: number,
): { loss: Float32Array; coefNll: Float64Array; coefSmooth: Float64Array; scaleNll: number; scaleSmooth: number } {
  const m = n * inner;
  const nll = new Float64Array(m), smooth = new Float64Array(m);
  let wsum = 0;
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < inner; k++) {
      const i = b * inner + k;
      const t = tgt[i];
      if (t === ignoreIndex) continue;
      const base = b * c * inner + k;
      const wt = w ? w[t] : 1;
      nll[i] = -wt * logp[base + t * inner];
      wsum += wt;
      if (eps > 0) {
        let s = 0;
        if (w) for (let j = 0; j < c; j++) s -= w[j] * logp[base + j * inner];
        else for (let j = 0; j < c; j++) s -= logp[base + j * inner];
        smooth[i] = s;
      }
    }
  }
  // loss = (1-ε)·Σ nll / d + ε/C · Σ smooth / d; for 'mean', d = Σ w[t] over non-ignored positions
  // (their count without weights)
  let dn = 1, ds = 1;
  if (reduction === 'mean') {
    dn = wsum;
    ds = wsum;
  }
  const scaleNll = (1 - eps) / dn, scaleSmooth = eps / c / ds;
  let loss: Float32Array;
  if (reduction === 'none') {
    loss = new Float32Array(m);
    for (let i = 0; i < m; i++) loss[i] = (1 - eps) * nll[i] + (eps > 0 ? (eps / c) * smooth[i] : 0);
  } else {
    let a = 0, s = 0;
    for (let i = 0; i < m; i++) {
      a += nll[i];
      s += smooth[i];
    }
    loss = new Float32Array([a * scaleNll + (eps > 0 ? s * scaleSmooth : 0)]);
    if (reduction === 'mean' && dn === 0) loss[0] = NaN;
  }
  return { loss, coefNll: nll, coefSmooth: smooth, scaleNll, scaleSmooth };
}

/**
 * dL/dlogp for class-index targets, given upstream gradient `g` (scalar or per position).
 * G[b, j, k] = -aᵢ·w[t]·[j = t] - bᵢ·w[j]  with aᵢ = g·scaleNll, bᵢ = g·scaleSmooth (non-ignored positions).
 */
function nllGrad(
  n: number, c: number, inner: number, tgt: Int32Array, w: Float32Array | null, ignoreIndex: number,
  eps: number, scaleNll: number, scaleSmooth: number, g: Float32Array, perPosition: boolean,
): Float32Array {
  const G = new Float32Array(n * c * inner);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < inner; k++) {
      const i = b * inner + k;
      const t = tgt[i];
      if (t === ignoreIndex) continue;
      const gi = perPosition ? g[i] : g[0];
      const base = b * c * inner + k;
      const a = gi * scaleNll;
      G[base + t * inner] -= a * (w ? w[t] : 1);
      if (eps > 0) {
        const bb = gi * scaleSmooth;
        if (w) for (let j = 0; j < c; j++) G[base + j * inner] -= bb * w[j];
        else for (let j = 0; j < c; j++) G[base + j * inner] -= bb;
      }
    }
  }
  return G;
}

/**
 * Negative log-likelihood loss on log-probabilities `input` of shape (N, C), (N, C, d1, ...) or (C),
 * with class-index targets of shape (N), (N, d1, ...) or ().
 * @example F.nllLoss(F.logSoftmax(logits, 1), [3, 1, 0])
 */
export function nllLoss(input: Tensor, target: ClassTarget, opts: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  checkTensor(op, input, 'input');
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const { n, c, inner, targetShape } = classLayout(op, input);
  const tgt = classTargets(op, target, targetShape, c, ignoreIndex);
  const w = classWeight(op, opts.weight, c);
  const r = nllCore(input.storage, n, c, inner, tgt, w, ignoreIndex, reduction, 0);
  const perPosition = reduction === 'none';
  const out = new Tensor(r.loss, perPosition ? targetShape : []);
  if (needsGrad(input)) {
    record('NllLossBackward0', [input], [out], ([g]) => {
      const G = nllGrad(n, c, inner, tgt, w, ignoreIndex, 0, r.scaleNll, 0, g!.storage, perPosition);
      return [new Tensor(G, input.shape)];
    });
  }
  return out;
}

/**
 * Cross-entropy between logits `input` ((N, C), (N, C, d1, ...) or (C)) and either class indices
 * (a tensor of integral values, number[] or Int32Array; shape (N), (N, d1, ...) or ()) or class
 * probabilities (a tensor of the input's shape). PyTorch's `F.cross_entropy`.
 * @example const loss = F.crossEntropy(model(x), labels, { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: ClassTarget, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkTensor(op, input, 'input');
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be between 0 and 1, got ${eps}`);
  }
  const { n, c, inner, targetShape } = classLayout(op, input);
  const w = classWeight(op, opts.weight, c);
  const x = input.storage;
  const logp = new Float32Array(x.length);
  if (x.length > 0) native.softmax(x, n, c, inner, logp, true);

  if (target instanceof Tensor && sameShape(target.shape, input.shape)) {
    return crossEntropyProbs(input, target, logp, n, c, inner, w, eps, reduction);
  }

  const tgt = classTargets(op, target, targetShape, c, ignoreIndex);
  const r = nllCore(logp, n, c, inner, tgt, w, ignoreIndex, reduction, eps);
  const perPosition = reduction === 'none';
  const out = new Tensor(r.loss, perPosition ? targetShape : []);
  if (needsGrad(input)) {
    record('CrossEntropyLossBackward0', [input], [out], ([g]) => {
      const G = nllGrad(n, c, inner, tgt, w, ignoreIndex, eps, r.scaleNll, r.scaleSmooth, g!.storage, perPosition);
      // log-softmax backward: dx = G - softmax · Σⱼ G
      const dx = new Float32Array(G.length);
      native.softmaxBackward(logp, G, n, c, inner, dx, true);
      return [new Tensor(dx, input.shape)];
    });
  }
  return out;
}

/** Cross-entropy with class-probability targets (same shape as the input). */
function crossEntropyProbs(
  input: Tensor, target: Tensor, logp: Float32Array, n: number, c: number, inner: number,
  w: Float32Array | null, eps: number, reduction: Reduction,
): Tensor {
  const p = target.storage;
  const m = n * inner;
  const per = new Float64Array(m);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < inner; k++) {
      const base = b * c * inner + k;
      let s = 0;
      for (let j = 0; j < c; j++) {
        const q = (1 - eps) * p[base + j * inner] + eps / c;
        s -= (w ? w[j] : 1) * q * logp[base + j * inner];
      }
      per[b * inner + k] = s;
    }
  }
  const scale = reduction === 'mean' ? 1 / m : 1;
  let loss: Float32Array;
  if (reduction === 'none') loss = Float32Array.from(per);
  else {
    let s = 0;
    for (let i = 0; i < m; i++) s += per[i];
    loss = new Float32Array([s * scale]);
  }
  const perPosition = reduction === 'none';
  const outShape = perPosition ? (input.dim() === 1 ? [] : [n, ...input.shape.slice(2)]) : [];
  const out = new Tensor(loss, outShape);
  if (needsGrad(input, target)) {
    record('CrossEntropyLossBackward0', [input, target], [out], ([g]) => {
      const gs = g!.storage;
      const G = new Float32Array(logp.length);
      const GT = target.requiresGrad ? new Float32Array(logp.length) : null;
      for (let b = 0; b < n; b++) {
        for (let k = 0; k < inner; k++) {
          const gi = (perPosition ? gs[b * inner + k] : gs[0]) * scale;
          const base = b * c * inner + k;
          for (let j = 0; j < c; j++) {
            const idx = base + j * inner;
            const wj = w ? w[j] : 1;
            G[idx] = -gi * wj * ((1 - eps) * p[idx] + eps / c);
            if (GT) GT[idx] = -gi * wj * (1 - eps) * logp[idx];
          }
        }
      }
      let dx: Tensor | null = null;
      if (input.requiresGrad) {
        const d = new Float32Array(G.length);
        native.softmaxBackward(logp, G, n, c, inner, d, true);
        dx = new Tensor(d, input.shape);
      }
      return [dx, GT ? new Tensor(GT, target.shape) : null];
    });
  }
  return out;
}

// ---- elementwise regression losses --------------------------------------------------------------

function elementwiseLoss(
  op: string, name: string, input: Tensor, target: Tensor, reduction: Reduction,
  f: (x: number, y: number) => number, df: (x: number, y: number) => number,
  viaOps: (x: Tensor, y: Tensor) => Tensor,
): Tensor {
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  if (!sameShape(input.shape, target.shape)) {
    // Broadcasting case (PyTorch warns, then broadcasts): compose from differentiable tensor ops.
    const l = viaOps(input, target);
    return reduction === 'none' ? l : reduction === 'sum' ? R.sum(l) : R.mean(l);
  }
  const x = input.storage, y = target.storage, m = x.length;
  let loss: Float32Array;
  if (reduction === 'none') {
    loss = new Float32Array(m);
    for (let i = 0; i < m; i++) loss[i] = f(x[i], y[i]);
  } else {
    let s = 0;
    for (let i = 0; i < m; i++) s += f(x[i], y[i]);
    loss = new Float32Array([reduction === 'mean' ? s / m : s]);
  }
  const perPosition = reduction === 'none';
  const out = new Tensor(loss, perPosition ? input.shape : []);
  if (needsGrad(input, target)) {
    record(name, [input, target], [out], ([g]) => {
      const gs = g!.storage;
      const gx = new Float32Array(m);
      const scale = reduction === 'mean' ? 1 / m : 1;
      for (let i = 0; i < m; i++) gx[i] = (perPosition ? gs[i] : gs[0] * scale) * df(x[i], y[i]);
      let gy: Tensor | null = null;
      if (target.requiresGrad) {
        const t = new Float32Array(m);
        for (let i = 0; i < m; i++) t[i] = -gx[i];
        gy = new Tensor(t, target.shape);
      }
      return [input.requiresGrad ? new Tensor(gx, input.shape) : null, gy];
    });
  }
  return out;
}

/**
 * Mean squared error (PyTorch's `F.mse_loss`). Input and target broadcast, as in PyTorch.
 * @example F.mseLoss(pred, y, { reduction: 'sum' })
 */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction('mseLoss', opts.reduction);
  return elementwiseLoss('mseLoss', 'MseLossBackward0', input, target, reduction,
    (x, y) => (x - y) * (x - y), (x, y) => 2 * (x - y), (x, y) => E.square(E.sub(x, y)));
}

/** Mean absolute error (PyTorch's `F.l1_loss`); the gradient at x = y is 0. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction('l1Loss', opts.reduction);
  return elementwiseLoss('l1Loss', 'L1LossBackward0', input, target, reduction,
    (x, y) => Math.abs(x - y), (x, y) => Math.sign(x - y), (x, y) => E.abs(E.sub(x, y)));
}

/** log(1 + exp(z)), stable for large |z|. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Broadcasts `t` to `shape`, returning its values as a flat array (or null for no tensor). */
function broadcastValues(op: string, name: string, t: Tensor | null | undefined, shape: readonly number[]): Float32Array | null {
  if (t === undefined || t === null) return null;
  checkTensor(op, t, name);
  if (sameShape(t.shape, shape)) return t.storage;
  const out = new Float32Array(numel(shape));
  try {
    native.binary(0 /* add */, new Float32Array(out.length), shape, t.storage, t.shape, out);
  } catch {
    throw new RangeError(`${op}: ${name} of shape ${fmtShape(t.shape)} cannot be broadcast to the input's shape ${fmtShape(shape)}`);
  }
  return out;
}

/**
 * Binary cross-entropy on logits (PyTorch's `F.binary_cross_entropy_with_logits`), numerically stable:
 * ℓ = w·[(1 - y)·x + (1 + (p - 1)·y)·log(1 + e^(-x))], with p = posWeight (broadcast along the last dim).
 * @example F.binaryCrossEntropyWithLogits(logits, labels, { posWeight: torch.tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  const reduction = checkReduction(op, opts.reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: target size ${fmtShape(target.shape)} must be the same as input size ${fmtShape(input.shape)}`);
  }
  const shape = input.shape;
  const w = broadcastValues(op, 'weight', opts.weight, shape);
  const pw = broadcastValues(op, 'posWeight', opts.posWeight, shape);
  const x = input.storage, y = target.storage, m = x.length;
  const per = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const lw = pw ? 1 + (pw[i] - 1) * y[i] : 1;
    let l = (1 - y[i]) * x[i] + lw * softplus(-x[i]);
    if (w) l *= w[i];
    per[i] = l;
  }
  let loss: Float32Array;
  if (reduction === 'none') loss = Float32Array.from(per);
  else {
    let s = 0;
    for (let i = 0; i < m; i++) s += per[i];
    loss = new Float32Array([reduction === 'mean' ? s / m : s]);
  }
  const perPosition = reduction === 'none';
  const out = new Tensor(loss, perPosition ? shape : []);
  if (needsGrad(input, target)) {
    record('BinaryCrossEntropyWithLogitsBackward0', [input, target], [out], ([g]) => {
      const gs = g!.storage;
      const scale = reduction === 'mean' ? 1 / m : 1;
      const gx = input.requiresGrad ? new Float32Array(m) : null;
      const gy = target.requiresGrad ? new Float32Array(m) : null;
      for (let i = 0; i < m; i++) {
        let gi = perPosition ? gs[i] : gs[0] * scale;
        if (w) gi *= w[i];
        const xi = x[i], yi = y[i];
        if (gx) {
          // d/dx = (1 - y) - lw·σ(-x)   (= σ(x) - y without posWeight)
          gx[i] = gi * (pw ? (1 - yi) - (1 + (pw[i] - 1) * yi) * sigmoid(-xi) : sigmoid(xi) - yi);
        }
        if (gy) gy[i] = gi * (-xi + (pw ? (pw[i] - 1) * softplus(-xi) : 0));
      }
      return [gx ? new Tensor(gx, shape) : null, gy ? new Tensor(gy, shape) : null];
    });
  }
  return out;
}
