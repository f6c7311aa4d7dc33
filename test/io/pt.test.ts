/** torch.load of PyTorch zip checkpoints (fixtures written by real torch.save, scripts/fixtures/gen_io.py). */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { load, save } from '../../lib/io';
import { CORE_DTYPES } from '../../lib/io/dtypes';
import { Tensor } from '../../lib/tensor';

const FIX = join(__dirname, '..', 'fixtures', 'io');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, Desc>;
type Desc = { tensor?: true; dtype?: string; shape?: number[]; data?: number[]; dict?: [string, Desc][]; list?: Desc[]; tuple?: Desc[]; value?: unknown };
const dir = mkdtempSync(join(tmpdir(), 'torchlet-pt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The dtype torchlet loads a PyTorch dtype as. */
function loadedDType(d: string): string {
  if (d === 'bool') return CORE_DTYPES.bool ? 'bool' : 'float32';
  if (/^u?int/.test(d)) return CORE_DTYPES.int64 ? 'int64' : 'float32';
  return 'float32';
}

function values(t: Tensor): number[] {
  if ((t as { dtype: string }).dtype === 'int64') return Array.from((t as unknown as { toBigInt64Array(): BigInt64Array }).toBigInt64Array(), Number);
  return Array.from(t.toFloat32Array());
}

/** Compares a loaded value with PyTorch's description of it, exactly (after float32 rounding). */
function check(v: unknown, d: Desc, where: string): void {
  if (d.tensor) {
    expect(v).toBeInstanceOf(Tensor);
    const t = v as Tensor;
    expect([where, t.shape]).toEqual([where, d.shape]);
    expect([where, (t as { dtype: string }).dtype]).toEqual([where, loadedDType(d.dtype!)]);
    const want = loadedDType(d.dtype!) === 'float32' ? d.data!.map((x) => Math.fround(x)) : d.data!;
    expect([where, values(t)]).toEqual([where, want]);
  } else if (d.dict) {
    expect(Object.keys(v as object)).toEqual(d.dict.map(([k]) => k));
    for (const [k, x] of d.dict) check((v as Record<string, unknown>)[k], x, `${where}.${k}`);
  } else if (d.list || d.tuple) {
    const items = (d.list ?? d.tuple)!;
    expect(Array.isArray(v)).toBe(true);
    expect(Object.isFrozen(v)).toBe(!!d.tuple);
    expect((v as unknown[]).length).toBe(items.length);
    items.forEach((x, i) => check((v as unknown[])[i], x, `${where}[${i}]`));
  } else {
    expect([where, v]).toEqual([where, typeof d.value === 'number' && !Number.isSafeInteger(d.value) && Number.isInteger(d.value) ? BigInt(d.value) : d.value]);
  }
}

describe('torch.load reads torch.save checkpoints from PyTorch 1.13', () => {
  test.each(['bn_net.pth', 'views.pth', 'dtypes.pth'])('%s: keys, shapes, dtypes and values', (name) => {
    check(load(join(FIX, name)), expected[name], name);
  });

  test('a training checkpoint: state dicts mixed with numbers, strings, lists, tuples and None', () => {
    const ck = load<Record<string, unknown>>(join(FIX, 'checkpoint.pth'));
    const d = { ...expected['checkpoint.pth'] };
    // 2**62 is beyond JS's exact integers: it loads as a bigint
    d.dict = d.dict!.map(([k, x]) => (k === 'big' ? [k, { value: 2n ** 62n }] : [k, x]) as [string, Desc]);
    check(ck, d, 'checkpoint');
    expect(ck.big).toBe(2n ** 62n);
    const opt = ck.optimizer as { state: Record<string, { momentum_buffer: Tensor }>; param_groups: { params: number[]; lr: number }[] };
    expect(Object.keys(opt.state)).toEqual(['0', '1']);
    expect(opt.param_groups[0].params).toEqual([0, 1]);
    expect(opt.param_groups[0].lr).toBe(0.1);
  });

  test('reads from a Buffer too', () => {
    check(load(readFileSync(join(FIX, 'views.pth'))), expected['views.pth'], 'views');
  });

  test('shared storage: views load as independent tensors with the right values', () => {
    const sd = load(join(FIX, 'views.pth'));
    expect(sd.t.shape).toEqual([6, 4]);
    expect(Array.from(sd.t.toFloat32Array()).slice(0, 5)).toEqual([0, 6, 12, 18, 1]);
    sd.base.storage[0] = 100;
    expect(sd.t.toFloat32Array()[0]).toBe(0);
  });
});

describe('refused: anything but a state dict, naming the global', () => {
  test.each([
    ['evil_system.pth', /refused global posix\.system: only state dicts/],
    ['evil_eval.pth', /refused global builtins\.eval/],
    ['whole_module.pth', /refused global torch\.nn\.modules\.linear\.Linear/],
    ['legacy.pth', /legacy \(pre-1\.6, non-zip\) format/],
  ])('%s', (name, re) => {
    expect(() => load(join(FIX, name))).toThrow(re);
    expect(() => load(join(FIX, name))).toThrow(new RegExp(name.replace('.', '\\.')));
  });
});

describe('torch.save writes PyTorch checkpoints', () => {
  test('round trip through torchlet: nested objects, numbers, tuples, tensors', () => {
    const w = new Tensor(Float32Array.from([1.5, -2, NaN, Infinity, -0, 3e-30]), [2, 3]);
    const obj = { model: { w, b: new Tensor(Float32Array.from([7]), []) }, epoch: 4, lr: 0.01, name: 'x', ok: true, none: null, pair: Object.freeze([1, 2.5]), list: [1, [2, 3]], big: 2n ** 62n };
    const p = join(dir, 'rt.pt');
    save(obj, p);
    const back = load<typeof obj>(p);
    expect(back.model.w.shape).toEqual([2, 3]);
    expect(Array.from(back.model.w.storage)).toEqual(Array.from(w.storage));
    expect(back.model.b.shape).toEqual([]);
    expect({ ...back, model: null }).toEqual({ ...obj, model: null });
    expect(Object.isFrozen(back.pair)).toBe(true);
  });

  test('refuses what cannot be saved', () => {
    expect(() => save({ m: new Map() }, join(dir, 'x.pt'))).toThrow(/the object\.m is a Map/);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => save(cyc, join(dir, 'y.pt'))).toThrow(/contains itself/);
    expect(() => save({ a: 1 }, join(dir, 'z.safetensors'))).toThrow(/value for "a" is not a Tensor/);
  });

  const py = '/usr/bin/python3';
  // torch 1.13's weights_only loader lacks BINFLOAT (floats); newer ones read it. The state dict
  // alone goes through weights_only=True, the whole checkpoint through the ordinary loader.
  (existsSync(py) ? test : test.skip)('PyTorch loads what torchlet writes (a state dict with weights_only=True)', () => {
    const p = join(dir, 'to-torch.pth'), q = join(dir, 'sd.pth');
    const w = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    save({ model: { w }, epoch: 2, lr: 0.5, state: { 0: { step: 3 } } }, p);
    save({ w }, q);
    const script = `
import json, sys, torch
sd = torch.load(sys.argv[2], weights_only=True)
assert sd['w'].tolist() == [[1, 2, 3], [4, 5, 6]], sd
d = torch.load(sys.argv[1])
print(json.dumps({'w': d['model']['w'].tolist(), 'dtype': str(d['model']['w'].dtype), 'od': type(d['model']).__name__,
                  'epoch': d['epoch'], 'lr': d['lr'], 'state_keys': [type(k).__name__ for k in d['state']]}))`;
    const out = JSON.parse(execFileSync(py, ['-c', script, p, q], { encoding: 'utf8' }));
    expect(out).toEqual({ w: [[1, 2, 3], [4, 5, 6]], dtype: 'torch.float32', od: 'OrderedDict', epoch: 2, lr: 0.5, state_keys: ['int'] });
  });
});

describe('a PyTorch state dict loads strictly into the same torchlet architecture', () => {
  test('Conv2d + BatchNorm2d + Linear: eval outputs equal PyTorch', () => {

    const { nn } = require('../../lib') as typeof import('../../lib');
    const net = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 3));
    const res = net.loadStateDict(load(join(FIX, 'bn_net.pth')));
    expect([...res.missingKeys, ...res.unexpectedKeys]).toEqual([]);
    net.eval();
    const f = expected.bn_net_forward as unknown as { x: number[]; x_shape: number[]; y: number[] };
    const y = net(new Tensor(Float32Array.from(f.x), f.x_shape)) as Tensor;
    expect(y.shape).toEqual([2, 3]);
    const got = Array.from(y.toFloat32Array());
    got.forEach((v, i) => expect(Math.abs(v - f.y[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(f.y[i])));
  });
});

// Needs the int64 tensor core (tensor core v2); on a core without int64 the integers load as float32.
(CORE_DTYPES.int64 && existsSync('/usr/bin/python3') ? describe : describe.skip)('int64 round trips losslessly, both ways', () => {
  test('a PyTorch state dict re-saved by torchlet (.pth and safetensors) keeps int64 exactly', () => {
    const sd = load(join(FIX, 'dtypes.pth'));
    expect((sd.i64 as { dtype: string }).dtype).toBe('int64');
    const bn = load(join(FIX, 'bn_net.pth'));
    const p = join(dir, 'int64.pth'), q = join(dir, 'int64.safetensors');
    save({ i64: sd.i64, nbt: bn['1.num_batches_tracked'], b: sd.b }, p);
    save({ i64: sd.i64, nbt: bn['1.num_batches_tracked'] }, q);
    const back = load(q);
    expect(Array.from((back.i64 as unknown as { toBigInt64Array(): BigInt64Array }).toBigInt64Array())).toEqual([0n, -1n, 2n ** 40n, 2n ** 53n - 1n]);
    const script = `
import json, sys, torch
d = torch.load(sys.argv[1], weights_only=True)
print(json.dumps({k: [str(v.dtype), v.tolist()] for k, v in d.items()}))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, p], { encoding: 'utf8' }));
    expect(out).toEqual({ i64: ['torch.int64', [0, -1, 2 ** 40, 2 ** 53 - 1]], nbt: ['torch.int64', 1], b: ['torch.bool', [true, false, true]] });
  });
});
