/** TensorDataset, DataLoader (seeded shuffle, dropLast, collate) and the IDX reader. */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { DataLoader, TensorDataset, readIdx, randomSplit } from '../../lib/data';
import { manualSeed } from '../../lib/ops/creation';
import { Tensor } from '../../lib/tensor';

const range = (n: number, shape: number[]) => new Tensor(Float32Array.from({ length: n }, (_, i) => i), shape);

describe('TensorDataset', () => {
  const x = range(20, [10, 2]), y = range(10, [10]);
  const ds = new TensorDataset(x, y);
  test('items are rows', () => {
    expect(ds.length).toBe(10);
    const [a, b] = ds.getItem(3);
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.storage)).toEqual([6, 7]);
    expect(b.shape).toEqual([]);
    expect(b.item()).toBe(3);
    expect(() => ds.getItem(10)).toThrow(/index 10 is out of range for a dataset of 10 items/);
  });
  test('size mismatch is reported', () => {
    expect(() => new TensorDataset(x, range(9, [9]))).toThrow(/size mismatch.*tensor 0 has 10 samples.*tensor 1 has 9/);
  });
});

describe('DataLoader', () => {
  const x = range(20, [10, 2]), y = range(10, [10]);
  const ds = new TensorDataset(x, y);

  test('batches in order, last batch partial', () => {
    const dl = new DataLoader(ds, { batchSize: 4 });
    expect(dl.length).toBe(3);
    const batches = [...dl];
    expect(batches.map(([a]) => a.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(Array.from(batches[1][1].storage)).toEqual([4, 5, 6, 7]);
    expect(Array.from(batches[2][0].storage)).toEqual([16, 17, 18, 19]);
  });

  test('dropLast', () => {
    const dl = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dl.length).toBe(2);
    expect([...dl].length).toBe(2);
  });

  test('shuffle is a permutation, seeded by manualSeed, new order each epoch', () => {
    const dl = new DataLoader(ds, { batchSize: 3, shuffle: true });
    const epoch = () => [...dl].flatMap(([xb, yb]: Tensor[]) => {
      // rows stay aligned across tensors
      const ys = Array.from(yb.storage);
      ys.forEach((v, i) => expect(xb.storage[2 * i]).toBe(2 * v));
      return ys;
    });
    manualSeed(7);
    const a = epoch(), b = epoch();
    manualSeed(7);
    const c = epoch();
    expect([...a].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
  });

  test('generic datasets use the default collate (tensors stacked, numbers, tuples, objects)', () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ img: range(3, [3]).add(i), label: i }));
    const dl = new DataLoader(items, { batchSize: 2 });
    const [first] = [...dl];
    expect(first.img.shape).toEqual([2, 3]);
    expect(Array.from(first.label.storage)).toEqual([0, 1]);
    const tuples = new DataLoader({ length: 3, getItem: (i: number) => [range(2, [2]), i * 10] }, { batchSize: 3 });
    const [[t, n]] = [...tuples];
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(n.storage)).toEqual([0, 10, 20]);
  });

  test('custom collateFn and errors', () => {
    const dl = new DataLoader([1, 2, 3], { batchSize: 2, collateFn: (b) => b.reduce((s, v) => s + v, 0) });
    expect([...dl]).toEqual([3, 3]);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize should be a positive integer/);
    expect(() => new DataLoader({} as never)).toThrow(/dataset must have a length/);
  });

  test('randomSplit', () => {
    manualSeed(1);
    const [a, b] = randomSplit(ds, [7, 3]);
    expect(a.length + b.length).toBe(10);
    const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/does not equal the length/);
  });
});

describe('readIdx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlet-idx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const idx = (type: number, dims: number[], body: Buffer) => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h[2] = type;
    h[3] = dims.length;
    dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([h, body]);
  };
  const file = (name: string, buf: Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, buf);
    return p;
  };
  const images = idx(0x08, [2, 2, 3], Buffer.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));

  test('ubyte images, plain and gzipped', () => {
    for (const p of [file('img', images), file('img.gz', gzipSync(images))]) {
      const t = readIdx(p);
      expect(t.shape).toEqual([2, 2, 3]);
      expect(Array.from(t.storage)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    }
  });

  test('big-endian int, float and signed types', () => {
    const ints = Buffer.alloc(8);
    ints.writeInt32BE(-5, 0);
    ints.writeInt32BE(70000, 4);
    expect(Array.from(readIdx(file('i32', idx(0x0c, [2], ints))).storage)).toEqual([-5, 70000]);
    const f = Buffer.alloc(8);
    f.writeFloatBE(1.5, 0);
    f.writeFloatBE(-0.25, 4);
    expect(Array.from(readIdx(file('f32', idx(0x0d, [2], f))).storage)).toEqual([1.5, -0.25]);
    expect(Array.from(readIdx(file('i8', idx(0x09, [2], Buffer.from([0xff, 3])))).storage)).toEqual([-1, 3]);
  });

  test.each([
    ['wrong magic', Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), /wrong magic number 0x01000801/],
    ['unknown type', Buffer.from([0, 0, 7, 1, 0, 0, 0, 1, 5]), /unknown data type code 0x07/],
    ['truncated header', Buffer.from([0, 0, 8, 3, 0, 0]), /declares 3 dims but the file ends after 6 bytes/],
    ['truncated data', images.subarray(0, images.length - 2), /dims \[2, 2, 3\] of ubyte need 28 bytes but the file has 26 \(truncated\?\)/],
    ['trailing data', Buffer.concat([images, Buffer.from([1])]), /need 28 bytes but the file has 29 \(trailing data\)/],
    ['too short', Buffer.from([0, 0]), /only 2 bytes/],
  ] as const)('%s', (name, buf, re) => {
    expect(() => readIdx(file(name, buf))).toThrow(re);
  });

  test('corrupt gzip and missing file', () => {
    const gz = gzipSync(images);
    expect(() => readIdx(file('bad.gz', gz.subarray(0, gz.length - 12)))).toThrow(/corrupt or truncated gzip/);
    expect(() => readIdx(join(dir, 'nope'))).toThrow(/cannot read/);
  });

  const fashion = '/usr/share/datasets/fashion-mnist';
  (require('fs').existsSync(fashion) ? test : test.skip)('reads the real Fashion-MNIST test labels', () => {
    const t = readIdx(join(fashion, 't10k-labels-idx1-ubyte.gz'));
    expect(t.shape).toEqual([10000]);
    const counts = new Array(10).fill(0);
    for (const v of t.storage) counts[v]++;
    expect(counts).toEqual(new Array(10).fill(1000));
  });
});
