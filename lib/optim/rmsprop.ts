/** `torch.optim.RMSprop`, PyTorch's single-tensor update rule. */
import * as E from '../ops/elementwise';
import { zerosLike } from '../ops/creation';
import { Tensor } from '../tensor';
import { Optimizer, ParamGroup, ParamsInput } from './optimizer';

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the running average of squared gradients (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered?: boolean;
  maximize?: boolean;
}

/**
 * RMSprop (Hinton), PyTorch's formulation: eps is added after the square root, and momentum
 * accumulates `grad / avg`:
 * ```
 * v ← alpha·v + (1 - alpha)·g²;  avg ← sqrt(v - (centered ? ḡ² : 0)) + eps
 * b ← momentum·b + g / avg;  θ ← θ - lr·(momentum > 0 ? b : g / avg)
 * ```
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-2, momentum: 0.9 });
 */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  protected readonly name = 'RMSprop';

  constructor(params: ParamsInput, opts: RMSpropOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    if (!(g.eps >= 0)) throw new RangeError(`Invalid epsilon value: ${g.eps}`);
    if (!(g.momentum >= 0)) throw new RangeError(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.alpha >= 0)) throw new RangeError(`Invalid alpha value: ${g.alpha}`);
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.squareAvg = zerosLike(p);
        if (momentum > 0) state.momentumBuffer = zerosLike(p);
        if (centered) state.gradAvg = zerosLike(p);
      }
      state.step = (state.step as number) + 1;
      let grad: Tensor = maximize ? E.neg(p.grad) : p.grad;
      if (weightDecay !== 0) grad = E.add(grad, p, weightDecay);
      const squareAvg = state.squareAvg as Tensor;
      squareAvg.mul_(alpha).add_(E.mul(grad, grad), 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const gradAvg = state.gradAvg as Tensor;
        gradAvg.mul_(alpha).add_(grad, 1 - alpha);
        avg = E.sqrt(E.sub(squareAvg, E.mul(gradAvg, gradAvg)));
      } else {
        avg = E.sqrt(squareAvg);
      }
      avg.add_(eps);
      if (momentum > 0) {
        const buf = state.momentumBuffer as Tensor;
        buf.mul_(momentum).add_(E.div(grad, avg));
        p.add_(buf, -lr);
      } else {
        p.add_(E.div(grad, avg), -lr);
      }
    }
  }
}
