/** `torch.optim.SGD`, PyTorch's single-tensor update rule. */
import * as E from '../ops/elementwise';
import { Tensor } from '../tensor';
import { Optimizer, ParamGroup, ParamsInput } from './optimizer';

export interface SGDOptions {
  /** Learning rate (default 1e-3, as PyTorch 2.x). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum (PyTorch's formulation: the buffer starts as the
 * first gradient; `dampening` scales later gradients; `nesterov` looks ahead):
 * ```
 * g ← ∇ (negated if maximize) + weightDecay·θ
 * b ← g (first step) | momentum·b + (1 - dampening)·g
 * θ ← θ - lr·(nesterov ? g + momentum·b : b)
 * ```
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  protected readonly name = 'SGD';

  constructor(params: ParamsInput, opts: SGDOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-3,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    if (!(g.momentum >= 0)) throw new RangeError(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let d: Tensor = maximize ? E.neg(p.grad) : p.grad;
      if (weightDecay !== 0) d = E.add(d, p, weightDecay);
      const state = this.stateOf(p);
      if (momentum !== 0) {
        let buf = state.momentumBuffer as Tensor | null | undefined;
        if (!buf) {
          buf = new Tensor(d.toFloat32Array(), d.shape);
          state.momentumBuffer = buf;
        } else {
          buf.mul_(momentum).add_(d, 1 - dampening);
        }
        d = nesterov ? E.add(d, buf, momentum) : buf;
      } else {
        state.momentumBuffer = null;
      }
      p.add_(d, -lr);
    }
  }
}
