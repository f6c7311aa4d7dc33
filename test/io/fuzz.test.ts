/**
 * Hostile input: thousands of mutations of valid .pth and safetensors files. Every one either loads or
 * throws an Error from torch.load naming the input; never another exception, a crash or a hang.
 * Deterministic (seeded), a few seconds.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { load } from '../../lib/io';
import { writeZip, ZipReader } from '../../lib/io/zip';

const FIX = join(__dirname, '..', 'fixtures');
const seeds = {
  pth: ['io/bn_net.pth', 'io/views.pth', 'io/checkpoint.pth', 'io/dtypes.pth'].map((f) => readFileSync(join(FIX, f))),
  safetensors: [readFileSync(join(FIX, 'training', 'sample.safetensors'))],
};

/** xorshift32: reproducible mutations. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const kind = Math.floor(r() * 5);
  if (kind === 0) return b.subarray(0, Math.floor(r() * b.length)); // truncation
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * b.length);
    if (kind === 1) b[at] = Math.floor(r() * 256); // random byte
    else if (kind === 2) b[at] ^= 1 << Math.floor(r() * 8); // bit flip
    else if (kind === 3) b.writeUInt32LE(Math.floor(r() * 2 ** 32), Math.min(at, b.length - 4)); // lying 32-bit size/offset
    else b[at] = [0, 0xff, 0x7f, 0x80][Math.floor(r() * 4)];
  }
  return b;
}

test.each(Object.keys(seeds) as (keyof typeof seeds)[])('%s: 2500 mutations give a clear torch.load error or a valid result', (fmt) => {
  const r = rng(fmt === 'pth' ? 12345 : 678);
  const unexpected: string[] = [];
  for (let i = 0; i < 2500; i++) {
    const src = seeds[fmt][i % seeds[fmt].length];
    const buf = mutate(src, r);
    try {
      load<unknown>(buf);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!(e instanceof Error) || !msg.startsWith('torch.load: <buffer>')) unexpected.push(`#${i}: ${e instanceof Error ? e.constructor.name : typeof e}: ${msg}`);
    }
  }
  expect(unexpected.slice(0, 10)).toEqual([]);
});

test('pickle: 3000 mutations of data.pkl, re-zipped with valid CRCs, reach the unpickler and fail cleanly', () => {
  const r = rng(999);
  const unexpected: string[] = [];
  const archives = seeds.pth.map((buf) => {
    const z = new ZipReader(buf, (p) => { throw new Error(p); });
    return [...z.entries.keys()].map((name) => ({ name, data: Buffer.from(z.read(name)) }));
  });
  for (let i = 0; i < 3000; i++) {
    const entries = archives[i % archives.length].map((e) => (e.name.endsWith('data.pkl') ? { name: e.name, data: mutate(e.data, r) } : e));
    try {
      load<unknown>(writeZip(entries));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!(e instanceof Error) || !msg.startsWith('torch.load: <buffer>')) unexpected.push(`#${i}: ${e instanceof Error ? e.constructor.name : typeof e}: ${msg}`);
    }
  }
  expect(unexpected.slice(0, 10)).toEqual([]);
});
