/**
 * The only place the addon is loaded, and the whole native surface as one typed interface.
 * Every function validates its arguments again in C++ (lengths, ranges), but the friendly error
 * messages come from the TypeScript callers, which check shapes first.
 * @internal
 */
import { join } from 'path';
import { setFlagsFromString } from 'v8';
import load = require('node-gyp-build');

// Tensors allocate and drop many ArrayBuffers. With V8's concurrent array-buffer sweeping, the
// backing stores are freed on a GC thread that contends with the main thread for the malloc lock:
// measured on 2 cores, `new Float32Array(256)` costs ~2.8 µs with it and ~0.35 µs without. This flag
// only moves that freeing onto the main thread's GC pause. TORCHLET_KEEP_V8_FLAGS=1 leaves V8 as is.
if (process.env.TORCHLET_KEEP_V8_FLAGS !== '1') setFlagsFromString('--no-concurrent-array-buffer-sweeping');

/** Op codes; must match native/core/ops.h (checked by test/native/opcodes.test.ts). */
export const UnaryOp = {
  neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, relu: 5, sigmoid: 6, tanh: 7, square: 8, reciprocal: 9, sign: 10,
} as const;
export type UnaryOpName = keyof typeof UnaryOp;

export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, gt: 8, lt: 9, ge: 10, le: 11, ne: 12,
} as const;
export type BinaryOpName = keyof typeof BinaryOp;

export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3 } as const;

/** binaryStrided op codes: BinaryOp's, then these (native/core/strided.h `TypedBinaryOp`). */
export const TypedBinaryOp = { ...BinaryOp, logicalAnd: 13, logicalOr: 14, logicalXor: 15, floorDivide: 16, remainder: 17 } as const;
export type TypedBinaryOpName = keyof typeof TypedBinaryOp;

/** reduceTyped op codes (native/core/strided.h `TypedReduceOp`). */
export const TypedReduceOp = { sum: 0, prod: 1, max: 2, min: 3, any: 4, all: 5 } as const;

type F32 = Float32Array;
type AnyArray = Float32Array | BigInt64Array | Uint8Array | Int32Array | Float64Array;
type Shape = readonly number[];

export interface BackendInfo {
  isa: string;
  isaDetected: string;
  isaSupported: string[];
  isaNote: string;
  threads: number;
  hardwareConcurrency: number;
  napiVersion: number;
  mallocTuned: boolean;
}

export interface NativeBinding {
  backend(): BackendInfo;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  detachBuffer(buffer: ArrayBufferLike): void;

  unary(op: number, x: F32, out: F32): void;
  unaryBackward(op: number, x: F32 | null, y: F32 | null, gradOut: F32, gradIn: F32): void;
  binary(op: number, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32): void;
  /** binary() for two operands of the same shape (no shape arrays to unpack). */
  binarySame(op: number, a: F32, b: F32, out: F32): void;
  binaryScalar(op: number, a: F32, scalar: number, out: F32, reversed: boolean): void;
  sumTo(grad: F32, gradShape: Shape, out: F32, outShape: Shape): void;
  reduce(op: number, x: F32, outer: number, n: number, inner: number, out: F32): void;
  argReduce(isMax: boolean, x: F32, outer: number, n: number, inner: number, values: F32, indices: Int32Array): void;
  scatterAlongDim(grad: F32, indices: Int32Array, outer: number, n: number, inner: number, out: F32): void;
  softmax(x: F32, outer: number, n: number, inner: number, out: F32, log: boolean): void;
  softmaxBackward(y: F32, gradOut: F32, outer: number, n: number, inner: number, gradIn: F32, log: boolean): void;
  permute(x: F32, shape: Shape, perm: Shape, out: F32): void;
  copy2d(src: F32, srcOffset: number, srcStride: number, dst: F32, dstOffset: number, dstStride: number,
    rows: number, cols: number): void;
  gemm(batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, strideA: number,
    b: F32, strideB: number, c: F32, strideC: number, alpha: number, beta: number): void;
  randUniform(out: F32, low: number, high: number): void;
  randNormal(out: F32, mean: number, std: number): void;
  bernoulli(out: F32, p: number, scale: number): void;
  randperm(out: Int32Array): void;

  // Dtype-generic and strided ops (native/binding/ops_dtype.cc). Any: a Float32Array,
  // BigInt64Array, Uint8Array (bool), Int32Array or Float64Array. Offsets and strides in elements.
  copyStrided(src: AnyArray, srcOffset: number, srcStrides: Shape, dst: AnyArray, dstOffset: number, dstStrides: Shape,
    shape: Shape): void;
  binaryStrided(op: number, a: AnyArray, aOffset: number, aStrides: Shape, b: AnyArray, bOffset: number, bStrides: Shape,
    out: AnyArray, shape: Shape): void;
  unaryTyped(op: number, x: AnyArray, out: AnyArray): void;
  reduceTyped(op: number, x: AnyArray, outer: number, n: number, inner: number, out: AnyArray): void;
  cumulative(prod: boolean, x: AnyArray, outer: number, n: number, inner: number, out: AnyArray): void;
  sort(x: AnyArray, outer: number, n: number, inner: number, descending: boolean, stable: boolean, values: AnyArray,
    indices: BigInt64Array): void;
  indexOffsets(indices: BigInt64Array[], sizes: Shape, strides: Shape, base: number, out: BigInt64Array): void;
  indexGather(src: AnyArray, offsets: BigInt64Array, restShape: Shape, restStrides: Shape, out: AnyArray): void;
  indexScatter(dst: AnyArray, offsets: BigInt64Array, restShape: Shape, restStrides: Shape, src: AnyArray, srcOffset: number,
    srcStrides: Shape, accumulate: boolean): void;
  gatherDim(x: AnyArray, xShape: Shape, dim: number, index: BigInt64Array, indexShape: Shape, out: AnyArray): void;
  scatterDim(dst: AnyArray, dstShape: Shape, dim: number, index: BigInt64Array, indexShape: Shape, src: AnyArray | null,
    srcShape: Shape, value: number, accumulate: boolean): void;
  where(cond: Uint8Array, cOffset: number, cStrides: Shape, a: AnyArray, aOffset: number, aStrides: Shape, b: AnyArray,
    bOffset: number, bStrides: Shape, out: AnyArray, shape: Shape): void;
  countNonzero(x: Uint8Array): number;
  /** Names of the unaryTyped kernels, in code order. */
  typedUnaryOps: readonly string[];
  nonzero(x: Uint8Array, out: BigInt64Array): void;

  // nn ops (native/binding/ops_nn.cc) are declared in lib/native-nn.ts.
  [name: string]: unknown;
}

function loadBinding(): NativeBinding {
  const root = join(__dirname, '..');
  try {
    return load(root) as NativeBinding;
  } catch (err) {
    const e = err as Error;
    throw new Error(
      `torchlet: could not load the native addon for platform=${process.platform} arch=${process.arch} ` +
        `node=${process.versions.node} (N-API).\n  ${e.message}\n` +
        'Possible solutions:\n' +
        '  - reinstall: `npm install torchlet` (prebuilt binaries ship for linux-x64 glibc)\n' +
        '  - build from source: `npm rebuild torchlet --build-from-source` (needs python3, make and a C++17 compiler)',
    );
  }
}

/** The loaded addon. */
export const native: NativeBinding = loadBinding();

/**
 * unaryTyped op codes, by name, as the addon lists them (native/core/strided.h
 * TORCHLET_TYPED_UNARY_OPS): one list, so TypeScript and C++ cannot disagree.
 */
export const TypedUnaryOp: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries((native.typedUnaryOps as string[]).map((n, i) => [n, i])));
export type TypedUnaryOpName = string;

/** The code of a typed unary kernel; an error naming it when the addon has none. */
export function typedUnaryCode(name: string): number {
  const c = TypedUnaryOp[name];
  if (c === undefined) throw new Error(`torchlet: the native addon has no unary kernel '${name}' (rebuild it: npm run build:addon)`);
  return c;
}
