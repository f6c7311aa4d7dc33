/**
 * `F.scaledDotProductAttention(query, key, value, { attnMask, dropoutP, isCausal, scale })` with
 * PyTorch 2.x semantics: softmax(q k^T * scale + mask) v over the last two dims, any leading
 * (broadcast) dims. One native call forward and one backward (native/core/attention.*): a fused
 * kernel with a streaming softmax that never holds a whole [L, S] score matrix per head; the
 * forward saves one logsumexp per query row and the backward recomputes the probabilities from it.
 */
import { needsGrad, record } from '../autograd/node';
import { native } from '../native';
import { broadcastShapes, fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { tensor } from '../ops/creation';
import { dropout } from './dropout';
import { linear } from './linear';
import { checkOptionalTensor, checkOptions, checkTensor, uninit } from './nn-util';

type F32 = Float32Array;

/** Typed view of native/binding/ops_attention.cc. geom: [batch, l, s, e, ev, maskBatch, maskRows]. @internal */
interface AttentionBinding {
  attention(q: F32, k: F32, v: F32, mask: F32 | null, geom: number[], scale: number, causal: boolean, dropoutP: number,
    seedHi: number, seedLo: number, out: F32, lse: F32): void;
  attentionBackward(q: F32, k: F32, v: F32, mask: F32 | null, geom: number[], scale: number, causal: boolean,
    dropoutP: number, seedHi: number, seedLo: number, out: F32, lse: F32, gout: F32, gq: F32, gk: F32, gv: F32): void;
}
const attnNative = native as unknown as AttentionBinding & { randUniform(out: F32, lo: number, hi: number): void };

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to [..., L, S]. A bool mask says which weights take part (true: attend, as
   * PyTorch 2.x); a float mask is added to the scores (-Infinity excludes).
   */
  attnMask?: Tensor | null;
  /** Probability of dropping each attention weight (applied whenever > 0, as PyTorch). */
  dropoutP?: number;
  /** Query i attends to keys j <= i (PyTorch's top-left aligned tril mask); excludes attnMask. */
  isCausal?: boolean;
  /** Multiplies q k^T; default 1 / sqrt(E). */
  scale?: number | null;
}

const OPTS = ['attnMask', 'dropoutP', 'isCausal', 'scale'];

/**
 * The mask as an additive float32 buffer of [maskBatch, maskRows, S]: maskBatch 1 (one mask for
 * every batch and head) or batch; maskRows 1 (one row for every query, e.g. key padding) or L. Only
 * what the mask itself varies over is materialised.
 */
function additiveMask(op: string, mask: Tensor, batchShape: number[], l: number, s: number): [F32, number, number] {
  const dtype = mask.dtype;
  if (dtype !== 'bool' && dtype !== 'float32') {
    throw new TypeError(`${op}: expected attnMask of dtype bool or float32, got ${dtype}`);
  }
  if (needsGrad(mask)) {
    throw new RangeError(`${op}: the gradient with respect to attnMask is not supported; pass attnMask.detach()`);
  }
  const full = [...batchShape, l, s];
  const ms = mask.shape;
  let ok = ms.length <= full.length;
  for (let i = 1; ok && i <= ms.length; i++) {
    const a = ms[ms.length - i], b = full[full.length - i];
    if (a !== b && a !== 1) ok = false;
  }
  if (!ok) throw new RangeError(`${op}: attnMask${fmtShape(ms)} is not broadcastable to ${fmtShape(full)}`);
  const rows = ms.length >= 2 && ms[ms.length - 2] === l ? l : 1;
  let shared = true;
  for (let i = 0; i < ms.length - 2; i++) if (ms[i] !== 1) shared = false;
  const target = shared ? [rows, s] : [...batchShape, rows, s];
  const src = (shared ? mask.reshape(ms.slice(Math.max(0, ms.length - 2))) : mask).expand(target).contiguous();
  const batch = shared ? 1 : batchShape.reduce((a, b) => a * b, 1);
  if (dtype === 'float32') return [src.storage, batch, rows];
  const bits = src._data() as Uint8Array;
  const out = uninit(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] ? 0 : -Infinity;
  return [out, batch, rows];
}

/**
 * softmax(query key^T * scale + attnMask) value, PyTorch 2.x's `F.scaled_dot_product_attention`.
 * query [..., L, E], key [..., S, E], value [..., S, Ev] (leading dims broadcast) give [..., L, Ev].
 * A query row whose keys are all masked out is NaN, as in PyTorch. Differentiable in query, key
 * and value (not in attnMask).
 * @example
 * const y = F.scaledDotProductAttention(q, k, v, { isCausal: true, dropoutP: model.training ? 0.1 : 0 });
 */
export function scaledDotProductAttention(
  query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {},
): Tensor {
  const op = 'scaledDotProductAttention';
  checkTensor(op, query, 'query');
  checkTensor(op, key, 'key');
  checkTensor(op, value, 'value');
  opts = opts ?? {};
  checkOptions(op, opts, OPTS);
  for (const [t, name] of [[query, 'query'], [key, 'key'], [value, 'value']] as const) {
    if (t.dtype !== 'float32') throw new TypeError(`${op}: expected ${name} of dtype float32, got ${t.dtype}`);
    if (t.shape.length < 2) throw new RangeError(`${op}: expected ${name} with at least 2 dims [..., L, E], got ${name}${fmtShape(t.shape)}`);
  }
  const mask = checkOptionalTensor(op, opts.attnMask, 'attnMask');
  const dropoutP = opts.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) {
    throw new RangeError(`${op}: dropoutP must be a probability in [0, 1], got ${JSON.stringify(opts.dropoutP)}`);
  }
  const causal = opts.isCausal ?? false;
  if (typeof causal !== 'boolean') throw new TypeError(`${op}: isCausal must be a boolean, got ${typeof causal}`);
  if (causal && mask) throw new RangeError(`${op}: explicit attnMask should not be set when isCausal is true`);
  const scale = opts.scale ?? null;
  if (scale !== null && (typeof scale !== 'number' || !Number.isFinite(scale))) {
    throw new RangeError(`${op}: scale must be a finite number, got ${JSON.stringify(opts.scale)}`);
  }
  return attentionImpl(op, query, key, value, mask, causal, dropoutP, scale);
}

/**
 * The fused kernel behind scaledDotProductAttention; unlike the public form it takes a mask and
 * causal together (MultiheadAttention: key padding with a causal hint). @internal
 */
export function attentionImpl(
  op: string, query: Tensor, key: Tensor, value: Tensor, mask: Tensor | null, causal: boolean, dropoutP: number, scale: number | null,
): Tensor {
  const qs = query.shape, ks = key.shape, vs = value.shape;
  const l = qs[qs.length - 2], e = qs[qs.length - 1];
  const s = ks[ks.length - 2], ev = vs[vs.length - 1];
  if (ks[ks.length - 1] !== e) {
    throw new RangeError(`${op}: expected key with the query's last dim ${e}, got query${fmtShape(qs)} and key${fmtShape(ks)}`);
  }
  if (vs[vs.length - 2] !== s) {
    throw new RangeError(`${op}: expected value with the key's length ${s} in dim -2, got key${fmtShape(ks)} and value${fmtShape(vs)}`);
  }
  if (scale === null) scale = e > 0 ? 1 / Math.sqrt(e) : 1;
  let batchShape = broadcastShapes(op, qs.slice(0, -2), ks.slice(0, -2));
  batchShape = broadcastShapes(op, batchShape, vs.slice(0, -2));
  const batch = batchShape.reduce((a, b) => a * b, 1);
  const q = qs.length - 2 === batchShape.length && qs.slice(0, -2).every((v, i) => v === batchShape[i]) ? query : query.expand([...batchShape, l, e]);
  const k = ks.slice(0, -2).length === batchShape.length && ks.slice(0, -2).every((v, i) => v === batchShape[i]) ? key : key.expand([...batchShape, s, e]);
  const v = vs.slice(0, -2).length === batchShape.length && vs.slice(0, -2).every((x, i) => x === batchShape[i]) ? value : value.expand([...batchShape, s, ev]);
  const outShape = [...batchShape, l, ev];
  if (s === 0) {
    // softmax over no keys times an empty value: zeros, as PyTorch's matmul of empty operands.
    const z = new Tensor(new Float32Array(batch * l * ev), outShape);
    record('ScaledDotProductFlashAttentionBackward0', [q, k, v], [z], () => [
      new Tensor(new Float32Array(q.numel()), q.shape), new Tensor(new Float32Array(0), k.shape), new Tensor(new Float32Array(0), v.shape),
    ]);
    return z;
  }
  let maskBuf: F32 | null = null, maskBatch = 0, maskRows = l;
  if (mask) [maskBuf, maskBatch, maskRows] = additiveMask(op, mask, batchShape, l, s);
  let seedHi = 0, seedLo = 0;
  if (dropoutP > 0) {
    const u = new Float32Array(2);
    attnNative.randUniform(u, 0, 1);
    seedHi = Math.floor(u[0] * 2 ** 32) >>> 0;
    seedLo = Math.floor(u[1] * 2 ** 32) >>> 0;
  }
  const geom = [batch, l, s, e, ev, maskBatch, maskRows];
  const qd = q.storage, kd = k.storage, vd = v.storage;
  const out = new Tensor(uninit(batch * l * ev, op), outShape);
  const lse = uninit(batch * l, op);
  attnNative.attention(qd, kd, vd, maskBuf, geom, scale, causal, dropoutP, seedHi, seedLo, out.storage, lse);
  if (needsGrad(q, k, v)) {
    const sc = scale;
    record('ScaledDotProductFlashAttentionBackward0', [q, k, v], [out], ([g]) => {
      const gq = new Tensor(uninit(qd.length), q.shape);
      const gk = new Tensor(uninit(kd.length), k.shape);
      const gv = new Tensor(uninit(vd.length), v.shape);
      attnNative.attentionBackward(qd, kd, vd, maskBuf, geom, sc, causal, dropoutP, seedHi, seedLo, out.storage, lse,
        g!.storage, gq.storage, gk.storage, gv.storage);
      return [q.requiresGrad ? gq : null, k.requiresGrad ? gk : null, v.requiresGrad ? gv : null];
    }, [q, k, v, out]);
  }
  return out;
}

/** A mask as an additive float tensor: bool true (masked out, MultiheadAttention's convention) becomes -inf. */
function floatMask(op: string, name: string, m: Tensor): Tensor {
  if (m.dtype === 'bool') return m.logicalNot().float().log();
  if (m.dtype !== 'float32') throw new TypeError(`${op}: expected ${name} of dtype bool or float32, got ${m.dtype}`);
  return m.detach();
}

export interface MultiHeadAttentionParams {
  numHeads: number;
  /** [3E, E] packed q/k/v projection (or null with the separate weights). */
  inProjWeight: Tensor | null;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  inProjBias: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  dropoutP: number;
  training: boolean;
}

export interface MultiHeadAttentionOptions {
  /** [N, S]: bool true marks padding keys to ignore; float is added. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: bool true forbids attending; float is added. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
  /** Causal attention: the mask, when given, must be the causal one (PyTorch's hint); made here otherwise. */
  isCausal?: boolean;
}

/**
 * `F.multiHeadAttentionForward(query, key, value, params, opts)`: PyTorch's
 * `F.multi_head_attention_forward` for sequence-first input ([L, N, E], or unbatched [L, E]).
 * Returns [output, weights | null]. Without weights the heads run through the fused
 * scaledDotProductAttention; with them, the explicit softmax (whose weights are returned).
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, p: MultiHeadAttentionParams, opts: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  const op = 'MultiheadAttention';
  checkTensor(op, query, 'query');
  checkTensor(op, key, 'key');
  checkTensor(op, value, 'value');
  opts = opts ?? {};
  checkOptions(op, opts, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal']);
  const batched = query.shape.length === 3;
  if (!batched && query.shape.length !== 2) {
    throw new RangeError(`${op}: query should be unbatched 2-D or batched 3-D, got query${fmtShape(query.shape)}`);
  }
  if (key.shape.length !== query.shape.length || value.shape.length !== query.shape.length) {
    throw new RangeError(`${op}: for ${batched ? 'batched 3-D' : 'unbatched 2-D'} query, expected key and value of the same rank, got key${fmtShape(key.shape)} and value${fmtShape(value.shape)}`);
  }
  let kpm = checkOptionalTensor(op, opts.keyPaddingMask, 'keyPaddingMask');
  const am = checkOptionalTensor(op, opts.attnMask, 'attnMask');
  const needWeights = opts.needWeights ?? true;
  const average = opts.averageAttnWeights ?? true;
  const isCausal = opts.isCausal ?? false;
  const self = query === key && key === value;
  let q = batched ? query : query.unsqueeze(1);
  let k = batched ? key : key.unsqueeze(1);
  let v = batched ? value : value.unsqueeze(1);
  if (kpm && !batched) kpm = kpm.unsqueeze(0);
  const [L, N, E] = q.shape;
  const S = k.shape[0], H = p.numHeads;
  if (E % H !== 0) throw new RangeError(`${op}: embed_dim ${E} not divisible by num_heads ${H}`);
  if (k.shape[1] !== N || v.shape[1] !== N || v.shape[0] !== S) {
    throw new RangeError(`${op}: key and value must share the batch size and length, got query${fmtShape(query.shape)}, key${fmtShape(key.shape)}, value${fmtShape(value.shape)}`);
  }
  const hd = E / H;
  // Projections.
  const bq = p.inProjBias ? p.inProjBias.narrow(0, 0, E) : null;
  const bk = p.inProjBias ? p.inProjBias.narrow(0, E, E) : null;
  const bv = p.inProjBias ? p.inProjBias.narrow(0, 2 * E, E) : null;
  if (p.inProjWeight) {
    const W = p.inProjWeight;
    if (k.shape[2] !== E || v.shape[2] !== E) {
      throw new RangeError(`${op}: expected key and value with embed_dim ${E} features (kdim and vdim not set), got key${fmtShape(key.shape)} and value${fmtShape(value.shape)}`);
    }
    if (self) {
      [q, k, v] = linear(q, W, p.inProjBias).chunk(3, -1);
    } else {
      q = linear(q, W.narrow(0, 0, E), bq);
      k = linear(k, W.narrow(0, E, E), bk);
      v = linear(v, W.narrow(0, 2 * E, E), bv);
    }
  } else {
    q = linear(q, p.qProjWeight!, bq);
    k = linear(k, p.kProjWeight!, bk);
    v = linear(v, p.vProjWeight!, bv);
  }
  // [L, N, E] -> [N * H, L, hd]: head h of batch n at n * H + h, as PyTorch.
  q = q.reshape(L, N * H, hd).transpose(0, 1);
  k = k.reshape(S, N * H, hd).transpose(0, 1);
  v = v.reshape(S, N * H, hd).transpose(0, 1);
  // One additive mask of [1 | N * H, L | 1, S].
  let mask: Tensor | null = null;
  if (am) {
    const ok = am.shape.length === 2 ? am.shape[0] === L && am.shape[1] === S
      : am.shape.length === 3 && am.shape[0] === N * H && am.shape[1] === L && am.shape[2] === S;
    if (!ok) throw new RangeError(`${op}: expected attnMask of shape [${L}, ${S}] or [${N * H}, ${L}, ${S}], got attnMask${fmtShape(am.shape)}`);
    mask = floatMask(op, 'attnMask', am);
    if (mask.shape.length === 2) mask = mask.unsqueeze(0);
  }
  if (kpm) {
    if (kpm.shape.length !== 2 || kpm.shape[0] !== N || kpm.shape[1] !== S) {
      throw new RangeError(`${op}: expected keyPaddingMask of shape [${N}, ${S}], got keyPaddingMask${fmtShape(kpm.shape)}`);
    }
    const f = floatMask(op, 'keyPaddingMask', kpm).reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S);
    mask = mask ? mask.add(f) : f;
  }
  const dropoutP = p.training ? p.dropoutP : 0;
  let out: Tensor, weights: Tensor | null = null;
  if (!needWeights) {
    // The fused kernel takes the causal rule and a (key padding) mask together and skips the
    // masked tiles; only an explicit attnMask replaces the causal rule (PyTorch's hint semantics).
    out = attentionImpl(op, q, k, v, mask, isCausal && !am, dropoutP, null);
  } else {
    let m = mask;
    if (isCausal && !am) {
      const c = floatMask(op, 'attnMask', causalBool(L, S).logicalNot()).unsqueeze(0);
      m = m ? m.add(c) : c;
    }
    let w = q.mul(1 / Math.sqrt(hd)).matmul(k.transpose(1, 2));
    if (m) w = w.add(m);
    w = w.softmax(-1);
    if (dropoutP > 0) w = dropout(w, dropoutP, true);
    out = w.matmul(v);
    weights = w.reshape(N, H, L, S);
    if (average) weights = weights.mean(1);
    if (!batched) weights = weights.squeeze(0);
  }
  // [N * H, L, hd] -> [L, N, E]
  out = linear(out.transpose(0, 1).reshape(L * N, E), p.outProjWeight, p.outProjBias).reshape(L, N, E);
  if (!batched) out = out.squeeze(1);
  return [out, weights];
}

/** The causal mask in scaledDotProductAttention's bool convention: true where query i may see key j <= i. */
function causalBool(l: number, s: number): Tensor {
  const m = new Uint8Array(l * s);
  for (let i = 0; i < l; i++) for (let j = 0; j <= Math.min(i, s - 1); j++) m[i * s + j] = 1;
  return tensor(Array.from(m, (x) => x === 1), { dtype: 'bool' }).reshape(l, s);
}
