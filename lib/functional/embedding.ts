/**
 * `F.embedding(input, weight, { paddingIdx, maxNorm, normType, scaleGradByFreq })`: rows of
 * `weight` picked by integer indices, as PyTorch. Indices are an int64 tensor (the tensor core's
 * BigInt64Array storage) or, until every caller has int64, a float32 tensor of integral values.
 * Row copies are TypedArray.set calls (memcpy); backward scatters the gradient rows back.
 */
import { noGrad } from '../autograd/grad-mode';
import { needsGrad, record } from '../autograd/node';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { checkOptions, checkTensor, uninit } from './nn-util';

export interface EmbeddingOptions {
  /** Row whose gradient is always zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are renormalized to this norm in place (PyTorch's rule). */
  maxNorm?: number | null;
  normType?: number;
  /** Divide each row's gradient by how often it occurs in the batch. */
  scaleGradByFreq?: boolean;
  /** Accepted for PyTorch compatibility; gradients are always dense here. */
  sparse?: boolean;
}

/** The indices as integers in [0, num): validated once, shared by forward and backward. @internal */
export function embeddingIndices(op: string, input: Tensor, num: number): Int32Array {
  const dtype = (input as unknown as { dtype?: string }).dtype;
  let src: ArrayLike<number | bigint>;
  if (dtype === 'int64') {
    // Tensor core v2: the dense BigInt64Array of an int64 tensor.
    src = (input as unknown as { _data(): BigInt64Array })._data();
  } else if (dtype === undefined || dtype === 'float32') {
    src = input.storage;
  } else {
    throw new TypeError(`${op}: expected indices of dtype int64 (or integral float32), got ${dtype}`);
  }
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (!Number.isInteger(v)) throw new TypeError(`${op}: indices must be integers, got ${v} at position ${i}`);
    if (v < 0 || v >= num) throw new RangeError(`${op}: index out of range in self: index ${v} at position ${i}, weight has ${num} rows`);
    out[i] = v;
  }
  return out;
}

function renorm(weight: Tensor, idx: Int32Array, dim: number, maxNorm: number, normType: number): void {
  noGrad(() => {
    const w = weight._beginWrite('embedding');
    const seen = new Set<number>();
    for (const r of idx) {
      if (seen.has(r)) continue;
      seen.add(r);
      let s = 0;
      for (let j = 0; j < dim; j++) s += Math.abs(w[r * dim + j]) ** normType;
      const norm = s ** (1 / normType);
      if (norm > maxNorm) {
        const scale = maxNorm / (norm + 1e-7);
        for (let j = 0; j < dim; j++) w[r * dim + j] *= scale;
      }
    }
  });
}

/** `F.embedding(input, weight, opts)`: output shape [...input.shape, embeddingDim]. */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  checkTensor(op, input, 'input');
  checkTensor(op, weight, 'weight');
  opts = opts ?? {};
  checkOptions(op, opts, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']);
  if (weight.dim() !== 2) throw new RangeError(`${op}: weight must be 2-D [numEmbeddings, embeddingDim], got weight${fmtShape(weight.shape)}`);
  const [num, dim] = weight.shape;
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (!Number.isInteger(pad) || pad < -num || pad >= num) {
      throw new RangeError(`${op}: paddingIdx must be within [-${num}, ${num}), got ${pad}`);
    }
    if (pad < 0) pad += num;
  }
  const idx = embeddingIndices(op, input, num);
  const maxNorm = opts.maxNorm ?? null;
  const normType = opts.normType ?? 2;
  if (maxNorm !== null) {
    if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new RangeError(`${op}: maxNorm must be a non-negative number, got ${maxNorm}`);
    if (typeof normType !== 'number' || !(normType > 0)) throw new RangeError(`${op}: normType must be a positive number, got ${normType}`);
    renorm(weight, idx, dim, maxNorm, normType);
  }
  const w = weight.storage;
  const out = new Tensor(uninit(idx.length * dim, op), [...input.shape, dim]);
  const o = out.storage;
  for (let i = 0; i < idx.length; i++) o.set(w.subarray(idx[i] * dim, idx[i] * dim + dim), i * dim);
  if (needsGrad(weight)) {
    const byFreq = !!opts.scaleGradByFreq;
    record('EmbeddingBackward0', [weight], [out], ([g]) => {
      const gw = new Float32Array(num * dim);
      const gs = g!.storage;
      let counts: Int32Array | null = null;
      if (byFreq) {
        counts = new Int32Array(num);
        for (const r of idx) counts[r]++;
      }
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i];
        if (r === pad) continue;
        const s = counts ? 1 / counts[r] : 1;
        for (let j = 0; j < dim; j++) gw[r * dim + j] += gs[i * dim + j] * s;
      }
      return [new Tensor(gw, weight.shape)];
    }, []);
  }
  return out;
}
