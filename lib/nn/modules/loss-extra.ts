/** The losses of lib/functional/loss-extra.ts as Modules (PyTorch's names, options and reprs). */
import { Tensor } from '../../tensor';
import * as L from '../../functional/loss-extra';
import { Module } from '../module';

type Reduction = L.Reduction;

/** `nn.BCELoss({ weight, reduction })`; weight is a buffer (it appears in `stateDict()`, as PyTorch). */
export class BCELoss extends Module<[Tensor, Tensor], Tensor> {
  declare weight: Tensor | null;
  declare reduction: Reduction;
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super();
    this.registerBuffer('weight', opts.weight ?? null);
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** `nn.SmoothL1Loss({ reduction, beta = 1 })`. */
export class SmoothL1Loss extends Module<[Tensor, Tensor], Tensor> {
  declare reduction: Reduction;
  declare beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** `nn.HuberLoss({ reduction, delta = 1 })`. */
export class HuberLoss extends Module<[Tensor, Tensor], Tensor> {
  declare reduction: Reduction;
  declare delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** `nn.KLDivLoss({ reduction = 'mean', logTarget = false })`. */
export class KLDivLoss extends Module<[Tensor, Tensor], Tensor> {
  declare reduction: Reduction | 'batchmean';
  declare logTarget: boolean;
  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** `nn.CosineEmbeddingLoss({ margin = 0, reduction })`. */
export class CosineEmbeddingLoss extends Module<[Tensor, Tensor, Tensor], Tensor> {
  declare margin: number;
  declare reduction: Reduction;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super();
    this.margin = opts.margin ?? 0;
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(x1, x2, target, { margin: this.margin, reduction: this.reduction });
  }
}
