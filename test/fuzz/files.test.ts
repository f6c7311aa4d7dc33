/**
 * The file fuzzer (scripts/fuzz.js --target files) in CI: structure-aware mutations of safetensors
 * files (header length, JSON header edits, truncation) and of .pth checkpoints (integers inside the
 * pickle rewritten to hostile values, storage dtypes swapped, storage files resized or dropped, all
 * re-zipped with valid CRCs), loaded in child processes and every tensor read back. test/io/fuzz.test.ts
 * covers blind byte mutations in process; this one aims at sizes, offsets and strides.
 */
import { encodePt, load } from '../../lib/io';
import { writeZip, ZipReader } from '../../lib/io/zip';
import * as torch from '../../lib';
import { fuzz } from './run';

test('3000 mutated safetensors and .pth files (seed 1): each loads or throws a torch.load error; no crash, hang or internal error', () => {
  const { results, status } = fuzz(['--target', 'files', '--iterations', '3000', '--batch', '1500']);
  const [r] = results;
  const bad = [...r.crashes, ...r.hangs].map((c) => `${c.signal || `exit ${c.status}`}: ${c.repro}`)
    .concat([...r.findings, ...r.internal].map((f) => `case ${f.case}: ${f.call}: ${f.what}`));
  expect(bad).toEqual([]);
  expect(r.cases).toBe(3000);
  expect(r.ok).toBeGreaterThan(50);
  expect(r.threw).toBeGreaterThan(2000);
  expect(status).toBe(0);
}, 180_000);

test('a .pth whose tensor size is 2^62 (a bigint once unpickled) names the size, not "serialize a BigInt" (found by the fuzzer)', () => {
  const src = encodePt({ w: torch.tensor([1, 2, 3, 4, 5]) });
  const z = new ZipReader(src, (p) => { throw new Error(p); });
  const entries = [...z.entries.keys()].map((name) => ({ name, data: Buffer.from(z.read(name)) }));
  const pk = entries.find((e) => e.name.endsWith('data.pkl'))!;
  // The size tuple (5,) is MARK, BININT1 5, TUPLE (after the storage's numel, also BININT1 5, with
  // no MARK before it); make the size LONG1 of 8 bytes, 2^62.
  const at = pk.data.indexOf(Buffer.from([0x28, 0x4b, 5, 0x74])) + 1;
  expect(at).toBeGreaterThan(0);
  const long = Buffer.alloc(10);
  long[0] = 0x8a; long[1] = 8; long.writeBigInt64LE(2n ** 62n, 2);
  pk.data = Buffer.concat([pk.data.subarray(0, at), long, pk.data.subarray(at + 2)]);
  expect(() => load(writeZip(entries))).toThrow('torch.load: <buffer> is not a loadable PyTorch checkpoint: a tensor of storage 0 has an invalid size ["4611686018427387904"]');
});
