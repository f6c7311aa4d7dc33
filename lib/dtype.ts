/**
 * Dtypes of the tensor core and PyTorch's type promotion between them. @internal
 *
 * Each dtype has one storage array type: float32 a Float32Array, int64 a BigInt64Array (lossless
 * for checkpoints and indices: no rounding above 2^24 or 2^53), bool a Uint8Array of 0/1.
 */

/** A tensor's element type. */
export type DType = 'float32' | 'int64' | 'bool';
/** The typed array behind a tensor of each dtype. */
export type StorageArray = Float32Array | BigInt64Array | Uint8Array;

/** Element type codes shared with native/core/strided.h (`ElemType`). */
export const ElemType = { float32: 0, int64: 1, bool: 2, int32: 3, float64: 4 } as const;

export const DTYPES: readonly DType[] = ['float32', 'int64', 'bool'];

/** PyTorch's spellings accepted wherever a dtype is (`torch.long`, 'long', 'float'...). */
const ALIASES: Record<string, DType> = {
  float32: 'float32', float: 'float32',
  int64: 'int64', long: 'int64',
  bool: 'bool',
};

/** Normalises a dtype argument, naming the op on an unknown one. */
export function parseDType(op: string, d: unknown): DType {
  if (typeof d === 'string' && Object.prototype.hasOwnProperty.call(ALIASES, d)) return ALIASES[d];
  throw new TypeError(`${op}: dtype must be one of 'float32', 'int64', 'bool', got ${typeof d === 'string' ? `'${d}'` : String(d)}`);
}

export function dtypeOfArray(a: unknown): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'bool';
  return null;
}

export function isFloating(d: DType): boolean {
  return d === 'float32';
}

/** A zeroed storage array of n elements. */
export function allocArray(dtype: DType, n: number): StorageArray {
  if (dtype === 'float32') return new Float32Array(n);
  if (dtype === 'int64') return new BigInt64Array(n);
  return new Uint8Array(n);
}

const RANK: Record<DType, number> = { bool: 0, int64: 1, float32: 2 };

/** The common dtype of two tensor operands of the same priority (bool < int64 < float32). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype a JS scalar stands for: booleans are bool, integral numbers int64, others float32.
 * JS has one number type, so `2.0` counts as the integer 2 (PyTorch would read it as a float):
 * `intTensor.mul(2.0)` stays int64; pass 2.5, or convert with `.float()`, to get float32.
 */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int64' : 'float32';
}

/**
 * PyTorch's result_type for a tensor and a scalar (or a 0-dim tensor against a dimensioned one): the
 * scalar only raises the result to its category's default type when its category is higher.
 */
export function promoteWithScalar(t: DType, s: DType): DType {
  return RANK[s] > RANK[t] ? s : t;
}

export const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** An int64 element as a JS number; beyond 2^53 it is an error, never a silent rounding. */
export function bigToNumber(op: string, v: bigint): number {
  if (v > MAX_SAFE_BIG || v < -MAX_SAFE_BIG) {
    throw new RangeError(`${op}: int64 value ${v} cannot be represented exactly as a JS number (|v| > 2^53 - 1); read it with toBigInt64Array()`);
  }
  return Number(v);
}
