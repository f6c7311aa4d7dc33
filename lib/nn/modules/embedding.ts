import { Tensor } from '../../tensor';
import { empty } from '../../ops/creation';
import { noGrad } from '../../autograd/grad-mode';
import { embedding, EmbeddingOptions as FOptions } from '../../functional/embedding';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { pyFloat } from './utils';

export interface EmbeddingOptions extends FOptions {
  /** Use this tensor as the weight ([numEmbeddings, embeddingDim]) instead of a new N(0, 1) one. */
  _weight?: Tensor;
}

/**
 * `nn.Embedding(numEmbeddings, embeddingDim, { paddingIdx, maxNorm, normType, scaleGradByFreq })`:
 * a lookup table `weight` [numEmbeddings, embeddingDim] initialised N(0, 1), the paddingIdx row zero.
 */
export class Embedding extends Module<[Tensor], Tensor> {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare paddingIdx: number | null;
  declare maxNorm: number | null;
  declare normType: number;
  declare scaleGradByFreq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    for (const [n, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Embedding: ${n} must be a non-negative integer, got ${v}`);
    }
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new RangeError(`Embedding: paddingIdx must be within numEmbeddings, got ${pad}`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    this.sparse = opts.sparse ?? false;
    if (opts._weight) {
      const s = opts._weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim) {
        throw new RangeError(`Embedding: _weight must have shape [${numEmbeddings}, ${embeddingDim}], got [${s.join(', ')}]`);
      }
      this.weight = new Parameter(opts._weight.detach());
    } else {
      this.weight = new Parameter(empty(numEmbeddings, embeddingDim));
      this.resetParameters();
    }
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => {
      const w = this.weight._beginWrite('resetParameters');
      w.fill(0, this.paddingIdx! * this.embeddingDim, (this.paddingIdx! + 1) * this.embeddingDim);
    });
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}
