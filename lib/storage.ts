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

/**
 * Memory in use by native operations in flight (matmulAsync), as byte ranges per ArrayBuffer. Kept on
 * the memory, not on a typed array object, so no alias of it — a view, another typed array over the
 * same buffer — can be written or disposed while a worker thread reads it.
 */
const inFlight = new WeakMap<ArrayBufferLike, [number, number][]>();

function byteRange(arr: ArrayBufferView & { BYTES_PER_ELEMENT: number }, first: number, end: number): [number, number] {
  const es = arr.BYTES_PER_ELEMENT;
  return [arr.byteOffset + first * es, arr.byteOffset + end * es];
}

/** Marks elements [first, end) of `arr` busy until the returned release runs. @internal */
export function pinRange(arr: ArrayBufferView & { BYTES_PER_ELEMENT: number }, first: number, end: number): () => void {
  const r = byteRange(arr, first, end);
  let list = inFlight.get(arr.buffer);
  if (!list) inFlight.set(arr.buffer, (list = []));
  list.push(r);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const l = inFlight.get(arr.buffer);
    if (!l) return;
    const i = l.indexOf(r);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) inFlight.delete(arr.buffer);
  };
}

/**
 * True when elements [first, end) of `arr` overlap memory in flight; `wholeBuffer` asks about any
 * use of arr's ArrayBuffer at all (dispose detaches the whole buffer). @internal
 */
export function isBusy(arr: ArrayBufferView & { BYTES_PER_ELEMENT: number }, first: number, end: number, wholeBuffer = false): boolean {
  const list = inFlight.get(arr.buffer);
  if (!list || list.length === 0) return false;
  if (wholeBuffer) return true;
  const [a, b] = byteRange(arr, first, end);
  return list.some(([x, y]) => x < b && a < y && x < y);
}
