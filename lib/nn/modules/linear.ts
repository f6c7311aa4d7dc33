import { Tensor } from '../../tensor';
import { empty } from '../../ops/creation';
import * as F from '../../functional';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { pyBool } from './utils';

/** y = x Wᵀ + b (PyTorch's `nn.Linear`). Weight [out, in], kaiming-uniform; bias U(-1/√in, 1/√in). */
export class Linear extends Module<[Tensor], Tensor> {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } | boolean = {}) {
    super();
    const bias = typeof opts === 'boolean' ? opts : opts.bias ?? true;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty(outFeatures, inFeatures));
    if (bias) this.bias = new Parameter(empty(outFeatures));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged (arguments are accepted and ignored, as in PyTorch). */
export class Identity extends Module<[any], any> {
  constructor(..._args: unknown[]) {
    super();
  }

  forward(input: any): any {
    return input;
  }
}
