/** `nn.utils.clipGradNorm_` / `clipGradValue_` (torch/nn/utils/clip_grad.py). */
import { Tensor } from '../../tensor';
import { tensor } from '../../ops/creation';
import { noGrad } from '../../autograd/grad-mode';
import { typeName } from '../module';

/** Options of {@link clipGradNorm_}, as PyTorch's keyword arguments. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

// PyTorch accepts a single tensor or any iterable of them; a generator may only be walked once,
// so it is materialised here.
function gradsOf(op: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  let params: unknown[];
  if (parameters instanceof Tensor) params = [parameters];
  else if (parameters !== null && parameters !== undefined && typeof (parameters as Iterable<Tensor>)[Symbol.iterator] === 'function') {
    params = [...(parameters as Iterable<unknown>)];
  } else {
    throw new TypeError(`${op}: parameters must be a Tensor or an iterable of Tensors, got ${typeName(parameters)}`);
  }
  const grads: Tensor[] = [];
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters must be Tensors, got ${typeName(p)}`);
    if (p.grad) grads.push(p.grad);
  }
  return grads;
}

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number, got ${typeName(v)}`);
  return v;
}

// torch.norm(x, p) over the values of one tensor, rounded to float32 as PyTorch's result is.
function vectorNorm(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (p === Infinity || p === -Infinity) {
    if (n === 0) return p === Infinity ? 0 : Infinity;
    let m = Math.abs(values[0]);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(values[i]);
      // NaN propagates as in torch.max / torch.min
      if (Number.isNaN(a)) return NaN;
      m = p === Infinity ? Math.max(m, a) : Math.min(m, a);
    }
    return Math.fround(m);
  }
  if (p === 0) {
    let c = 0;
    for (let i = 0; i < n; i++) if (values[i] !== 0) c++;
    return Math.fround(c);
  }
  let s = 0;
  if (p === 2) for (let i = 0; i < n; i++) s += values[i] * values[i];
  else if (p === 1) for (let i = 0; i < n; i++) s += Math.abs(values[i]);
  else for (let i = 0; i < n; i++) s += Math.abs(values[i]) ** p;
  return Math.fround(p === 1 ? s : s ** (1 / p));
}

function valuesOf(g: Tensor): ArrayLike<number> {
  // A strided (non-contiguous) grad has no flat storage of its own; a contiguous copy does.
  const c = typeof (g as { contiguous?: () => Tensor }).contiguous === 'function' ? (g as unknown as { contiguous(): Tensor }).contiguous() : g;
  return c.storage;
}

/**
 * Scales the gradients of `parameters` in place so that their total `normType`-norm (the norm of
 * the per-tensor norms) is at most `maxNorm`, and returns that total norm before clipping as a
 * 0-d tensor. Parameters without a gradient are skipped; with none at all the result is 0.
 *
 * @param normType any p of `torch.norm` (default 2), `Infinity` for the largest absolute value.
 * @example
 * loss.backward();
 * nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): Tensor {
  const op = 'clipGradNorm_';
  const grads = gradsOf(op, parameters);
  checkNumber(op, 'maxNorm', maxNorm);
  checkNumber(op, 'normType', normType);
  if (options === null || typeof options !== 'object') throw new TypeError(`${op}: options must be an object, got ${typeName(options)}`);
  if (grads.length === 0) return tensor(0);
  const norms = grads.map((g) => vectorNorm(valuesOf(g), normType));
  const total = normType === Infinity ? (norms.some(Number.isNaN) ? NaN : Math.max(...norms)) : vectorNorm(norms, normType);
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        'To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite: false`',
    );
  }
  // float32 arithmetic, as PyTorch's clip_coef tensor
  const coef = Math.fround(Math.fround(maxNorm) / Math.fround(total + 1e-6));
  // clamp(max=1) keeps NaN, so a NaN norm turns every gradient into NaN as in PyTorch
  const clamped = coef > 1 ? 1 : coef;
  noGrad(() => {
    for (const g of grads) g.mul_(clamped);
  });
  return tensor(total);
}

/**
 * Clamps every gradient of `parameters` in place into `[-clipValue, clipValue]`. Parameters
 * without a gradient are skipped.
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  const grads = gradsOf(op, parameters);
  checkNumber(op, 'clipValue', clipValue);
  noGrad(() => {
    for (const g of grads) {
      const src = valuesOf(g);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        // torch.clamp is min(max(v, lo), hi): NaN stays NaN, and a negative clipValue (lo > hi)
        // gives hi everywhere
        const lo = v < -clipValue ? -clipValue : v;
        out[i] = lo > clipValue ? clipValue : lo;
      }
      g.copy_(tensor(out, { shape: [...g.shape] }));
    }
  });
}
