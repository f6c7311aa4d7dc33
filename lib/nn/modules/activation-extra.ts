/**
 * Activation modules beyond ReLU/Sigmoid/Tanh, with PyTorch's constructor arguments (positional,
 * or one options object), reprs and (for PReLU) parameter names. `inplace: true` really works in
 * place (see lib/functional/activation.ts).
 */
import { Tensor } from '../../tensor';
import { empty } from '../../ops/creation';
import * as A from '../../functional/activation';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { pyBool, pyFloat } from './utils';

type InplaceArg = boolean | { inplace?: boolean };

function inplaceOf(v: InplaceArg | undefined, cls: string): boolean {
  const b = typeof v === 'object' && v !== null ? v.inplace : v;
  if (b === undefined) return false;
  if (typeof b !== 'boolean') throw new TypeError(`${cls}: inplace must be a boolean, got ${JSON.stringify(b)}`);
  return b;
}

const inplaceRepr = (inplace: boolean) => (inplace ? `inplace=${pyBool(true)}` : '');

/** A module whose only option is `inplace`. */
abstract class InplaceActivation extends Module<[Tensor], Tensor> {
  declare inplace: boolean;
  constructor(inplace: InplaceArg = false) {
    super();
    this.inplace = inplaceOf(inplace, new.target.name);
  }
}

/** `nn.ReLU6(inplace = false)`: min(max(x, 0), 6). */
export class ReLU6 extends InplaceActivation {
  forward(input: Tensor): Tensor { return A.relu6(input, this.inplace); }
  extraRepr(): string { return inplaceRepr(this.inplace); }
}

export interface LeakyReLUOptions { negativeSlope?: number; inplace?: boolean }

/** `nn.LeakyReLU(negativeSlope = 0.01, inplace = false)`. */
export class LeakyReLU extends Module<[Tensor], Tensor> {
  declare negativeSlope: number;
  declare inplace: boolean;
  constructor(negativeSlope: number | LeakyReLUOptions = 0.01, inplace = false) {
    super();
    const o = typeof negativeSlope === 'object' && negativeSlope !== null ? negativeSlope : { negativeSlope, inplace };
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = inplaceOf(o.inplace, 'LeakyReLU');
    if (typeof this.negativeSlope !== 'number') {
      throw new TypeError(`LeakyReLU: negativeSlope must be a number, got ${JSON.stringify(this.negativeSlope)}`);
    }
  }
  forward(input: Tensor): Tensor { return A.leakyRelu(input, this.negativeSlope, this.inplace); }
  extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export interface ELUOptions { alpha?: number; inplace?: boolean }

/** `nn.ELU(alpha = 1, inplace = false)`. */
export class ELU extends Module<[Tensor], Tensor> {
  declare alpha: number;
  declare inplace: boolean;
  constructor(alpha: number | ELUOptions = 1, inplace = false) {
    super();
    const o = typeof alpha === 'object' && alpha !== null ? alpha : { alpha, inplace };
    this.alpha = o.alpha ?? 1;
    this.inplace = inplaceOf(o.inplace, 'ELU');
    if (typeof this.alpha !== 'number') throw new TypeError(`ELU: alpha must be a number, got ${JSON.stringify(this.alpha)}`);
  }
  forward(input: Tensor): Tensor { return A.elu(input, this.alpha, this.inplace); }
  extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}

/** `nn.GELU({ approximate: 'none' | 'tanh' })` (or `nn.GELU('tanh')`). */
export class GELU extends Module<[Tensor], Tensor> {
  declare approximate: A.GeluApproximate;
  constructor(approximate: A.GeluApproximate | { approximate?: A.GeluApproximate } = 'none') {
    super();
    const a = typeof approximate === 'string' ? approximate : (approximate ?? {}).approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(a)}`);
    this.approximate = a;
  }
  forward(input: Tensor): Tensor { return A.gelu(input, { approximate: this.approximate }); }
  extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** `nn.SiLU(inplace = false)`: x * sigmoid(x). */
export class SiLU extends InplaceActivation {
  forward(input: Tensor): Tensor { return A.silu(input, this.inplace); }
  extraRepr(): string { return inplaceRepr(this.inplace); }
}

/** `nn.Mish(inplace = false)`: x * tanh(softplus(x)). */
export class Mish extends InplaceActivation {
  forward(input: Tensor): Tensor { return A.mish(input, this.inplace); }
  extraRepr(): string { return inplaceRepr(this.inplace); }
}

/** `nn.Hardswish(inplace = false)` (PyTorch prints no options for it). */
export class Hardswish extends InplaceActivation {
  forward(input: Tensor): Tensor { return A.hardswish(input, this.inplace); }
}

/** `nn.Hardsigmoid(inplace = false)` (PyTorch prints no options for it). */
export class Hardsigmoid extends InplaceActivation {
  forward(input: Tensor): Tensor { return A.hardsigmoid(input, this.inplace); }
}

export interface SoftplusOptions { beta?: number; threshold?: number }

/** `nn.Softplus(beta = 1, threshold = 20)`. */
export class Softplus extends Module<[Tensor], Tensor> {
  declare beta: number;
  declare threshold: number;
  constructor(beta: number | SoftplusOptions = 1, threshold = 20) {
    super();
    const o = typeof beta === 'object' && beta !== null ? beta : { beta, threshold };
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  forward(input: Tensor): Tensor { return A.softplus(input, this.beta, this.threshold); }
  // PyTorch prints the values as given (ints as ints); JS numbers print as integers when integral.
  extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

/** `nn.Softsign()`: x / (1 + |x|). */
export class Softsign extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor { return A.softsign(input); }
}

export interface PReLUOptions { numParameters?: number; init?: number }

/** `nn.PReLU(numParameters = 1, init = 0.25)`: a learnt slope per channel (or one shared), `weight`. */
export class PReLU extends Module<[Tensor], Tensor> {
  declare numParameters: number;
  declare weight: Parameter;
  constructor(numParameters: number | PReLUOptions = 1, init = 0.25) {
    super();
    const o = typeof numParameters === 'object' && numParameters !== null ? numParameters : { numParameters, init };
    const n = o.numParameters ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`PReLU: numParameters must be a positive integer, got ${JSON.stringify(n)}`);
    const v = o.init ?? 0.25;
    if (typeof v !== 'number') throw new TypeError(`PReLU: init must be a number, got ${JSON.stringify(v)}`);
    this.numParameters = n;
    this.weight = new Parameter(empty(n).fill_(v));
  }
  forward(input: Tensor): Tensor { return A.prelu(input, this.weight); }
  extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}
