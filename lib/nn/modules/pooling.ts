import { Tensor } from '../../tensor';
import * as F from '../../functional';
import { Module } from '../module';
import { pyBool, pyValue } from './utils';

type F_MaxOpts = NonNullable<Parameters<typeof F.maxPool2d>[2]>;

export type Size2 = number | [number, number];
/** Adaptive output size: a number, or [h, w] where null keeps the input's size. */
export type AdaptiveSize = number | [number | null, number | null];

export interface MaxPool2dOptions {
  /** Defaults to kernelSize. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/** Values are kept as given (number or pair), so they print as PyTorch prints them. */
export class MaxPool2d extends Module<[Tensor], any> {
  declare kernelSize: Size2;
  declare stride: Size2;
  declare padding: Size2;
  declare dilation: Size2;
  declare returnIndices: boolean;
  declare ceilMode: boolean;

  constructor(kernelSize: Size2, opts: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = !!opts.returnIndices;
    this.ceilMode = !!opts.ceilMode;
  }

  forward(input: Tensor): any {
    const opts: F_MaxOpts = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
      returnIndices: this.returnIndices,
    };
    return F.maxPool2d(input, this.kernelSize, opts);
  }

  extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}, ` +
      `dilation=${pyValue(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

export class AvgPool2d extends Module<[Tensor], Tensor> {
  declare kernelSize: Size2;
  declare stride: Size2;
  declare padding: Size2;
  declare ceilMode: boolean;
  declare countIncludePad: boolean;
  declare divisorOverride: number | null;

  constructor(kernelSize: Size2, opts: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = !!opts.ceilMode;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    const o: Record<string, unknown> = {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    };
    if (this.divisorOverride !== null) o.divisorOverride = this.divisorOverride;
    return F.avgPool2d(input, this.kernelSize, o);
  }

  extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module<[Tensor], Tensor> {
  declare outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
  }
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }
  extraRepr(): string {
    return `output_size=${pyValue(this.outputSize)}`;
  }
}

export class AdaptiveMaxPool2d extends Module<[Tensor], any> {
  declare outputSize: AdaptiveSize;
  declare returnIndices: boolean;
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = !!opts.returnIndices;
  }
  forward(input: Tensor): any {
    return F.adaptiveMaxPool2d(input, this.outputSize, this.returnIndices);
  }
  extraRepr(): string {
    return `output_size=${pyValue(this.outputSize)}`;
  }
}
