/**
 * Normalisation layers with PyTorch's arguments, initialisation, state-dict keys and reprs:
 * LayerNorm, GroupNorm, BatchNorm1d and InstanceNorm2d.
 */
import { Tensor } from '../../tensor';
import { empty, ones, tensor, zeros } from '../../ops/creation';
import * as N from '../../functional/normalization';
import { batchNorm } from '../../functional/batchnorm';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { BatchNorm2d } from './batchnorm';
import { pyBool, pyFloat, pyValue } from './utils';

export interface LayerNormOptions {
  eps?: number;
  /** Learnt per-element weight (ones) and bias (zeros). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine: whether there is a bias (PyTorch 2.1's `bias`). */
  bias?: boolean;
}

/** `nn.LayerNorm(normalizedShape, { eps = 1e-5, elementwiseAffine = true, bias = true })`. */
export class LayerNorm extends Module<[Tensor], Tensor> {
  declare normalizedShape: number[];
  declare eps: number;
  declare elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (ns.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
      throw new TypeError(`LayerNorm: normalizedShape must be a non-negative integer or a list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = ns;
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = new Parameter(empty(ns));
      if (opts.bias ?? true) this.bias = new Parameter(empty(ns));
      else this.registerParameter('bias', null);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return N.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  extraRepr(): string {
    return `${pyValue(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

/** `nn.GroupNorm(numGroups, numChannels, { eps = 1e-5, affine = true })` over (N, C, *) input. */
export class GroupNorm extends Module<[Tensor], Tensor> {
  declare numGroups: number;
  declare numChannels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1) throw new RangeError(`GroupNorm: numGroups must be a positive integer, got ${numGroups}`);
    if (!Number.isInteger(numChannels) || numChannels < 0) throw new RangeError(`GroupNorm: numChannels must be a non-negative integer, got ${numChannels}`);
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numChannels must be divisible by numGroups, got ${numChannels} and ${numGroups}`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    if (this.affine) {
      this.weight = new Parameter(empty(numChannels));
      this.bias = new Parameter(empty(numChannels));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return N.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** `nn.BatchNorm1d(numFeatures, { eps, momentum, affine, trackRunningStats })` over (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNorm2d {
  forward(input: Tensor): Tensor {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${input.dim()}D input)`);
    // BatchNorm2d's forward with its own rank check (F.batchNorm takes any (N, C, *)).
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.add_(1);
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useStats = !this.training || this.trackRunningStats;
    return batchNorm(input, useStats ? this.running_mean : null, useStats ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps,
    });
  }
}

export interface InstanceNormOptions {
  eps?: number;
  momentum?: number;
  /** Learnt per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running stats, used in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
}

/**
 * `nn.InstanceNorm2d(numFeatures, { eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false })`
 * over (N, C, H, W) or unbatched (C, H, W) input.
 */
export class InstanceNorm2d extends Module<[Tensor], Tensor> {
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`InstanceNorm2d: numFeatures must be a non-negative integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    if (this.affine) {
      this.weight = new Parameter(empty(numFeatures));
      this.bias = new Parameter(empty(numFeatures));
      init.ones_(this.weight);
      init.zeros_(this.bias);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros(numFeatures));
      this.registerBuffer('running_var', ones(numFeatures));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  forward(input: Tensor): Tensor {
    const d = input.dim();
    if (d !== 3 && d !== 4) throw new Error(`expected 3D or 4D input (got ${d}D input)`);
    const x = d === 3 ? input.reshape([1, ...input.shape]) : input;
    if (x.shape[1] !== this.numFeatures && this.affine) {
      throw new RangeError(`InstanceNorm2d: expected input's size at dim=${d - 3} to match num_features (${this.numFeatures}), but got: ${x.shape[1]}.`);
    }
    // As PyTorch, InstanceNorm never advances num_batches_tracked (it only exists in its state dict).
    const out = N.instanceNorm(x, {
      runningMean: this.running_mean,
      runningVar: this.running_var,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return d === 3 ? out.reshape(input.shape) : out;
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
