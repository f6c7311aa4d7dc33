/** Matrix products through the native packed SGEMM. */
import { record } from '../autograd/node';
import { native } from '../native';
import { broadcastShapes, fmtShape, numel, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { uninit } from '../storage';
import { sumTo } from './elementwise';
import { expand } from './shape';

/**
 * Batched C[i] = op(A[i]) op(B[i]) over `batch` items, where a stride of 0 reuses one matrix.
 * @internal
 */
export function gemm(
  batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, strideA: number, b: Float32Array, strideB: number, out: Float32Array,
): void {
  native.gemm(batch, transA, transB, m, n, k, a, strideA, b, strideB, out, m * n, 1, 0);
}

/** 2-D (or row-folded) product x[m, k] @ w[k, n] with gradients. */
function mm(a: Tensor, b: Tensor, m: number, k: number, n: number, outShape: number[]): Tensor {
  const out = new Tensor(uninit(m * n), outShape);
  gemm(1, false, false, m, n, k, a.storage, 0, b.storage, 0, out.storage);
  record('MmBackward', [a, b], [out], ([g]) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (a.requiresGrad) {
      ga = new Tensor(uninit(m * k), a.shape);
      gemm(1, false, true, m, k, n, g!.storage, 0, b.storage, 0, ga.storage);
    }
    if (b.requiresGrad) {
      gb = new Tensor(uninit(k * n), b.shape);
      gemm(1, true, false, k, n, m, a.storage, 0, g!.storage, 0, gb.storage);
    }
    return [ga, gb];
  });
  return out;
}

/**
 * Matrix product with PyTorch's `matmul` semantics: 1-D operands are promoted (and the added
 * dim removed), batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError('matmul: both arguments must be Tensors');
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    const bad = a.dtype !== 'float32' ? a.dtype : b.dtype;
    throw new TypeError(`matmul: "addmm_impl_cpu_" not implemented for '${bad === 'int64' ? 'Long' : 'Bool'}'; matmul needs float32 operands (convert with .float())`);
  }
  if (a.dim() === 0 || b.dim() === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const aVec = a.dim() === 1, bVec = b.dim() === 1;
  const as = aVec ? [1, a.shape[0]] : [...a.shape];
  const bs = bVec ? [b.shape[0], 1] : [...b.shape];
  const m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
  if (k !== k2) {
    throw new RangeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied ` +
        `(${m}x${k} and ${k2}x${n}: inner dims ${k} != ${k2})`,
    );
  }
  const aBatch = as.slice(0, -2), bBatch = bs.slice(0, -2);
  const batch = broadcastShapes('matmul', aBatch, bBatch);
  const outShape = [...batch, m, n];
  if (aVec) outShape.splice(outShape.length - 2, 1);
  if (bVec) outShape.splice(outShape.length - 1, 1);
  const a2 = aVec ? a.reshape(as) : a, b2 = bVec ? b.reshape(bs) : b;

  // Common fast path: b is one matrix, a's batch folds into rows (x[N, T, k] @ w[k, n]).
  if (bBatch.length === 0) {
    const rows = numel(aBatch) * m;
    const out = mm(a2.reshape([rows, k]), b2, rows, k, n, [...aBatch, m, n]);
    return sameShape(out.shape, outShape) ? out : out.reshape(outShape);
  }
  const nb = numel(batch);
  const aFull = numel(aBatch) === 1 ? a2 : sameShape(aBatch, batch) ? a2 : expand(a2, [[...batch, m, k]]);
  const bFull = numel(bBatch) === 1 ? b2 : sameShape(bBatch, batch) ? b2 : expand(b2, [[...batch, k, n]]);
  const sa = numel(aBatch) === 1 ? 0 : m * k, sb = numel(bBatch) === 1 ? 0 : k * n;
  const out = new Tensor(uninit(nb * m * n), [...batch, m, n]);
  gemm(nb, false, false, m, n, k, aFull.storage, sa, bFull.storage, sb, out.storage);
  record('BmmBackward', [aFull, bFull], [out], ([g]) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (aFull.requiresGrad) {
      const full = new Tensor(uninit(nb * m * k), [...batch, m, k]);
      gemm(nb, false, true, m, k, n, g!.storage, m * n, bFull.storage, sb, full.storage);
      ga = sumTo(full, aFull.shape);
    }
    if (bFull.requiresGrad) {
      const full = new Tensor(uninit(nb * k * n), [...batch, k, n]);
      gemm(nb, true, false, k, n, m, aFull.storage, sa, g!.storage, m * n, full.storage);
      gb = sumTo(full, bFull.shape);
    }
    return [ga, gb];
  });
  return sameShape(out.shape, outShape) ? out : out.reshape(outShape);
}
