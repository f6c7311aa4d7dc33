import { Tensor } from '../../tensor';
import { empty } from '../../ops/creation';
import * as F from '../../functional';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { pair, pyValue } from './utils';

export type Size2 = number | [number, number];

export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' is supported by the kernels so far. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

/** 2-D convolution over NCHW input (PyTorch's `nn.Conv2d`). Weight [out, in/groups, kh, kw]. */
export class Conv2d extends Module<[Tensor], Tensor> {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: [number, number];
  declare stride: [number, number];
  declare padding: [number, number] | 'same' | 'valid';
  declare dilation: [number, number];
  declare groups: number;
  declare paddingMode: string;
  declare outputPadding: [number, number];
  declare transposed: boolean;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros' } = opts;
    for (const [name, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new TypeError(`Conv2d: ${name} must be a non-negative integer, got ${v}`);
    }
    if (!Number.isInteger(groups) || groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
    const strideP = pair(stride, 'stride');
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new Error(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      }
      if (padding === 'same' && strideP.some((s) => s !== 1)) {
        throw new Error("padding='same' is not supported for strided convolutions");
      }
    }
    const modes = ['zeros', 'reflect', 'replicate', 'circular'];
    if (!modes.includes(paddingMode)) {
      throw new Error(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'kernelSize');
    this.stride = strideP;
    this.padding = typeof padding === 'string' ? padding : pair(padding, 'padding');
    this.dilation = pair(dilation, 'dilation');
    this.transposed = false;
    this.outputPadding = [0, 0];
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(empty(outChannels, inChannels / groups, this.kernelSize[0], this.kernelSize[1]));
    if (bias) this.bias = new Parameter(empty(outChannels));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  forward(input: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      throw new Error(`Conv2d: padding_mode='${this.paddingMode}' is not supported yet`);
    }
    return F.conv2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string' || p.some((v) => v !== 0)) s += `, padding=${pyValue(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyValue(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyValue(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
