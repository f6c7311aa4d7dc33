/**
 * More losses, as PyTorch: `binaryCrossEntropy`, `smoothL1Loss`, `huberLoss`, `klDiv`,
 * `cosineEmbeddingLoss`. Each is one elementwise pass forward (float64 accumulation for the
 * reductions) and one backward; gradients flow to `input` (and to x1/x2 for the cosine loss).
 */
import { needsGrad, record } from '../autograd/node';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { checkOptionalTensor, checkOptions, checkTensor } from './nn-util';

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(op: string, r: unknown, extra: readonly string[] = []): string {
  const ok = ['mean', 'sum', 'none', ...extra];
  if (!ok.includes(r as string)) {
    throw new RangeError(`${op}: reduction must be ${ok.map((v) => `'${v}'`).join(', ')}, got ${JSON.stringify(r)}`);
  }
  return r as string;
}

function sameShapes(op: string, a: Tensor, b: Tensor, an: string, bn: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((v, i) => v !== b.shape[i])) {
    throw new RangeError(`${op}: ${bn}${fmtShape(b.shape)} must have the same shape as ${an}${fmtShape(a.shape)}`);
  }
}

/**
 * The shared elementwise frame: `loss(i)` gives element i's loss, `grad(i)` its derivative with
 * respect to input[i]; `divisor` is what 'mean' divides by.
 */
function elementwise(
  name: string, input: Tensor, reduction: string, loss: (i: number) => number, grad: (i: number) => number,
  divisor = input.numel(),
): Tensor {
  const n = input.numel();
  let out: Tensor;
  if (reduction === 'none') {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = loss(i);
    out = new Tensor(v, input.shape);
  } else {
    let s = 0;
    for (let i = 0; i < n; i++) s += loss(i);
    out = new Tensor(Float32Array.of(reduction === 'sum' ? s : s / divisor), []);
  }
  if (needsGrad(input)) {
    record(name, [input], [out], ([g]) => {
      const gs = g!.storage;
      const gx = new Float32Array(n);
      const k = reduction === 'none' ? 0 : reduction === 'sum' ? gs[0] : gs[0] / divisor;
      for (let i = 0; i < n; i++) gx[i] = grad(i) * (reduction === 'none' ? gs[i] : k);
      return [new Tensor(gx, input.shape)];
    }, [input]);
  }
  return out;
}

export interface BCEOptions { weight?: Tensor | null; reduction?: Reduction }

/** `F.binaryCrossEntropy(input, target, { weight, reduction })` on probabilities in [0, 1]. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  opts = opts ?? {};
  checkOptions(op, opts, ['weight', 'reduction']);
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  sameShapes(op, input, target, 'input', 'target');
  const w = checkOptionalTensor(op, opts.weight, 'weight');
  if (w) sameShapes(op, input, w, 'input', 'weight');
  const x = input.storage, t = target.storage, wv = w ? w.storage : null;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) throw new RangeError(`${op}: all elements of input should be between 0 and 1, got ${x[i]} at ${i}`);
  }
  // PyTorch clamps each log at -100 so an input of exactly 0 or 1 gives a finite loss.
  const lg = (v: number) => Math.max(Math.log(v), -100);
  return elementwise('BinaryCrossEntropyBackward0', input, reduction,
    (i) => -(wv ? wv[i] : 1) * (t[i] * lg(x[i]) + (1 - t[i]) * lg(1 - x[i])),
    (i) => ((wv ? wv[i] : 1) * (x[i] - t[i])) / Math.max((1 - x[i]) * x[i], 1e-12));
}

/** `F.smoothL1Loss(input, target, { reduction, beta = 1 })`. */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const op = 'smoothL1Loss';
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  opts = opts ?? {};
  checkOptions(op, opts, ['reduction', 'beta']);
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const beta = opts.beta ?? 1;
  if (typeof beta !== 'number' || !(beta >= 0)) throw new RangeError(`${op}: beta must be a non-negative number, got ${JSON.stringify(beta)}`);
  sameShapes(op, input, target, 'input', 'target');
  const x = input.storage, t = target.storage;
  return elementwise('SmoothL1LossBackward0', input, reduction,
    (i) => {
      const z = Math.abs(x[i] - t[i]);
      return beta === 0 ? z : z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
    },
    (i) => {
      const d = x[i] - t[i];
      return beta === 0 ? Math.sign(d) : d <= -beta ? -1 : d >= beta ? 1 : d / beta;
    });
}

/** `F.huberLoss(input, target, { reduction, delta = 1 })`. */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const op = 'huberLoss';
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  opts = opts ?? {};
  checkOptions(op, opts, ['reduction', 'delta']);
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const delta = opts.delta ?? 1;
  if (typeof delta !== 'number' || !(delta > 0)) throw new RangeError(`${op}: delta must be a positive number, got ${JSON.stringify(delta)}`);
  sameShapes(op, input, target, 'input', 'target');
  const x = input.storage, t = target.storage;
  return elementwise('HuberLossBackward0', input, reduction,
    (i) => {
      const z = Math.abs(x[i] - t[i]);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    },
    (i) => {
      const d = x[i] - t[i];
      return d <= -delta ? -delta : d >= delta ? delta : d;
    });
}

/**
 * `F.klDiv(input, target, { reduction = 'mean', logTarget = false })`: input holds log-probabilities;
 * target probabilities (or log-probabilities with logTarget). 'batchmean' divides the sum by the
 * batch size (the mathematically correct KL divergence); 'mean' by the element count, as PyTorch.
 */
export function klDiv(
  input: Tensor, target: Tensor, opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  const op = 'klDiv';
  checkTensor(op, input, 'input');
  checkTensor(op, target, 'target');
  opts = opts ?? {};
  checkOptions(op, opts, ['reduction', 'logTarget']);
  const reduction = checkReduction(op, opts.reduction ?? 'mean', ['batchmean']);
  sameShapes(op, input, target, 'input', 'target');
  const x = input.storage, t = target.storage, logT = !!opts.logTarget;
  const divisor = reduction === 'batchmean' ? (input.dim() > 0 ? input.shape[0] : 1) : input.numel();
  return elementwise('KlDivBackward0', input, reduction === 'batchmean' ? 'mean' : reduction,
    // xlogy(t, t): 0 where t == 0, as PyTorch.
    (i) => (logT ? Math.exp(t[i]) * (t[i] - x[i]) : (t[i] === 0 ? 0 : t[i] * Math.log(t[i])) - t[i] * x[i]),
    (i) => (logT ? -Math.exp(t[i]) : -t[i]), divisor);
}

/**
 * `F.cosineEmbeddingLoss(x1, x2, y, { margin = 0, reduction })`: x1, x2 [N, D] (or [D]) and y of
 * +-1 per row; 1 - cos for y = 1, max(0, cos - margin) for y = -1.
 */
export function cosineEmbeddingLoss(
  x1: Tensor, x2: Tensor, y: Tensor, opts: { margin?: number; reduction?: Reduction } = {},
): Tensor {
  const op = 'cosineEmbeddingLoss';
  checkTensor(op, x1, 'input1');
  checkTensor(op, x2, 'input2');
  checkTensor(op, y, 'target');
  opts = opts ?? {};
  checkOptions(op, opts, ['margin', 'reduction']);
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const margin = opts.margin ?? 0;
  if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new RangeError(`${op}: margin must be a number, got ${JSON.stringify(margin)}`);
  sameShapes(op, x1, x2, 'input1', 'input2');
  if (x1.dim() !== 1 && x1.dim() !== 2) throw new RangeError(`${op}: expected 1-D or 2-D inputs, got input1${fmtShape(x1.shape)}`);
  const rows = x1.dim() === 2 ? x1.shape[0] : 1, d = x1.shape[x1.dim() - 1];
  const wantY = x1.dim() === 2 ? [rows] : [];
  if (y.dim() !== wantY.length || (wantY.length && y.shape[0] !== rows)) {
    throw new RangeError(`${op}: expected target of shape ${fmtShape(wantY)} for input1${fmtShape(x1.shape)}, got target${fmtShape(y.shape)}`);
  }
  const a = x1.storage, b = x2.storage, yv = y.storage;
  const cos = new Float64Array(rows), m1 = new Float64Array(rows), m2 = new Float64Array(rows), den = new Float64Array(rows);
  const l = new Float32Array(rows);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let p = 0, q1 = 0, q2 = 0;
    for (let j = 0; j < d; j++) {
      p += a[r * d + j] * b[r * d + j];
      q1 += a[r * d + j] ** 2;
      q2 += b[r * d + j] ** 2;
    }
    m1[r] = q1 + 1e-12;
    m2[r] = q2 + 1e-12;
    den[r] = Math.sqrt(m1[r] * m2[r]);
    cos[r] = p / den[r];
    if (yv[r] !== 1 && yv[r] !== -1) throw new RangeError(`${op}: target values must be 1 or -1, got ${yv[r]} at ${r}`);
    l[r] = yv[r] === 1 ? 1 - cos[r] : Math.max(0, cos[r] - margin);
    s += l[r];
  }
  const out = reduction === 'none' ? new Tensor(l, wantY) : new Tensor(Float32Array.of(reduction === 'sum' ? s : s / rows), []);
  if (needsGrad(x1, x2)) {
    record('CosineEmbeddingLossBackward', [x1, x2], [out], ([g]) => {
      const gs = g!.storage;
      const g1 = new Float32Array(a.length), g2 = new Float32Array(b.length);
      for (let r = 0; r < rows; r++) {
        const up = reduction === 'none' ? gs[r] : reduction === 'sum' ? gs[0] : gs[0] / rows;
        // dL/dcos: -1 for y = 1; 1 where the hinge is active for y = -1.
        const dc = yv[r] === 1 ? -1 : cos[r] - margin > 0 ? 1 : 0;
        const k = up * dc;
        if (k === 0) continue;
        for (let j = 0; j < d; j++) {
          const i = r * d + j;
          g1[i] = k * (b[i] / den[r] - (cos[r] * a[i]) / m1[r]);
          g2[i] = k * (a[i] / den[r] - (cos[r] * b[i]) / m2[r]);
        }
      }
      return [x1.requiresGrad ? new Tensor(g1, x1.shape) : null, x2.requiresGrad ? new Tensor(g2, x2.shape) : null];
    }, [x1, x2]);
  }
  return out;
}
