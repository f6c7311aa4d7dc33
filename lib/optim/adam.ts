/** `torch.optim.Adam` and `torch.optim.AdamW`, PyTorch's single-tensor update rules. */
import * as E from '../ops/elementwise';
import { zerosLike } from '../ops/creation';
import { Tensor } from '../tensor';
import { Optimizer, ParamGroup, ParamsInput } from './optimizer';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty (Adam: added to the gradient; AdamW: decoupled decay, default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad). */
  amsgrad?: boolean;
  maximize?: boolean;
}

type AdamDefaults = Required<AdamOptions>;

abstract class AdamBase extends Optimizer<AdamDefaults> {
  protected abstract readonly decoupled: boolean;

  protected validateGroup(g: ParamGroup): void {
    if (!(g.eps >= 0)) throw new RangeError(`Invalid epsilon value: ${g.eps}`);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new TypeError('betas must be a pair [beta1, beta2]');
    if (!(g.betas[0] >= 0 && g.betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${g.betas[0]}`);
    if (!(g.betas[1] >= 0 && g.betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${g.betas[1]}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${g.weightDecay}`);
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.expAvg = zerosLike(p);
        state.expAvgSq = zerosLike(p);
        if (amsgrad) state.maxExpAvgSq = zerosLike(p);
      }
      let grad: Tensor = maximize ? E.neg(p.grad) : p.grad;
      const step = (state.step as number) + 1;
      state.step = step;
      if (this.decoupled) {
        if (weightDecay !== 0) p.mul_(1 - lr * weightDecay);
      } else if (weightDecay !== 0) {
        grad = E.add(grad, p, weightDecay);
      }
      const expAvg = state.expAvg as Tensor, expAvgSq = state.expAvgSq as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).add_(E.mul(grad, grad), 1 - beta2);
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = lr / biasCorrection1;
      const bc2Sqrt = Math.sqrt(biasCorrection2);
      let second = expAvgSq;
      if (amsgrad) {
        let maxSq = state.maxExpAvgSq as Tensor | undefined;
        if (!maxSq) {
          maxSq = zerosLike(p);
          state.maxExpAvgSq = maxSq;
        }
        maxSq.copy_(E.maximum(maxSq, expAvgSq));
        second = maxSq;
      }
      const denom = E.div(E.sqrt(second), bc2Sqrt).add_(eps);
      p.add_(E.div(expAvg, denom), -stepSize);
    }
  }
}

/**
 * Adam (Kingma & Ba), PyTorch's formulation: weight decay is added to the gradient (L2).
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  protected readonly name: string = 'Adam';
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      amsgrad: opts.amsgrad ?? false,
      maximize: opts.maximize ?? false,
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter): decoupled weight decay θ ← θ·(1 - lr·weightDecay) before the Adam
 * step; weightDecay defaults to 1e-2.
 */
export class AdamW extends AdamBase {
  protected readonly name: string = 'AdamW';
  protected readonly decoupled: boolean = true;

  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 1e-2,
      amsgrad: opts.amsgrad ?? false,
      maximize: opts.maximize ?? false,
    });
  }
}
