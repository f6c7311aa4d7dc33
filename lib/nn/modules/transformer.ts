/**
 * Attention and transformer layers with PyTorch's constructor arguments, initialisation,
 * state-dict keys and reprs: MultiheadAttention, TransformerEncoderLayer, TransformerEncoder, so
 * PyTorch checkpoints of these models load strictly.
 */
import { Tensor } from '../../tensor';
import { empty } from '../../ops/creation';
import * as F from '../../functional';
import { multiHeadAttentionForward } from '../../functional/attention';
import type { MultiHeadAttentionOptions } from '../../functional/attention';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as init from '../init';
import { Linear } from './linear';
import { Dropout } from './dropout';
import { LayerNorm } from './normalization';
import { ModuleList } from './container';

function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkProb(op: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A Linear that PyTorch's quantization leaves alone; only its name (and so its repr) differs. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  /** Extra learnt key/value rows: not supported (an error if true). */
  addBiasKv?: boolean;
  /** An extra all-zero key/value row: not supported (an error if true). */
  addZeroAttn?: boolean;
  /** Key and value widths (default embedDim); different widths use separate projection weights. */
  kdim?: number | null;
  vdim?: number | null;
  /** Input and output as [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
}

/**
 * `nn.MultiheadAttention(embedDim, numHeads, { dropout, bias, kdim, vdim, batchFirst })`:
 * `mha(query, key, value, { keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal })`
 * returns `[output, weights | null]`. Parameters as PyTorch: `in_proj_weight` [3E, E] (or
 * `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim/vdim differ), `in_proj_bias`,
 * `out_proj.weight`, `out_proj.bias`; xavier-uniform projections, zero biases.
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiHeadAttentionOptions?], [Tensor, Tensor | null]> {
  declare embedDim: number;
  declare kdim: number;
  declare vdim: number;
  declare numHeads: number;
  declare dropout: number;
  declare batchFirst: boolean;
  declare headDim: number;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const op = 'MultiheadAttention';
    opts = opts ?? {};
    checkInt(op, 'embedDim', embedDim, 1);
    checkInt(op, 'numHeads', numHeads, 1);
    if (opts.addBiasKv || opts.addZeroAttn) throw new RangeError(`${op}: addBiasKv and addZeroAttn are not supported`);
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    checkInt(op, 'kdim', this.kdim, 1);
    checkInt(op, 'vdim', this.vdim, 1);
    this.numHeads = numHeads;
    this.dropout = checkProb(op, opts.dropout ?? 0);
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new RangeError(`${op}: embed_dim must be divisible by num_heads, got ${embedDim} and ${numHeads}`);
    if (!this._qkvSameEmbedDim) {
      this.q_proj_weight = new Parameter(empty(embedDim, embedDim));
      this.k_proj_weight = new Parameter(empty(embedDim, this.kdim));
      this.v_proj_weight = new Parameter(empty(embedDim, this.vdim));
      this.registerParameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = new Parameter(empty(3 * embedDim, embedDim));
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    }
    if (opts.bias ?? true) this.in_proj_bias = new Parameter(empty(3 * embedDim));
    else this.registerParameter('in_proj_bias', null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: opts.bias ?? true });
    this.resetParameters();
  }

  /** @internal */
  get _qkvSameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  resetParameters(): void {
    if (this.in_proj_weight) init.xavierUniform_(this.in_proj_weight);
    else {
      init.xavierUniform_(this.q_proj_weight!);
      init.xavierUniform_(this.k_proj_weight!);
      init.xavierUniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias!, 0);
    }
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiHeadAttentionOptions = {}): [Tensor, Tensor | null] {
    const batched = query.shape.length === 3;
    if (this.batchFirst && batched) {
      // One transpose when the three are the same tensor, so self-attention keeps its packed projection.
      const q = query.transpose(1, 0);
      const k = key === query ? q : key.transpose(1, 0);
      const v = value === key ? k : value.transpose(1, 0);
      query = q;
      key = k;
      value = v;
    }
    const [out, w] = multiHeadAttentionForward(query, key, value, {
      numHeads: this.numHeads,
      inProjWeight: this.in_proj_weight,
      qProjWeight: this.q_proj_weight,
      kProjWeight: this.k_proj_weight,
      vProjWeight: this.v_proj_weight,
      inProjBias: this.in_proj_bias,
      outProjWeight: this.out_proj.weight,
      outProjBias: this.out_proj.bias,
      dropoutP: this.dropout,
      training: this.training,
    }, opts);
    return [this.batchFirst && batched ? out.transpose(1, 0) : out, w];
  }
}

export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module<[Tensor], Tensor>;

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before attention and feed-forward) instead of post-norm. */
  normFirst?: boolean;
  bias?: boolean;
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

const isTensorOrNull = (x: unknown): x is Tensor | null | undefined => x === null || x === undefined || x instanceof Tensor;

/**
 * `nn.TransformerEncoderLayer(dModel, nhead, { dimFeedforward = 2048, dropout = 0.1, activation =
 * 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false })`: self-attention and a
 * feed-forward block, each with a residual and LayerNorm. Called as
 * `layer(src, { srcMask, srcKeyPaddingMask, isCausal })` or PyTorch's positional
 * `layer(src, srcMask, srcKeyPaddingMask, isCausal)`.
 */
export class TransformerEncoderLayer extends Module<[Tensor, (EncoderLayerForwardOptions | Tensor | null)?, (Tensor | null)?, boolean?], Tensor> {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare normFirst: boolean;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare activation: TransformerActivation;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const op = 'TransformerEncoderLayer';
    opts = opts ?? {};
    const ff = checkInt(op, 'dimFeedforward', opts.dimFeedforward ?? 2048, 1);
    const p = checkProb(op, opts.dropout ?? 0.1);
    const bias = opts.bias ?? true;
    const eps = opts.layerNormEps ?? 1e-5;
    const act = opts.activation ?? 'relu';
    if (act !== 'relu' && act !== 'gelu' && typeof act !== 'function' && !((act as unknown) instanceof Module)) {
      throw new RangeError(`${op}: activation should be relu/gelu, not ${String(act)}`);
    }
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: opts.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = act;
  }

  private act(x: Tensor): Tensor {
    const a = this.activation;
    if (a === 'relu') return x.relu();
    if (a === 'gelu') return F.gelu(x);
    return (a as (x: Tensor) => Tensor)(x);
  }

  forward(src: Tensor, opts?: EncoderLayerForwardOptions | Tensor | null, srcKeyPaddingMask?: Tensor | null, isCausal?: boolean): Tensor {
    const o = encoderArgs(opts, srcKeyPaddingMask, isCausal, 'srcMask');
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), o));
      x = x.add(this.ffBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, o)));
      x = this.norm2(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, o: EncoderLayerForwardOptions): Tensor {
    const [y] = this.self_attn(x, x, x, {
      attnMask: o.srcMask ?? null, keyPaddingMask: o.srcKeyPaddingMask ?? null, needWeights: false, isCausal: o.isCausal ?? false,
    });
    return this.dropout1(y);
  }

  private ffBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.act(this.linear1(x)))));
  }
}

function encoderArgs(opts: unknown, kpm: Tensor | null | undefined, isCausal: boolean | undefined, maskName: string): EncoderLayerForwardOptions {
  if (isTensorOrNull(opts)) return { srcMask: opts ?? null, srcKeyPaddingMask: kpm ?? null, isCausal: isCausal ?? false };
  if (typeof opts !== 'object') throw new TypeError(`TransformerEncoder: expected a mask or an options object, got ${typeof opts}`);
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (![maskName, 'srcKeyPaddingMask', 'isCausal'].includes(k)) {
      throw new TypeError(`TransformerEncoder: unknown option '${k}' (expected one of ${maskName}, srcKeyPaddingMask, isCausal)`);
    }
  }
  return { srcMask: (o[maskName] as Tensor) ?? null, srcKeyPaddingMask: (o.srcKeyPaddingMask as Tensor) ?? null, isCausal: (o.isCausal as boolean) ?? false };
}

export interface TransformerEncoderForwardOptions {
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/**
 * `nn.TransformerEncoder(encoderLayer, numLayers, { norm })`: numLayers deep copies of the layer
 * (keys `layers.N.*`), then the optional final norm. Called as
 * `encoder(src, { mask, srcKeyPaddingMask, isCausal })` or `encoder(src, mask, srcKeyPaddingMask, isCausal)`.
 */
export class TransformerEncoder extends Module<[Tensor, (TransformerEncoderForwardOptions | Tensor | null)?, (Tensor | null)?, boolean?], Tensor> {
  declare layers: ModuleList<TransformerEncoderLayer>;
  declare numLayers: number;
  declare norm: Module<[Tensor], Tensor> | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module<[Tensor], Tensor> | null; enableNestedTensor?: boolean } = {}) {
    super();
    if (!(encoderLayer instanceof Module)) throw new TypeError(`TransformerEncoder: encoderLayer must be a Module, got ${typeof encoderLayer}`);
    checkInt('TransformerEncoder', 'numLayers', numLayers, 0);
    const layers: TransformerEncoderLayer[] = [];
    for (let i = 0; i < numLayers; i++) layers.push(encoderLayer.deepcopy());
    this.layers = new ModuleList(layers);
    this.numLayers = numLayers;
    // A plain attribute when absent, as PyTorch's `self.norm = None` (so no `(norm): None` in the repr).
    this.norm = opts?.norm ?? null;
  }

  forward(src: Tensor, opts?: TransformerEncoderForwardOptions | Tensor | null, srcKeyPaddingMask?: Tensor | null, isCausal?: boolean): Tensor {
    const o = encoderArgs(opts, srcKeyPaddingMask, isCausal, 'mask');
    let x = src;
    for (const layer of this.layers) x = layer(x, o);
    return this.norm ? this.norm(x) : x;
  }
}
