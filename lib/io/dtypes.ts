/**
 * Element types of files and how they become tensors. @internal
 *
 * The tensor core keeps float32, int64 and bool. Floating types (F16, BF16, F64) become float32;
 * integer types become int64 and bool stays bool when the core has those dtypes (tensor core v2:
 * `new Tensor(BigInt64Array | Uint8Array, shape)`); on a core without them they fall back to float32.
 */
import { Tensor } from '../tensor';

export type FileDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const ELEM_SIZE: Record<FileDType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

type AnyTensorCtor = new (storage: Float32Array | BigInt64Array | Uint8Array, shape: readonly number[]) => Tensor;

/** Whether the tensor core stores int64 and bool (v2); probed once. */
export const CORE_DTYPES: { int64: boolean; bool: boolean } = (() => {
  const probe = (a: BigInt64Array | Uint8Array, want: string) => {
    try {
      return (new (Tensor as unknown as AnyTensorCtor)(a, [1]) as { dtype: string }).dtype === want;
    } catch {
      return false;
    }
  };
  return { int64: probe(new BigInt64Array(1), 'int64'), bool: probe(new Uint8Array(1), 'bool') };
})();

/** The dtype a file dtype loads as. */
export function targetOf(d: FileDType): 'float32' | 'int64' | 'bool' {
  if (d === 'BOOL') return CORE_DTYPES.bool ? 'bool' : 'float32';
  if (d === 'I64' || d === 'I32' || d === 'I16' || d === 'I8' || d === 'U8') return CORE_DTYPES.int64 ? 'int64' : 'float32';
  return 'float32';
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Decodes `count` little-endian elements of `bytes` into the load dtype's array. */
export function decodeElems(bytes: Uint8Array, d: FileDType, count: number): Float32Array | BigInt64Array | Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const target = targetOf(d);
  if (target === 'int64') {
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) {
      switch (d) {
        case 'I64': out[i] = dv.getBigInt64(8 * i, true); break;
        case 'I32': out[i] = BigInt(dv.getInt32(4 * i, true)); break;
        case 'I16': out[i] = BigInt(dv.getInt16(2 * i, true)); break;
        case 'I8': out[i] = BigInt(dv.getInt8(i)); break;
        default: out[i] = BigInt(bytes[i]);
      }
    }
    return out;
  }
  if (target === 'bool') {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
    return out;
  }
  const out = new Float32Array(count);
  switch (d) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * count)); // copy: the file may be unaligned; little-endian platform
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      break;
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    default:
      for (let i = 0; i < count; i++) out[i] = bytes[i];
  }
  return out;
}

export function makeTensor(data: Float32Array | BigInt64Array | Uint8Array, shape: readonly number[]): Tensor {
  return new (Tensor as unknown as AnyTensorCtor)(data, shape);
}

/** The dtype of a tensor as a file dtype, with its bytes (row-major, little-endian). */
export function tensorBytes(t: Tensor): { dtype: 'F32' | 'I64' | 'BOOL'; bytes: Uint8Array } {
  const dt = (t as { dtype: string }).dtype;
  if (dt === 'int64') {
    const a = (t as unknown as { toBigInt64Array(): BigInt64Array }).toBigInt64Array();
    return { dtype: 'I64', bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) };
  }
  const f = t.toFloat32Array();
  if (dt === 'bool') return { dtype: 'BOOL', bytes: Uint8Array.from(f, (v) => (v ? 1 : 0)) };
  return { dtype: 'F32', bytes: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}
