/**
 * Finite-difference gradient check. The op runs in float32; the loss L = sum(w * f(x)) with fixed
 * random weights w is accumulated in float64, and central differences of L are compared with the
 * analytic gradients from backward(). Inputs are perturbed one element at a time.
 */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Check only these input indices (others are still passed). */
  only?: number[];
}

function weights(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = (s / 4294967296) * 2 - 1;
  }
  return w;
}

function lossOf(out: Tensor, w: Float64Array): number {
  const v = out.storage;
  let l = 0;
  for (let i = 0; i < v.length; i++) l += w[i] * v[i];
  return l;
}

/** Throws with the worst element if analytic and numeric gradients disagree. */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-3, atol = opts.atol ?? 2e-3, rtol = opts.rtol ?? 2e-2;
  const xs = inputs.map((t) => t.detach().clone().requiresGrad_(true));
  const out = fn(...xs);
  const w = weights(out.numel(), 12345);
  out.backward(torch.tensor(Float32Array.from(w), { shape: out.shape }));
  const check = opts.only ?? xs.map((_, i) => i);
  for (const i of check) {
    const x = xs[i];
    const analytic = x.grad ? x.grad.toFloat32Array() : new Float32Array(x.numel());
    const data = x.storage;
    for (let j = 0; j < data.length; j++) {
      const orig = data[j];
      const f = (v: number) => {
        data[j] = v;
        const l = torch.noGrad(() => lossOf(fn(...xs), w));
        data[j] = orig;
        return l;
      };
      const numeric = (f(orig + eps) - f(orig - eps)) / (2 * eps);
      const a = analytic[j];
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${i} element ${j}: analytic ${a} vs numeric ${numeric} (shape [${x.shape}])`);
      }
    }
  }
}
