import { Tensor } from '../../tensor';
import * as F from '../../functional';
import { Module } from '../module';
import { pyBool, pyFloat } from './utils';

/** Zeroes elements with probability `p` and scales by 1/(1-p) in training mode; identity in eval. */
export class Dropout extends Module<[Tensor], Tensor> {
  declare p: number;
  declare inplace: boolean;
  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    if (typeof p === 'object') {
      inplace = !!p.inplace;
      p = p.p ?? 0.5;
    }
    if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training);
  }
  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
