/** The convolution layers beside Conv2d (Conv1d, ConvTranspose2d) and their companions Dropout2d and Unflatten. */
import { Tensor } from '../../tensor';
import { nnNative } from '../../native-nn';
import { Module } from '../module';
import { fmtShape } from '../../shape';
import { pyBool, pyFloat, pyValue } from './utils';
import { empty } from '../../ops/creation';
import { conv1d, convTranspose1d, convTranspose2d } from '../../functional/conv-extra';
import { Parameter } from '../parameter';
import * as init from '../init';

export type Size2 = number | [number, number];

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

/** A 1-D size: n or [n]. */
export type Size1 = number | [number];

export interface Conv1dOptions {
  stride?: Size1;
  padding?: Size1 | 'same' | 'valid';
  dilation?: Size1;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' is supported by the kernels so far. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

function single(op: string, name: string, v: unknown, min: number): [number] {
  const x = typeof v === 'number' ? v : Array.isArray(v) && v.length === 1 ? v[0] : undefined;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
    throw new TypeError(`${op}: ${name} must be an integer >= ${min} or a 1-element list of one, got ${JSON.stringify(v)}`);
  }
  return [x];
}

function tuple2(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : undefined;
  if (!p || p.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < min)) {
    throw new TypeError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

function checkChannels(op: string, inChannels: number, outChannels: number, groups: number): void {
  for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new TypeError(`${op}: ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  if (inChannels % groups !== 0) throw new RangeError(`${op}: in_channels must be divisible by groups, got ${inChannels} and groups ${groups}`);
  if (outChannels % groups !== 0) throw new RangeError(`${op}: out_channels must be divisible by groups, got ${outChannels} and groups ${groups}`);
}

const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'];

/** PyTorch's `_ConvNd.reset_parameters`: kaiming-uniform weight (a = sqrt 5), bias U(±1/sqrt(fanIn)). */
function resetConvParameters(weight: Parameter, bias: Parameter | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    if (fanIn !== 0) {
      const bound = 1 / Math.sqrt(fanIn);
      init.uniform_(bias, -bound, bound);
    }
  }
}

/** PyTorch's `_ConvNd.extra_repr`. */
function convRepr(m: {
  inChannels: number; outChannels: number; kernelSize: number[]; stride: number[]; padding: number[] | string;
  dilation: number[]; outputPadding: number[]; groups: number; bias: Parameter | null; paddingMode: string;
}): string {
  let s = `${m.inChannels}, ${m.outChannels}, kernel_size=${pyValue(m.kernelSize)}, stride=${pyValue(m.stride)}`;
  const p = m.padding;
  if (typeof p === 'string' || p.some((v) => v !== 0)) s += `, padding=${pyValue(p)}`;
  if (m.dilation.some((v) => v !== 1)) s += `, dilation=${pyValue(m.dilation)}`;
  if (m.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyValue(m.outputPadding)}`;
  if (m.groups !== 1) s += `, groups=${m.groups}`;
  if (m.bias === null) s += ', bias=False';
  if (m.paddingMode !== 'zeros') s += `, padding_mode=${m.paddingMode}`;
  return s;
}

/**
 * `nn.Conv1d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias,
 * paddingMode })`: 1-D convolution over (N, C, L) or (C, L) input; weight [out, in/groups, k],
 * PyTorch's initialisation, state-dict keys and repr.
 */
export class Conv1d extends Module<[Tensor], Tensor> {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: [number];
  declare stride: [number];
  declare padding: [number] | 'same' | 'valid';
  declare dilation: [number];
  declare groups: number;
  declare paddingMode: string;
  declare outputPadding: [number];
  declare transposed: boolean;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size1, opts: Conv1dOptions = {}) {
    super();
    const op = 'Conv1d';
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros' } = opts ?? {};
    checkChannels(op, inChannels, outChannels, groups);
    this.kernelSize = single(op, 'kernelSize', kernelSize, 1);
    this.stride = single(op, 'stride', stride, 1);
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new RangeError(`${op}: invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      }
      if (padding === 'same' && this.stride[0] !== 1) {
        throw new RangeError(`${op}: padding='same' is not supported for strided convolutions, got stride ${this.stride[0]}`);
      }
    }
    if (!PADDING_MODES.includes(paddingMode)) {
      throw new RangeError(`${op}: padding_mode must be one of ${JSON.stringify(PADDING_MODES)}, got '${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.padding = typeof padding === 'string' ? padding : single(op, 'padding', padding, 0);
    this.dilation = single(op, 'dilation', dilation, 1);
    this.transposed = false;
    this.outputPadding = [0];
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(empty(outChannels, inChannels / groups, this.kernelSize[0]));
    if (bias) this.bias = new Parameter(empty(outChannels));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void { resetConvParameters(this.weight, this.bias); }

  forward(input: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') throw new Error(`Conv1d: padding_mode='${this.paddingMode}' is not supported yet`);
    return conv1d(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups,
    });
  }

  extraRepr(): string { return convRepr(this); }
}

export interface ConvTranspose2dOptions {
  stride?: Size2;
  padding?: Size2;
  outputPadding?: Size2;
  groups?: number;
  bias?: boolean;
  dilation?: Size2;
  /** Only 'zeros', as PyTorch. */
  paddingMode?: 'zeros';
}

/**
 * `nn.ConvTranspose2d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding,
 * groups, bias, dilation })`: the adjoint of Conv2d; weight [in, out/groups, kh, kw], output size
 * (h - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1. `forward(x, outputSize?)`
 * picks the output padding that gives outputSize, as PyTorch.
 */
export class ConvTranspose2d extends Module<[Tensor, (readonly number[])?], Tensor> {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: [number, number];
  declare stride: [number, number];
  declare padding: [number, number];
  declare dilation: [number, number];
  declare groups: number;
  declare paddingMode: string;
  declare outputPadding: [number, number];
  declare transposed: boolean;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: ConvTranspose2dOptions = {}) {
    super();
    const op = 'ConvTranspose2d';
    const { stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, paddingMode = 'zeros' } = opts ?? {};
    checkChannels(op, inChannels, outChannels, groups);
    if (paddingMode !== 'zeros') {
      throw new RangeError(`${op}: only "zeros" padding mode is supported for ConvTranspose2d, got '${paddingMode}'`);
    }
    if (typeof padding === 'string') throw new TypeError(`${op}: padding must be an integer or a pair, got '${padding}'`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple2(op, 'kernelSize', kernelSize, 1);
    this.stride = tuple2(op, 'stride', stride, 1);
    this.padding = tuple2(op, 'padding', padding, 0);
    this.dilation = tuple2(op, 'dilation', dilation, 1);
    this.outputPadding = tuple2(op, 'outputPadding', outputPadding, 0);
    this.transposed = true;
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(empty(inChannels, outChannels / groups, this.kernelSize[0], this.kernelSize[1]));
    if (bias) this.bias = new Parameter(empty(outChannels));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void { resetConvParameters(this.weight, this.bias); }

  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    const outputPadding = outputSize === undefined ? this.outputPadding : this.outputPaddingFor(input, outputSize);
    return convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  /** PyTorch's `_ConvTransposeNd._output_padding`: the output padding that yields outputSize. */
  private outputPaddingFor(input: Tensor, outputSize: readonly number[]): [number, number] {
    const op = 'ConvTranspose2d';
    const nd = input.shape.length;
    if (nd !== 3 && nd !== 4) throw new RangeError(`${op}: expected a 3-D or 4-D input, got input${fmtShape(input.shape)}`);
    let size = Array.from(outputSize);
    if (size.length === 4 || size.length === 3) size = size.slice(-2);
    if (size.length !== 2) {
      throw new RangeError(`${op}: outputSize must have 2 or ${nd} elements (got ${outputSize.length})`);
    }
    const res: number[] = [];
    for (let d = 0; d < 2; d++) {
      const inSize = input.shape[nd - 2 + d];
      const min = (inSize - 1) * this.stride[d] - 2 * this.padding[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1;
      const max = min + this.stride[d] - 1;
      if (!Number.isInteger(size[d]) || size[d] < min || size[d] > max) {
        throw new RangeError(
          `${op}: requested an output size of ${JSON.stringify(size)}, but valid sizes range from [${min}] to [${max}] ` +
            `for dim ${d} (for an input of ${JSON.stringify(input.shape.slice(-2))}), got ${size[d]}`,
        );
      }
      res.push(size[d] - min);
    }
    return [res[0], res[1]];
  }

  extraRepr(): string { return convRepr(this); }
}

export interface ConvTranspose1dOptions {
  stride?: Size1;
  padding?: Size1;
  outputPadding?: Size1;
  groups?: number;
  bias?: boolean;
  dilation?: Size1;
  /** Only 'zeros', as PyTorch. */
  paddingMode?: 'zeros';
}

/**
 * `nn.ConvTranspose1d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding,
 * groups, bias, dilation })`: the adjoint of Conv1d over (N, C, L) or (C, L) input; weight
 * [in, out/groups, k].
 */
export class ConvTranspose1d extends Module<[Tensor], Tensor> {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: [number];
  declare stride: [number];
  declare padding: [number];
  declare dilation: [number];
  declare groups: number;
  declare paddingMode: string;
  declare outputPadding: [number];
  declare transposed: boolean;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size1, opts: ConvTranspose1dOptions = {}) {
    super();
    const op = 'ConvTranspose1d';
    const { stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, paddingMode = 'zeros' } = opts ?? {};
    checkChannels(op, inChannels, outChannels, groups);
    if (paddingMode !== 'zeros') {
      throw new RangeError(`${op}: only "zeros" padding mode is supported for ConvTranspose1d, got '${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = single(op, 'kernelSize', kernelSize, 1);
    this.stride = single(op, 'stride', stride, 1);
    this.padding = single(op, 'padding', padding, 0);
    this.dilation = single(op, 'dilation', dilation, 1);
    this.outputPadding = single(op, 'outputPadding', outputPadding, 0);
    this.transposed = true;
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(empty(inChannels, outChannels / groups, this.kernelSize[0]));
    if (bias) this.bias = new Parameter(empty(outChannels));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void { resetConvParameters(this.weight, this.bias); }

  forward(input: Tensor): Tensor {
    return convTranspose1d(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups,
      dilation: this.dilation,
    });
  }

  extraRepr(): string { return convRepr(this); }
}
