/**
 * The zip container of PyTorch checkpoints (`torch.save` since 1.6). PyTorch writes every entry
 * stored (uncompressed), 64-byte aligned, with a zip64 end record; other tools that repack a
 * checkpoint may deflate entries, so deflate is read too (node:zlib). Nothing is extracted to disk:
 * entries are byte ranges of the file, checked against the central directory before use. @internal
 */
import * as zlib from 'zlib';

/** One entry of the central directory, validated against the file. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's data (after its local header). */
  dataStart: number;
}

/** deflate cannot expand data by more than about 1032:1; a declared size beyond that is a lie (zip bomb). */
const MAX_DEFLATE_RATIO = 1032;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of `data` (zlib.crc32 where Node has it, else a table). */
export function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();

  constructor(private readonly buf: Uint8Array, private readonly fail: (problem: string) => never) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = buf.length;
    // End of central directory: 22 bytes plus a comment of at most 65535 bytes, at the very end.
    let eocd = -1;
    for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
      if (dv.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) fail('zip end-of-central-directory record not found (truncated file?)');
    let count = dv.getUint16(eocd + 10, true);
    let cdSize = dv.getUint32(eocd + 12, true);
    let cdOffset = dv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // zip64: the locator sits just before the end record and points at the zip64 end record.
      const loc = eocd - 20;
      if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) fail('zip64 end-of-central-directory locator missing');
      const z64 = this.u64(dv, loc + 8, 'zip64 end record offset');
      if (z64 + 56 > n || dv.getUint32(z64, true) !== 0x06064b50) fail('zip64 end-of-central-directory record missing or out of bounds');
      count = this.u64(dv, z64 + 32, 'entry count');
      cdSize = this.u64(dv, z64 + 40, 'central directory size');
      cdOffset = this.u64(dv, z64 + 48, 'central directory offset');
    }
    if (cdOffset + cdSize > n) fail(`zip central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the ${n}-byte file (truncated?)`);
    // Each central entry is at least 46 bytes: a count beyond that is a lying header.
    if (count * 46 > cdSize) fail(`zip declares ${count} entries but its central directory holds only ${cdSize} bytes`);
    let p = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (p + 46 > end || dv.getUint32(p, true) !== 0x02014b50) fail(`zip central directory entry ${i} is corrupt`);
      const flags = dv.getUint16(p + 8, true);
      const method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let csize = dv.getUint32(p + 20, true);
      let usize = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
      let localOff = dv.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen + commentLen > end) fail(`zip central directory entry ${i} runs past the directory`);
      const name = decodeName(buf.subarray(p + 46, p + 46 + nameLen), fail);
      // zip64 extended information: the 64-bit values, in this order, for the fields set to 0xFFFFFFFF.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
        if (e + 4 + len > eEnd) fail(`zip entry "${name}" has a corrupt extra field`);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string) => {
            if (q + 8 > e + 4 + len) fail(`zip entry "${name}" has a short zip64 field`);
            const v = this.u64(dv, q, what);
            q += 8;
            return v;
          };
          if (usize === 0xffffffff) usize = take('size');
          if (csize === 0xffffffff) csize = take('compressed size');
          if (localOff === 0xffffffff) localOff = take('offset');
        }
        e += 4 + len;
      }
      if (flags & 1) fail(`zip entry "${name}" is encrypted`);
      if (method !== 0 && method !== 8) fail(`zip entry "${name}" uses compression method ${method} (only stored and deflate are read)`);
      if (method === 0 && csize !== usize) fail(`zip entry "${name}" is stored but declares ${csize} compressed and ${usize} uncompressed bytes`);
      if (method === 8 && usize > csize * MAX_DEFLATE_RATIO + 1024) {
        fail(`zip entry "${name}" declares ${usize} bytes from ${csize} compressed bytes, more than deflate can produce (zip bomb?)`);
      }
      if (localOff + 30 > n || dv.getUint32(localOff, true) !== 0x04034b50) fail(`zip entry "${name}" has no local header at offset ${localOff}`);
      const dataStart = localOff + 30 + dv.getUint16(localOff + 26, true) + dv.getUint16(localOff + 28, true);
      if (dataStart + csize > n) {
        fail(`zip entry "${name}" data [${dataStart}, ${dataStart + csize}) runs past the end of the ${n}-byte file (truncated?)`);
      }
      if (this.entries.has(name)) fail(`zip holds two entries named "${name}"`);
      this.entries.set(name, { name, method, crc, compressedSize: csize, size: usize, dataStart });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  private u64(dv: DataView, off: number, what: string): number {
    if (off + 8 > dv.byteLength) this.fail(`zip ${what} is out of bounds`);
    const v = dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 2 ** 32;
    if (!Number.isSafeInteger(v)) this.fail(`zip ${what} ${v} is not a valid offset`);
    return v;
  }

  /** The bytes of one entry (a view for stored entries), CRC-checked. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) this.fail(`zip entry "${name}" is missing`);
    const raw = this.buf.subarray(e.dataStart, e.dataStart + e.compressedSize);
    let data: Uint8Array;
    if (e.method === 0) {
      data = raw;
    } else {
      try {
        // maxOutputLength: a lying size cannot make inflate allocate more than the entry declares.
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1) });
      } catch (err) {
        this.fail(`zip entry "${name}" does not inflate to its declared ${e.size} bytes (${(err as Error).message})`);
      }
      if (data.length !== e.size) this.fail(`zip entry "${name}" inflates to ${data.length} bytes, declared ${e.size}`);
    }
    const c = crc32(data);
    if (c !== e.crc) this.fail(`zip entry "${name}" fails its CRC-32 check (corrupt data)`);
    return data;
  }
}

function decodeName(b: Uint8Array, fail: (p: string) => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return fail('a zip entry name is not valid UTF-8');
  }
}

/**
 * Writes a zip of stored entries as PyTorch does: each entry's data starts on a 64-byte boundary (the
 * local header's extra field pads it), so a reader can map storages in place.
 */
export function writeZip(entries: { name: string; data: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const base = off + 30 + nameBuf.length + 4;
    const pad = (64 - (base % 64)) % 64;
    const local = Buffer.alloc(30 + nameBuf.length + 4 + pad);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(4 + pad, 28);
    nameBuf.copy(local, 30);
    // extra field id "FB" (as PyTorch's writer), holding padding bytes
    local.writeUInt16LE(0x4246, 30 + nameBuf.length);
    local.writeUInt16LE(pad, 32 + nameBuf.length);
    local.fill(0x5a, 34 + nameBuf.length);
    const cd = Buffer.alloc(46 + nameBuf.length);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28);
    cd.writeUInt32LE(off, 42);
    nameBuf.copy(cd, 46);
    central.push(cd);
    parts.push(local, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    off += local.length + data.length;
    if (off > 0xfffffff0) throw new Error('torch.save: checkpoints above 4 GiB are not supported');
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cdBuf, eocd]);
}
