/** torch.save / torch.load (safetensors): PyTorch-written file, round trips, corrupt files. */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { save, load, loadMetadata, encode, parseHeader } from '../../lib/io';
import { FileDType, targetOf } from '../../lib/io/dtypes';
import { Tensor } from '../../lib/tensor';
import { expectClose } from '../helpers/close';
import { FIXTURES, fixture, FixTensor } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'torchlet-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ref = fixture<{ tensors: Record<string, FixTensor>; keys: string[]; metadata: Record<string, string> }>('safetensors.json');

describe('torch.load reads a file written on the PyTorch side', () => {
  const sd = load(join(FIXTURES, 'sample.safetensors'));
  test('keys in file order', () => {
    expect(Object.keys(sd)).toEqual(ref.keys);
  });
  const fileDType = Object.fromEntries(parseHeader(readFileSync(join(FIXTURES, 'sample.safetensors'))).tensors.map((t) => [t.name, t.dtype as FileDType]));
  test.each(ref.keys.map((k) => [k] as const))('%s: shape, dtype (integers stay int64 on a core that has it) and values', (k) => {
    const t = sd[k];
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual(ref.tensors[k].shape);
    expect((t as { dtype: string }).dtype).toBe(targetOf(fileDType[k]));
    // safetensors.json (gen_training.py) holds the values as float32 (123456789 as 123456792); the
    // exact int64 values are checked against PyTorch in test/io/pt.test.ts (dtypes.pth).
    const got = (t as { dtype: string }).dtype === 'int64'
      ? Array.from((t as unknown as { toBigInt64Array(): BigInt64Array }).toBigInt64Array(), (v) => Math.fround(Number(v)))
      : t.toFloat32Array();
    expectClose(got, ref.tensors[k].data, 0, 0, k);
  });
  test('metadata', () => {
    expect(loadMetadata(join(FIXTURES, 'sample.safetensors'))).toEqual(ref.metadata);
  });
});

describe('torch.save', () => {
  test('round trip keeps keys, order, shapes and exact values', () => {
    const rec = {
      'c1.weight': new Tensor(Float32Array.from([1.5, -2, 3e-20, NaN, Infinity, -0]), [2, 3]),
      'c1.bias': new Tensor(Float32Array.from([7]), [1]),
      scalar: new Tensor(Float32Array.from([0.25]), []),
      empty: new Tensor(new Float32Array(0), [0, 4]),
    };
    const p = join(dir, 'rt.safetensors');
    save(rec, p, { metadata: { format: 'pt' } });
    const back = load(p);
    expect(Object.keys(back)).toEqual(Object.keys(rec));
    for (const [k, t] of Object.entries(rec)) {
      expect(back[k].shape).toEqual(t.shape);
      expect(Array.from(back[k].storage)).toEqual(Array.from(t.storage));
    }
    expect(loadMetadata(p)).toEqual({ format: 'pt' });
    // header is 8-byte aligned and data follows immediately
    const buf = readFileSync(p);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(buf.length).toBe(8 + n + 4 * 8);
  });

  test('a tensor named __proto__ is an ordinary key', () => {
    const j = Buffer.from(JSON.stringify({ ['__proto__']: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(j.length));
    const p = join(dir, 'proto.safetensors');
    writeFileSync(p, Buffer.concat([len, j, Buffer.from(new Float32Array([3]).buffer)]));
    const sd = load(p);
    expect(Object.keys(sd)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(sd, '__proto__')!.value.item()).toBe(3);
  });

  test('rejects non-tensors and bad metadata', () => {
    expect(() => save({ a: [1, 2] as unknown as Tensor }, join(dir, 'x.safetensors'))).toThrow(/value for "a" is not a Tensor/);
    expect(() => encode({}, { metadata: { a: 1 as unknown as string } })).toThrow(/metadata value for "a" must be a string/);
  });

  const py = '/usr/bin/python3';
  (existsSync(py) ? test : test.skip)('PyTorch reads what torchlet writes (independent header parse)', () => {
    const p = join(dir, 'to-torch.safetensors');
    save({ w: new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]), b: new Tensor(Float32Array.from([-1]), [1]) }, p);
    const script = `
import json, struct, sys, torch
d = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', d[:8])[0]
h = json.loads(d[8:8+n])
out = {}
for k, v in h.items():
    if k == '__metadata__': continue
    a, b = v['data_offsets']
    assert v['dtype'] == 'F32'
    t = torch.frombuffer(bytearray(d[8+n+a:8+n+b]), dtype=torch.float32).reshape(v['shape'])
    out[k] = t.tolist()
print(json.dumps(out))`;
    let stdout: string;
    try {
      stdout = execFileSync(py, ['-c', script, p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      if (/No module named 'torch'/.test(String((e as { stderr?: string }).stderr))) return;
      throw e;
    }
    expect(JSON.parse(stdout)).toEqual({ w: [[1, 2, 3], [4, 5, 6]], b: [-1] });
  });
});

describe('corrupt files give a clear error, never a crash', () => {
  const good = readFileSync(join(FIXTURES, 'sample.safetensors'));
  const write = (name: string, buf: Buffer | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, buf);
    return p;
  };
  const withHeader = (h: unknown, data = Buffer.alloc(16)) => {
    const j = Buffer.from(typeof h === 'string' ? h : JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(j.length));
    return Buffer.concat([len, j, data]);
  };
  test.each([
    ['missing file', null, /cannot read/],
    ['empty file', Buffer.alloc(0), /shorter than the 8-byte header length/],
    ['truncated data', good.subarray(0, good.length - 10), /run past the end of the data.*truncated/],
    ['truncated header', good.subarray(0, 40), /header length \d+ runs past the end/],
    ['huge header length', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 2]), /too large/],
    ['not JSON', withHeader('{"a": [1,'), /not valid JSON/],
    ['header not an object', withHeader([1, 2]), /does not start with "\{"/],
    ['unknown dtype', withHeader({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }), /"a" has unknown or unsupported dtype "F8_E4M3"/],
    ['bad shape', withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), /"a" has an invalid shape/],
    ['bad offsets', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }), /"a" has invalid data_offsets/],
    ['offsets out of bounds', withHeader({ a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }), /"a" data_offsets \[0, 32\] run past the end of the data \(16 bytes/],
    ['shape-byte mismatch', withHeader({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }), /"a" of dtype F32 and shape \[2, 3\] needs 24 bytes but data_offsets \[0, 16\] span 16/],
    ['metadata not strings', withHeader({ __metadata__: { a: 1 } }), /__metadata__.a is not a string/],
    ['overlapping offsets', withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }), /"b" data_offsets \[0, 16\] overlap the previous tensor|"a" data_offsets \[0, 16\] overlap/],
    ['gap between tensors', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }), /"b" data_offsets \[8, 16\] leave a gap after byte 4/],
    ['data not covered', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), /cover 8 bytes of data but the file holds 16/],
    ['duplicate names', withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}'), /header names "a" twice/],
    ['invalid UTF-8 name', Buffer.concat([Buffer.from([13, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"'), Buffer.from([0xff, 0xfe]), Buffer.from('":{}}    ')]), /header is not valid UTF-8/],
    ['header not an object start', withHeader(' {}'), /does not start with "\{"/],
    ['huge declared shape', withHeader({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }), /too large to address|needs \d+ bytes/],
  ] as const)('%s', (name, buf, re) => {
    const p = buf === null ? join(dir, 'does-not-exist.safetensors') : write(`${name}.safetensors`, buf);
    expect(() => load(p)).toThrow(re);
  });
});
