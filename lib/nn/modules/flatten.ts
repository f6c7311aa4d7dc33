import { Tensor } from '../../tensor';
import { Module } from '../module';

/** Flattens dims `startDim..endDim` (PyTorch's `nn.Flatten`, default 1..-1). */
export class Flatten extends Module<[Tensor], Tensor> {
  declare startDim: number;
  declare endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
