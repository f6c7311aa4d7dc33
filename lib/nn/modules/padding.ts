import { Tensor } from '../../tensor';
import { Padding2d, zeroPad2d } from '../../functional/interpolate';
import { Module } from '../module';
import { pyValue } from './utils';

/** `nn.ZeroPad2d(padding)`: padding a number or [left, right, top, bottom]. */
export class ZeroPad2d extends Module<[Tensor], Tensor> {
  declare padding: [number, number, number, number];
  constructor(padding: Padding2d) {
    super();
    const p = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
    if (!Array.isArray(p) || p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new RangeError(`ZeroPad2d: padding must be a non-negative integer or [left, right, top, bottom] of them, got ${JSON.stringify(padding)}`);
    }
    this.padding = [p[0], p[1], p[2], p[3]];
  }
  forward(input: Tensor): Tensor { return zeroPad2d(input, this.padding); }
  extraRepr(): string { return pyValue(this.padding); }
}
