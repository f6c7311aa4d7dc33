/**
 * Reader for IDX files, the format MNIST and Fashion-MNIST ship in (optionally gzip-compressed):
 * two zero bytes, a type byte, the number of dims, each dim as a big-endian uint32, then the data
 * in big-endian order.
 */
import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import { Tensor } from '../tensor';

const TYPES: Record<number, { name: string; size: number; read: (dv: DataView, off: number) => number }> = {
  0x08: { name: 'ubyte', size: 1, read: (dv, o) => dv.getUint8(o) },
  0x09: { name: 'byte', size: 1, read: (dv, o) => dv.getInt8(o) },
  0x0b: { name: 'short', size: 2, read: (dv, o) => dv.getInt16(o, false) },
  0x0c: { name: 'int', size: 4, read: (dv, o) => dv.getInt32(o, false) },
  0x0d: { name: 'float', size: 4, read: (dv, o) => dv.getFloat32(o, false) },
  0x0e: { name: 'double', size: 8, read: (dv, o) => dv.getFloat64(o, false) },
};

/** Parses an IDX buffer (already decompressed). */
export function parseIdx(buf: Uint8Array, path = '<buffer>'): Tensor {
  const bad = (problem: string): never => {
    throw new Error(`readIdx: ${path} is not a valid IDX file: ${problem}`);
  };
  if (buf.length < 4) bad(`file is only ${buf.length} bytes (an IDX header needs at least 4)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    bad(`wrong magic number 0x${Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')} (expected 0x0000 then type and dims)`);
  }
  const type = TYPES[buf[2]];
  if (!type) bad(`unknown data type code 0x${buf[2].toString(16).padStart(2, '0')} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const ndim = buf[3];
  if (ndim === 0) bad('zero dimensions');
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) bad(`header declares ${ndim} dims but the file ends after ${buf.length} bytes (truncated?)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const s = dv.getUint32(4 + 4 * d, false);
    shape.push(s);
    count *= s;
  }
  const want = headerLen + count * type.size;
  if (buf.length !== want) {
    bad(`dims [${shape.join(', ')}] of ${type.name} need ${want} bytes but the file has ${buf.length}` +
      (buf.length < want ? ' (truncated?)' : ' (trailing data)'));
  }
  const out = new Float32Array(count);
  if (type.size === 1 && buf[2] === 0x08) {
    out.set(buf.subarray(headerLen, headerLen + count));  // unsigned bytes: one bulk converting copy
  } else {
    for (let i = 0; i < count; i++) out[i] = type.read(dv, headerLen + i * type.size);
  }
  return new Tensor(out, shape);
}

/**
 * Reads an IDX file (`.gz` decompressed automatically, detected by its magic bytes) into a float32
 * tensor of the file's shape, values as stored (MNIST pixels are 0..255, labels 0..9).
 * @example const images = readIdx('train-images-idx3-ubyte.gz').div(255); // [60000, 28, 28]
 */
export function readIdx(path: string): Tensor {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new Error(`readIdx: cannot read ${path}: ${(e as Error).message}`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new Error(`readIdx: ${path} is a corrupt or truncated gzip file: ${(e as Error).message}`);
    }
  }
  return parseIdx(raw, path);
}
