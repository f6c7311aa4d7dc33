/**
 * Loss functions (`torch.nn.functional.*_loss`). Each is one fused op recorded as a single graph node:
 * the forward is one native call (native/core/loss.cc: target validation, log-softmax, the loss and its
 * reduction) and so is the backward; this file only checks shapes and options and formats errors.
 * Values and gradients follow PyTorch 1.13/2.x, including its reduction rules with class weights,
 * `ignoreIndex` and label smoothing.
 */
import { needsGrad, record } from '../autograd/node';
import { native } from '../native';
import { ClassLossMode, LossReduction, lossNative, PointwiseLossKind } from '../native-loss';
import { fmtShape, numel, sameShape, broadcastShapes } from '../shape';
import { Tensor } from '../tensor';
import * as E from '../ops/elementwise';
import * as R from '../ops/reduce';

export type Reduction = 'mean' | 'sum' | 'none';
/** Class-index targets: a tensor of integral values (PyTorch's int64 target), a number[] or an Int32Array. */
export type ClassTarget = Tensor | readonly number[] | Int32Array;

export interface NllLossOptions {
  /** Per-class rescaling weight, shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes neither loss nor gradient. Default -100. */
  ignoreIndex?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
}

export interface BCEWithLogitsOptions {
  /** Per-element rescaling weight, broadcast to the input's shape. */
  weight?: Tensor | null;
  /** Weight of positive examples, broadcast along the last dim (shape [C] for [N, C] input). */
  posWeight?: Tensor | null;
  reduction?: Reduction;
}

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

/** Class-index target values as one typed array (no per-element copy), after shape/length checks. */
function classTargetValues(op: string, target: unknown, targetShape: number[], c: number): Int32Array | Float32Array | Float64Array {
  const count = numel(targetShape);
  if (target instanceof Tensor) {
    if (!sameShape(target.shape, targetShape) && !(targetShape.length === 0 && target.numel() === 1)) {
      throw new RangeError(`${op}: expected target of shape ${fmtShape(targetShape)} for input with ${c} classes, got ${fmtShape(target.shape)}`);
    }
    if (target.dtype === 'int64') {
      // Exact for every class index a float64 holds; larger values stay out of range, never wrap.
      const out = new Float64Array(target.numel());
      if (out.length) native.copyStrided(target._data(), 0, [1], out, 0, [1], [out.length]);
      return out;
    }
    if (target.dtype === 'bool') throw new TypeError(`${op}: expected target of class indices (int64 or float32), got a bool tensor`);
    return target.storage;
  }
  if (target instanceof Int32Array || Array.isArray(target)) {
    if (target.length !== count) {
      throw new RangeError(`${op}: expected ${count} target values (shape ${fmtShape(targetShape)}), got ${target.length}`);
    }
    return target instanceof Int32Array ? target : Float64Array.from(target as readonly number[]);
  }
  throw new TypeError(`${op}: target must be a Tensor, number[] or Int32Array of class indices`);
}

/** The error for the invalid target at index i (found by the native conversion), from the caller's own value. */
function targetError(op: string, target: ClassTarget, i: number, c: number, ignoreIndex: number): RangeError {
  const v = target instanceof Tensor ? Number(target._data()[i]) : target[i];
  if (!Number.isInteger(v)) {
    return new RangeError(`${op}: target must hold class indices (integers); got ${v} at index ${i}`);
  }
  return new RangeError(`${op}: target ${v} at index ${i} is out of bounds for ${c} classes (valid: 0..${c - 1}` +
    `${ignoreIndex < 0 || ignoreIndex >= c ? `, or ignoreIndex ${ignoreIndex}` : ''})`);
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
 * Shared body of nllLoss and crossEntropy with class-index targets: one native call for the forward
 * (target conversion and validation, log-softmax for cross-entropy, the reduction) and one for the
 * backward.
 */
function classLoss(
  op: string, mode: number, nodeName: string, input: Tensor, target: ClassTarget,
  values: Int32Array | Float32Array | Float64Array, ignoreIndex: number, n: number, c: number, inner: number,
  targetShape: number[], w: Float32Array | null, reduction: Reduction, eps: number,
): Tensor {
  const m = n * inner;
  const red = LossReduction[reduction];
  const perPosition = reduction === 'none';
  const grad = needsGrad(input);
  const tgt = new Int32Array(m);
  const logp = mode === ClassLossMode.crossEntropy && grad ? new Float32Array(input.storage.length) : null;
  const loss = new Float32Array(perPosition ? m : 1);
  const info = new Float64Array(1);
  const bad = lossNative.classLoss(mode, input.storage, n, c, inner, values, w, ignoreIndex, eps, red, tgt, logp, loss, info);
  if (bad >= 0) throw targetError(op, target, bad, c, ignoreIndex);
  const totalWeight = info[0];
  const out = new Tensor(loss, perPosition ? targetShape : []);
  if (grad) {
    record(nodeName, [input], [out], ([g]) => {
      const gx = new Float32Array(n * c * inner);
      lossNative.classLossBackward(mode, logp, n, c, inner, tgt, w, eps, red, totalWeight, g!.storage, gx);
      return [new Tensor(gx, input.shape)];
    });
  }
  return out;
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
  const { n, c, inner, targetShape } = classLayout(op, input);
  const values = classTargetValues(op, target, targetShape, c);
  const w = classWeight(op, opts.weight, c);
  return classLoss(op, ClassLossMode.nll, 'NllLossBackward0', input, target, values, opts.ignoreIndex ?? -100,
    n, c, inner, targetShape, w, reduction, 0);
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
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be between 0 and 1, got ${eps}`);
  }
  const { n, c, inner, targetShape } = classLayout(op, input);
  const w = classWeight(op, opts.weight, c);
  if (target instanceof Tensor && sameShape(target.shape, input.shape)) {
    return crossEntropyProbs(input, target, n, c, inner, w, eps, reduction);
  }
  const values = classTargetValues(op, target, targetShape, c);
  return classLoss(op, ClassLossMode.crossEntropy, 'CrossEntropyLossBackward0', input, target, values,
    opts.ignoreIndex ?? -100, n, c, inner, targetShape, w, reduction, eps);
}

/** Cross-entropy with class-probability targets (same shape as the input). */
function crossEntropyProbs(
  input: Tensor, target: Tensor, n: number, c: number, inner: number, w: Float32Array | null, eps: number,
  reduction: Reduction,
): Tensor {
  const p = target.storage;
  const m = n * inner;
  const red = LossReduction[reduction];
  const perPosition = reduction === 'none';
  const logp = new Float32Array(p.length);
  const loss = new Float32Array(perPosition ? m : 1);
  lossNative.crossEntropyProbs(input.storage, p, n, c, inner, w, eps, red, logp, loss);
  const outShape = perPosition ? (input.dim() === 1 ? [] : [n, ...input.shape.slice(2)]) : [];
  const out = new Tensor(loss, outShape);
  if (needsGrad(input, target)) {
    record('CrossEntropyLossBackward0', [input, target], [out], ([g]) => {
      const gx = input.requiresGrad ? new Float32Array(logp.length) : null;
      const gt = target.requiresGrad ? new Float32Array(logp.length) : null;
      lossNative.crossEntropyProbsBackward(logp, p, n, c, inner, w, eps, red, g!.storage, gx, gt);
      return [gx ? new Tensor(gx, input.shape) : null, gt ? new Tensor(gt, target.shape) : null];
    });
  }
  return out;
}

// ---- elementwise regression losses --------------------------------------------------------------

// Messages already shown: PyTorch's warnings filter shows each message once per call site; once per
// process and message keeps a training loop from printing it every step. Bounded so that a stream
// of distinct shapes cannot grow it without limit.
const shownBroadcastWarnings = new Set<string>();

/**
 * Warns, as PyTorch does, when a regression loss's target shape differs from the input's: [4, 1]
 * against [4] broadcasts to [4, 4], which is rarely what was meant. Once per distinct message.
 * @internal
 */
export function warnLossBroadcast(op: string, input: readonly number[], target: readonly number[]): void {
  const msg = `${op}: using a target size ${fmtShape(target)} that is different to the input size ${fmtShape(input)}. ` +
    'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.';
  if (shownBroadcastWarnings.has(msg) || shownBroadcastWarnings.size >= 256) return;
  shownBroadcastWarnings.add(msg);
  process.emitWarning(msg, { type: 'UserWarning', code: 'TORCHLET_LOSS_BROADCAST' });
}

function elementwiseLoss(
  op: string, name: string, kind: number, input: Tensor, target: Tensor, reduction: Reduction,
  viaOps: (x: Tensor, y: Tensor) => Tensor,
): Tensor {
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  if (!sameShape(input.shape, target.shape)) {
    // Broadcasting case (PyTorch warns, then broadcasts): compose from differentiable tensor ops.
    broadcastShapes(op, input.shape, target.shape);  // a mismatch names this loss, not the inner op
    warnLossBroadcast(op, input.shape, target.shape);
    const l = viaOps(input, target);
    return reduction === 'none' ? l : reduction === 'sum' ? R.sum(l) : R.mean(l);
  }
  const x = input.storage, y = target.storage, m = x.length;
  const red = LossReduction[reduction];
  const perPosition = reduction === 'none';
  const loss = new Float32Array(perPosition ? m : 1);
  lossNative.pointwiseLoss(kind, x, y, red, loss);
  const out = new Tensor(loss, perPosition ? input.shape : []);
  if (needsGrad(input, target)) {
    record(name, [input, target], [out], ([g]) => {
      const gx = input.requiresGrad ? new Float32Array(m) : null;
      const gy = target.requiresGrad ? new Float32Array(m) : null;
      lossNative.pointwiseLossBackward(kind, x, y, red, g!.storage, gx, gy);
      return [gx ? new Tensor(gx, input.shape) : null, gy ? new Tensor(gy, target.shape) : null];
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
  return elementwiseLoss('mseLoss', 'MseLossBackward0', PointwiseLossKind.mse, input, target, reduction,
    (x, y) => E.square(E.sub(x, y)));
}

/** Mean absolute error (PyTorch's `F.l1_loss`); the gradient at x = y is 0. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction('l1Loss', opts.reduction);
  return elementwiseLoss('l1Loss', 'L1LossBackward0', PointwiseLossKind.l1, input, target, reduction,
    (x, y) => E.abs(E.sub(x, y)));
}

/**
 * Values of `t` broadcast to `shape`, for the native BCE: the tensor's own storage when it is a
 * suffix-broadcast (its shape, leading 1s dropped, equals the input's trailing dims: the native code
 * reads it periodically, no copy), else a materialized copy. null for no tensor.
 */
function broadcastValues(op: string, name: string, t: Tensor | null | undefined, shape: readonly number[]): Float32Array | null {
  if (t === undefined || t === null) return null;
  checkTensor(op, t, name);
  const ts = t.shape;
  if (ts.length <= shape.length) {
    let k = 0;
    while (k < ts.length && ts[k] === 1) k++;
    const off = shape.length - ts.length;
    let suffix = true;
    for (let d = k; d < ts.length; d++) if (ts[d] !== shape[off + d]) suffix = false;
    if (suffix) return t.storage;
  }
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
  const red = LossReduction[reduction];
  const perPosition = reduction === 'none';
  const loss = new Float32Array(perPosition ? m : 1);
  lossNative.bceWithLogits(x, y, w, pw, red, loss);
  const out = new Tensor(loss, perPosition ? shape : []);
  if (needsGrad(input, target)) {
    record('BinaryCrossEntropyWithLogitsBackward0', [input, target], [out], ([g]) => {
      const gx = input.requiresGrad ? new Float32Array(m) : null;
      const gy = target.requiresGrad ? new Float32Array(m) : null;
      lossNative.bceWithLogitsBackward(x, y, w, pw, red, g!.storage, gx, gy);
      return [gx ? new Tensor(gx, shape) : null, gy ? new Tensor(gy, shape) : null];
    });
  }
  return out;
}
