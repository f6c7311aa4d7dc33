/** Companions of the convolution layers: channel-wise Dropout2d and Unflatten. */
import { Tensor } from '../../tensor';
import { nnNative } from '../../native-nn';
import { Module } from '../module';
import { fmtShape } from '../../shape';
import { pyBool, pyFloat, pyValue } from './utils';

/**
 * `nn.Dropout2d(p = 0.5, inplace = false)`: in training, zeroes whole channels of (N, C, H, W) or
 * (C, H, W) input with probability p and scales the others by 1/(1-p); identity in eval.
 */
export class Dropout2d extends Module<[Tensor], Tensor> {
  declare p: number;
  declare inplace: boolean;
  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    const o = typeof p === 'object' && p !== null ? p : { p, inplace };
    const pv = o.p ?? 0.5;
    if (typeof pv !== 'number' || !(pv >= 0 && pv <= 1)) throw new RangeError(`Dropout2d: dropout probability has to be between 0 and 1, but got ${pv}`);
    this.p = pv;
    this.inplace = !!o.inplace;
  }
  forward(input: Tensor): Tensor {
    if (!this.training || this.p === 0) return input;
    const s = input.shape;
    if (s.length !== 3 && s.length !== 4) throw new RangeError(`Dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got input${fmtShape(s)}`);
    const maskShape = s.length === 4 ? [s[0], s[1], 1, 1] : [s[0], 1, 1];
    const mask = new Float32Array(maskShape.reduce((a, b) => a * b, 1));
    if (this.p < 1) nnNative.bernoulli(mask, this.p, 1 / (1 - this.p));
    return input.mul(new Tensor(mask, maskShape));
  }
  extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`; }
}

/** `nn.Unflatten(dim, unflattenedSize)`: splits one dim into several (one entry may be -1). */
export class Unflatten extends Module<[Tensor], Tensor> {
  declare dim: number;
  declare unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError(`Unflatten: dim must be an integer, got ${JSON.stringify(dim)}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((v) => !Number.isInteger(v))) {
      throw new TypeError(`Unflatten: unflattenedSize must be a list of integers, got ${JSON.stringify(unflattenedSize)}`);
    }
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }
  forward(input: Tensor): Tensor {
    const s = input.shape, nd = s.length;
    const d = this.dim < 0 ? this.dim + nd : this.dim;
    if (d < 0 || d >= nd) throw new RangeError(`Unflatten: dim ${this.dim} is out of range for input${fmtShape(s)}`);
    return input.reshape([...s.slice(0, d), ...this.unflattenedSize, ...s.slice(d + 1)]);
  }
  extraRepr(): string { return `dim=${this.dim}, unflattened_size=${pyValue(this.unflattenedSize)}`; }
}
