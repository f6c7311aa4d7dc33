/**
 * Storage for op outputs. @internal
 *
 * A fresh ArrayBuffer costs V8 a backing store, sweeper registration and external-memory
 * accounting (~0.3 µs here, and more under GC pressure), while a view on an existing buffer costs
 * ~0.05 µs; batch-1 inference allocates a dozen small outputs per forward pass. So small outputs
 * the kernel overwrites entirely are views carved from a shared slab, as Node's Buffer pool does.
 *
 * The price is retention: a slab is freed when every view into it is gone, so a small tensor kept
 * alive keeps its slab alive. The slab is kept small (64 KiB, views of at most 4 KiB) to bound
 * that: a kept tensor pins at most 64 KiB, whatever else was carved next to it. Larger outputs get
 * their own uninitialised buffer (no zero-fill: the kernel writes every element).
 * Tensor.dispose() leaves slab views alone (it only frees buffers a tensor spans whole).
 */

const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_BYTES = 4 * 1024;
let slab: ArrayBuffer | null = null;
let slabOffset = 0;

function slabOffsetFor(bytes: number): number {
  if (slab === null || slabOffset + bytes > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer;
    slabOffset = 0;
  }
  const at = slabOffset;
  slabOffset += (bytes + 63) & ~63;  // 64-byte aligned views, for the SIMD kernels
  return at;
}

/**
 * A Float32Array of n values for an output the native kernel overwrites entirely. Arrays of up to
 * 16 values come zeroed (V8 keeps them on its heap, which is cheapest).
 */
export function uninit(n: number, op = 'torchlet'): Float32Array {
  if (n <= 16) return new Float32Array(n);
  const bytes = n * 4;
  if (bytes > SLAB_MAX_BYTES) return new Float32Array(bigBuffer(op, bytes), 0, n);
  const at = slabOffsetFor(bytes);
  return new Float32Array(slab!, at, n);
}

/** Node's own errors ('The value of "size" is out of range') would not say which op asked for what. */
function bigBuffer(op: string, bytes: number): ArrayBuffer {
  try {
    return Buffer.allocUnsafeSlow(bytes).buffer;
  } catch (e) {
    throw new RangeError(`${op}: cannot allocate an output of ${bytes / 4} floats (${(bytes / 2 ** 30).toFixed(1)} GiB): ${(e as Error).message}`);
  }
}

/** As uninit, for int32 outputs the kernel overwrites entirely (pooling argmax indices). */
export function uninitI32(n: number, op = 'torchlet'): Int32Array {
  if (n <= 16) return new Int32Array(n);
  const bytes = n * 4;
  if (bytes > SLAB_MAX_BYTES) return new Int32Array(bigBuffer(op, bytes), 0, n);
  const at = slabOffsetFor(bytes);
  return new Int32Array(slab!, at, n);
}
