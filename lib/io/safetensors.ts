/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the raw little-endian data, offsets relative to the end of the header.
 */
import { readFileSync } from 'fs';
import { Tensor } from '../tensor';
import { fmtShape } from '../shape';
import { decodeElems, ELEM_SIZE, FileDType, makeTensor, tensorBytes } from './dtypes';

/** Bytes per element of each dtype torchlet can read. */
const DTYPE_SIZE: Record<string, number> = ELEM_SIZE;

/** Largest header we accept (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

export interface SaveOptions {
  /** String-to-string metadata stored under `__metadata__`. */
  metadata?: Record<string, string>;
}

/** The header of a safetensors file, validated. */
export interface SafetensorsInfo {
  metadata: Record<string, string> | null;
  tensors: { name: string; dtype: string; shape: number[]; begin: number; end: number }[];
  dataStart: number;
}

function fail(path: string, problem: string): never {
  throw new Error(`torch.load: ${path} is not a valid safetensors file: ${problem}`);
}

/** Parses and validates the header of `buf` (the whole file). */
export function parseHeader(buf: Uint8Array, path = '<buffer>'): SafetensorsInfo {
  if (buf.length < 8) fail(path, `file is ${buf.length} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hi = dv.getUint32(4, true), lo = dv.getUint32(0, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER) fail(path, `header length ${n} is too large (limit ${MAX_HEADER} bytes)`);
  if (8 + n > buf.length) fail(path, `header length ${n} runs past the end of the ${buf.length}-byte file (truncated?)`);
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    fail(path, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(path, 'header is not a JSON object (it does not start with "{")');
  const dup = duplicateKey(text);
  if (dup !== null) fail(path, `header names ${JSON.stringify(dup)} twice`);
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(path, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(path, 'header is not a JSON object');
  const dataLen = buf.length - 8 - n;
  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsInfo['tensors'] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, '__metadata__ is not an object');
      metadata = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(path, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(path, `entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: off } = info;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_SIZE, dtype)) {
      fail(path, `tensor "${name}" has unknown or unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_SIZE).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      fail(path, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      fail(path, `tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as number[];
    if (end > dataLen) {
      fail(path, `tensor "${name}" data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes; truncated?)`);
    }
    let count = 1;
    for (const s of shape as number[]) count *= s;
    if (!Number.isSafeInteger(count)) fail(path, `tensor "${name}" has a shape ${fmtShape(shape as number[])} too large to address`);
    const want = count * DTYPE_SIZE[dtype];
    if (want !== end - begin) {
      fail(path, `tensor "${name}" of dtype ${dtype} and shape ${fmtShape(shape as number[])} needs ${want} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    tensors.push({ name, dtype, shape: [...(shape as number[])], begin, end });
  }
  // As the reference implementation: sorted by offset, the tensors tile the data exactly (no gaps,
  // no overlaps, nothing after). Overlaps would let a small file decode into many large tensors.
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of sorted) {
    if (t.begin !== at) {
      fail(path, t.begin < at
        ? `tensor "${t.name}" data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (which ends at ${at})`
        : `tensor "${t.name}" data_offsets [${t.begin}, ${t.end}] leave a gap after byte ${at} (offsets must be contiguous)`);
    }
    at = t.end;
  }
  if (at !== dataLen) fail(path, `the tensors cover ${at} bytes of data but the file holds ${dataLen} after the header`);
  return { metadata, tensors, dataStart: 8 + n };
}

/** The first top-level key of a JSON object text that occurs twice (JSON.parse keeps the last silently). */
function duplicateKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        let k: string;
        try {
          k = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return null; // JSON.parse reports it
        }
        if (seen.has(k)) return k;
        seen.add(k);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

/** Decodes a whole safetensors buffer (insertion order as in the header; dtypes as lib/io/dtypes.ts). */
export function decode(buf: Uint8Array, path = '<buffer>'): { tensors: Record<string, Tensor>; metadata: Record<string, string> | null } {
  const info = parseHeader(buf, path);
  const tensors: Record<string, Tensor> = {};
  for (const t of info.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    // defineProperty: a tensor named "__proto__" must become a key, not the record's prototype
    Object.defineProperty(tensors, t.name, {
      value: makeTensor(decodeElems(buf.subarray(info.dataStart + t.begin, info.dataStart + t.end), t.dtype as FileDType, count), t.shape),
      enumerable: true, writable: true, configurable: true,
    });
  }
  return { tensors, metadata: info.metadata };
}

/** Encodes tensors as a safetensors buffer (F32; I64 and BOOL for int64 and bool tensors) (keys in the record's order; data 8-byte aligned). */
export function encode(record: Record<string, Tensor>, opts: SaveOptions = {}): Buffer {
  if (typeof record !== 'object' || record === null) throw new TypeError('torch.save: expected a record of tensors');
  const header: Record<string, unknown> = {};
  if (opts.metadata) {
    for (const [k, v] of Object.entries(opts.metadata)) {
      if (typeof v !== 'string') throw new TypeError(`torch.save: metadata value for "${k}" must be a string`);
    }
    header.__metadata__ = opts.metadata;
  }
  const entries = Object.entries(record);
  const datas: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new TypeError(`torch.save: value for "${name}" is not a Tensor`);
    if (name === '__metadata__') throw new Error('torch.save: "__metadata__" is reserved and cannot be a tensor name');
    const { dtype, bytes } = tensorBytes(t);
    datas.push(bytes);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [off, off + bytes.length] };
    off += bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + json.length + off);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const b of datas) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/** Reads only the `__metadata__` of a safetensors file (null when absent). */
export function loadMetadata(path: string): Record<string, string> | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`torch.loadMetadata: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseHeader(buf, path).metadata;
}
