import { Tensor } from '../../tensor';
import * as F from '../../functional';
import { relu_ } from '../../functional/activation';
import { Module } from '../module';
import { pyBool } from './utils';

export class ReLU extends Module<[Tensor], Tensor> {
  declare inplace: boolean;
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = typeof inplace === 'boolean' ? inplace : !!inplace.inplace;
  }
  forward(input: Tensor): Tensor {
    return this.inplace ? relu_(input) : F.relu(input);
  }
  extraRepr(): string {
    return this.inplace ? `inplace=${pyBool(true)}` : '';
  }
}

export class Sigmoid extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class Tanh extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Softmax extends Module<[Tensor], Tensor> {
  declare dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, legacyDim(this.dim, input));
  }
  extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

export class LogSoftmax extends Module<[Tensor], Tensor> {
  declare dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, legacyDim(this.dim, input));
  }
  extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** PyTorch's `_get_softmax_dim` for `dim=None` (deprecated implicit choice). */
function legacyDim(dim: number | null, x: Tensor): number {
  if (dim !== null) return dim;
  const nd = x.dim();
  return nd === 0 || nd === 1 || nd === 3 ? 0 : 1;
}
