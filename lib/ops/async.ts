/**
 * Ops that run off the main thread. The native op runs on a libuv worker (which hands tiles to the
 * kernel thread pool) and resolves a Promise; meanwhile the event loop keeps serving. Inputs and
 * output are referenced natively and marked busy here, so an in-place write or dispose() while the
 * op is in flight is an error instead of a data race.
 */
import { isGradEnabled } from '../autograd/grad-mode';
import { native } from '../native';
import { broadcastShapes, fmtShape, numel, sameShape } from '../shape';
import { Tensor } from '../tensor';

interface AsyncBinding {
  gemmAsync(batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array,
    strideA: number, b: Float32Array, strideB: number, c: Float32Array, strideC: number): Promise<void>;
}
const asyncNative = native as unknown as AsyncBinding;

async function inFlight<T>(tensors: Tensor[], run: () => Promise<T>): Promise<T> {
  const releases = tensors.map((t) => t._pin());
  try {
    return await run();
  } finally {
    for (const r of releases) r();
  }
}

/**
 * `matmul` computed off the main thread (2-D or batched 3-D+ operands with equal or broadcast
 * batch dims). For inference: it records no gradient, so inputs that require grad need
 * `torch.noGrad`.
 * @example const y = await torch.matmulAsync(x, w);
 */
export async function matmulAsync(a: Tensor, b: Tensor): Promise<Tensor> {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError('matmulAsync: both arguments must be Tensors');
  if (isGradEnabled() && (a.requiresGrad || b.requiresGrad)) {
    throw new Error('matmulAsync: records no gradient; call it inside torch.noGrad(), or use matmul() for training');
  }
  if (a.dim() < 2 || b.dim() < 2) {
    throw new RangeError(`matmulAsync: both arguments need at least 2 dims, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1], k2 = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
  if (k !== k2) {
    throw new RangeError(`matmulAsync: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (inner dims ${k} != ${k2})`);
  }
  const ab = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmulAsync', ab, bb);
  const nb = numel(batch);
  const stride = (own: readonly number[], size: number) => {
    if (numel(own) === 1) return 0;
    if (!sameShape(own, batch)) throw new RangeError('matmulAsync: batch dims must be equal, or one side un-batched');
    return size;
  };
  const sa = stride(ab, m * k), sb = stride(bb, k * n);
  const out = new Tensor(new Float32Array(nb * m * n), [...batch, m, n]);
  await inFlight([a, b, out], () =>
    asyncNative.gemmAsync(nb, false, false, m, n, k, a.storage, sa, b.storage, sb, out.storage, m * n));
  return out;
}
