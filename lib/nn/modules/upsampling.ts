import { Tensor } from '../../tensor';
import { pixelShuffle } from '../../functional/interpolate';
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
