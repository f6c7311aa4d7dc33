/**
 * Loss modules (PyTorch's `nn.CrossEntropyLoss`, ...): thin Modules over `nn.functional`. Class
 * weights and `posWeight` are registered as buffers, as in PyTorch (they appear in `stateDict()`).
 */
import { Tensor } from '../../tensor';
import * as L from '../../functional/loss';
import { Module } from '../module';

type Reduction = L.Reduction;

/** Base of the losses with a `reduction` option (PyTorch's `_Loss`). */
abstract class Loss<A extends unknown[]> extends Module<A, Tensor> {
  declare reduction: Reduction;

  constructor(reduction: Reduction | undefined) {
    super();
    this.reduction = reduction ?? 'mean';
  }
}

export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits and class indices (tensor of integral values, number[] or Int32Array)
 * or class probabilities.
 * @example
 * const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion(model(x), labels);
 */
export class CrossEntropyLoss extends Loss<[Tensor, L.ClassTarget]> {
  declare weight: Tensor | null;
  declare ignoreIndex: number;
  declare labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: L.ClassTarget): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log-likelihood of class indices under log-probabilities. */
export class NLLLoss extends Loss<[Tensor, L.ClassTarget]> {
  declare weight: Tensor | null;
  declare ignoreIndex: number;

  constructor(opts: NLLLossOptions = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: L.ClassTarget): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Mean squared error. */
export class MSELoss extends Loss<[Tensor, Tensor]> {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error. */
export class L1Loss extends Loss<[Tensor, Tensor]> {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Sigmoid + binary cross-entropy in one numerically stable op. */
export class BCEWithLogitsLoss extends Loss<[Tensor, Tensor]> {
  declare weight: Tensor | null;
  /** The `posWeight` buffer (stored as `pos_weight`, PyTorch's state-dict key). */
  declare pos_weight: Tensor | null;

  constructor(opts: L.BCEWithLogitsOptions = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
