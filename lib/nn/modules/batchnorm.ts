import { Tensor } from '../../tensor';
import { empty, ones, zeros, tensor } from '../../ops/creation';
import * as F from '../../functional';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { pyBool, pyFloat } from './utils';

export interface BatchNorm2dOptions {
  eps?: number;
  /** null: cumulative moving average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over NCHW input (PyTorch's `nn.BatchNorm2d`). Buffers `running_mean`,
 * `running_var` and `num_batches_tracked` keep PyTorch's names (they are the state-dict keys);
 * `num_batches_tracked` is an int64 scalar, as in PyTorch.
 */
export class BatchNorm2d extends Module<[Tensor], Tensor> {
  /** PyTorch's _BatchNorm._version: state dicts of version 2 carry num_batches_tracked. */
  static _version = 2;
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNorm2dOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (this.affine) {
      this.weight = new Parameter(empty(numFeatures));
      this.bias = new Parameter(empty(numFeatures));
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
    this.resetParameters();
  }

  /** camelCase views of the buffers. */
  get runningMean(): Tensor | null { return this.running_mean; }
  get runningVar(): Tensor | null { return this.running_var; }
  get numBatchesTracked(): Tensor | null { return this.num_batches_tracked; }

  resetRunningStats(): void {
    if (this.trackRunningStats) {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    }
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  forward(input: Tensor): Tensor {
    if (input.dim() !== 4) throw new Error(`expected 4D input (got ${input.dim()}D input)`);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.add_(1);
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useStats ? this.running_mean : null, useStats ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    });
  }

  /**
   * As PyTorch for checkpoints without version metadata (every torchlet/safetensors state dict):
   * a missing `num_batches_tracked` is not reported and keeps its current value.
   */
  _loadFromStateDict(
    stateDict: Map<string, unknown>,
    prefix: string,
    missingKeys: string[],
    unexpectedKeys: string[],
    errorMsgs: string[],
  ): void {
    const key = prefix + 'num_batches_tracked';
    if (this.trackRunningStats && this.num_batches_tracked !== null && !stateDict.has(key)) {
      stateDict.set(key, this.num_batches_tracked);
    }
    super._loadFromStateDict(stateDict, prefix, missingKeys, unexpectedKeys, errorMsgs);
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
