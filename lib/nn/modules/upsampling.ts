import { Tensor } from '../../tensor';
import { interpolate, pixelShuffle } from '../../functional/interpolate';
import type { InterpolateMode } from '../../functional/interpolate';
import { pyFloat, pyValue } from './utils';
import { Module } from '../module';

/** `nn.PixelShuffle(upscaleFactor)`: [*, C r^2, H, W] -> [*, C, H r, W r]. */
export class PixelShuffle extends Module<[Tensor], Tensor> {
  declare upscaleFactor: number;
  constructor(upscaleFactor: number) {
    super();
    if (!Number.isInteger(upscaleFactor) || upscaleFactor < 1) {
      throw new RangeError(`PixelShuffle: upscaleFactor must be a positive integer, got ${JSON.stringify(upscaleFactor)}`);
    }
    this.upscaleFactor = upscaleFactor;
  }
  forward(input: Tensor): Tensor { return pixelShuffle(input, this.upscaleFactor); }
  extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/** Python's repr of a float or a tuple of floats: `2.0`, `(2.0, 1.5)`. */
function pyFloats(v: number | readonly number[]): string {
  if (typeof v === 'number') return pyFloat(v);
  return v.length === 1 ? `(${pyFloat(v[0])},)` : `(${v.map((x) => pyFloat(x)).join(', ')})`;
}

/**
 * `nn.Upsample({ size, scaleFactor, mode, alignCorners, recomputeScaleFactor })` (or PyTorch's
 * positional `(size, scaleFactor, mode, alignCorners)`): `F.interpolate` as a module.
 */
export class Upsample extends Module<[Tensor], Tensor> {
  declare size: number | number[] | null;
  declare scaleFactor: number | number[] | null;
  declare mode: InterpolateMode;
  declare alignCorners: boolean | null;
  declare recomputeScaleFactor: boolean | null;
  constructor(
    size: number | readonly number[] | UpsampleOptions | null = null, scaleFactor: number | readonly number[] | null = null,
    mode: InterpolateMode = 'nearest', alignCorners: boolean | null = null,
  ) {
    super();
    const o: UpsampleOptions = size !== null && typeof size === 'object' && !Array.isArray(size)
      ? (size as UpsampleOptions) : { size: size as number | number[] | null, scaleFactor, mode, alignCorners };
    const bad = (name: string, v: unknown) => new TypeError(`Upsample: ${name} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
    for (const [name, v] of [['size', o.size], ['scaleFactor', o.scaleFactor]] as const) {
      if (v !== null && v !== undefined && typeof v !== 'number' && !(Array.isArray(v) && v.every((x) => typeof x === 'number'))) throw bad(name, v);
    }
    this.size = o.size === null || o.size === undefined ? null : typeof o.size === 'number' ? o.size : [...o.size];
    this.scaleFactor = o.scaleFactor === null || o.scaleFactor === undefined ? null
      : typeof o.scaleFactor === 'number' ? o.scaleFactor : [...o.scaleFactor];
    this.mode = o.mode ?? 'nearest';
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }
  forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  extraRepr(): string {
    const info = this.scaleFactor !== null ? `scale_factor=${pyFloats(this.scaleFactor)}` : `size=${pyValue(this.size)}`;
    return `${info}, mode=${this.mode}`;  // PyTorch 1.13 prints the mode unquoted
  }
}

/** `nn.UpsamplingNearest2d(size?, scaleFactor?)`: Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(size: number | readonly number[] | null = null, scaleFactor: number | readonly number[] | null = null) {
    super(size, scaleFactor, 'nearest');
  }
}

/** `nn.UpsamplingBilinear2d(size?, scaleFactor?)`: Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size: number | readonly number[] | null = null, scaleFactor: number | readonly number[] | null = null) {
    super(size, scaleFactor, 'bilinear', true);
  }
}
