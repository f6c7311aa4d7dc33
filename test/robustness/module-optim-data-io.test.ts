/**
 * nn.Module registration, module hooks, loadStateDict, optimizers, schedulers, init, DataLoader,
 * torch.save/torch.load (safetensors) and readIdx given bad input. test.failing marks the bugs.
 */
import { mkdtempSync, writeFileSync, readdirSync, mkdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import * as torch from '../../lib';
import { nn, optim, Tensor } from '../../lib';
import { Case, expectThrow } from './expect-throw';

const TD = (torch as any).utils.data;

class Net extends nn.Module {
  fc: nn.Linear;
  constructor() {
    super();
    this.fc = new nn.Linear(2, 3);
  }
  forward(x: Tensor): Tensor {
    return this.fc(x);
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'torchlet-robust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(bytes: Uint8Array | number[]): string {
  const p = join(dir, `f${fileNo++}`);
  writeFileSync(p, Buffer.from(bytes as any));
  return p;
}
/** A safetensors file: 8-byte header length (or `n`), the header text, then `data`. */
function st(header: unknown, data: Buffer = Buffer.alloc(0), n?: bigint): string {
  const j = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const b = Buffer.alloc(8 + j.length + data.length);
  b.writeBigUInt64LE(n ?? BigInt(j.length));
  j.copy(b, 8);
  data.copy(b, 8 + j.length);
  return file(b);
}

describe('module registration', () => {
  const m = () => new nn.Module() as any;
  test.each<Case>([
    ['module name with a dot', () => m().registerModule('a.b', new nn.Linear(1, 1)), /module name can't contain "\.", got: a\.b/],
    ['empty module name', () => m().registerModule('', new nn.Linear(1, 1)), /module name can't be empty string/],
    ['non-string module name', () => m().registerModule(5, new nn.Linear(1, 1)), /module name should be a string. Got number/],
    ['symbol module name', () => m().registerModule(Symbol('x'), new nn.Linear(1, 1)), /module name should be a string. Got symbol/],
    ['__proto__ as a module name', () => m().registerModule('__proto__', new nn.Linear(1, 1)), /attribute '__proto__' already exists/],
    ['non-module', () => m().registerModule('a', 5), /number is not a Module subclass/],
    ['plain tensor as a parameter', () => m().registerParameter('p', torch.randn(2)), /cannot assign 'torch\.FloatTensor' object to parameter 'p' \(torch\.nn\.Parameter or None required\)/],
    ['parameter name with a dot', () => m().registerParameter('a.b', new nn.Parameter(torch.randn(2))), /parameter name can't contain "\."/],
    ['buffer name with a dot', () => m().registerBuffer('a.b', torch.randn(2)), /buffer name can't contain "\."/],
    ['array as a buffer', () => m().registerBuffer('b', [1, 2]), /cannot assign 'Array' object to buffer 'b'/],
    ['buffer over a parameter', () => (new nn.Linear(1, 1) as any).registerBuffer('weight', torch.randn(2)), /attribute 'weight' already exists/],
    ['parameter named forward', () => (new nn.Linear(1, 1) as any).registerParameter('forward', new nn.Parameter(torch.randn(2))), /attribute 'forward' already exists/],
    ['Sequential with a number', () => new nn.Sequential(new nn.Linear(1, 1), 5 as any), /number is not a Module subclass/],
    ['ModuleList with a number', () => new nn.ModuleList([5 as any]), /number is not a Module subclass/],
    ['ModuleDict with a number', () => new nn.ModuleDict({ a: 5 as any }), /number is not a Module subclass/],
    ['Sequential index out of range', () => (new nn.Sequential(new nn.Linear(1, 1)) as any).get(5), /index 5 is out of range/],
    ['train("no")', () => new nn.Linear(1, 1).train('no' as any), /training mode is expected to be boolean/],
    ['hook that is not a function', () => new nn.Linear(2, 3).registerForwardHook(5 as any), /hook must be a function, got number/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));
});

describe('module hooks returning the wrong things', () => {
  const run = (m: nn.Linear) => {
    const x = torch.randn(1, 2, { requiresGrad: true });
    m(x).sum().backward();
    return x;
  };
  test.each<Case>([
    ['backward hook: 2 grads for 1 input', () => { const m = new nn.Linear(2, 3); m.registerFullBackwardHook(() => [torch.randn(1, 2), torch.randn(1, 2)]); run(m); }, /Backward hook returned an invalid number of grad_input, got 2, but expected 1/],
    ['backward hook: not an array', () => { const m = new nn.Linear(2, 3); m.registerFullBackwardHook((() => torch.randn(1, 2)) as any); run(m); }, /Backward hook returned an invalid number of grad_input, got a non-array, but expected 1/],
    ['backward pre-hook: 2 grads for 1 output', () => { const m = new nn.Linear(2, 3); m.registerFullBackwardPreHook(() => [torch.randn(1, 3), torch.randn(1, 3)]); run(m); }, /Backward pre hook returned an invalid number of grad_output, got 2, but expected 1/],
    ['forward pre-hook returning a number', () => { const m = new nn.Linear(2, 3); m.registerForwardPreHook((() => 5) as any); m(torch.randn(1, 2)); }, /linear: input must be a Tensor, got number/],
    ['forward hook that throws', () => { const m = new nn.Linear(2, 3); m.registerForwardHook(() => { throw new Error('boom'); }); m(torch.randn(1, 2)); }, /boom/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG (silent gradient corruption): a full backward hook may replace grad_input with a tensor of
  // another shape; it is accepted and x.grad ends up [5, 5] for an x of shape [1, 2].
  // PyTorch: "hook 'hook' has changed the size of value". lib/nn/hooks.ts (backward hook result check).
  test('backward hook: a grad_input of the wrong shape is rejected', () => {
    const m = new nn.Linear(2, 3);
    m.registerFullBackwardHook(() => [torch.randn(5, 5)]);
    let x: Tensor | undefined;
    expectThrow(() => { x = run(m); }, /(size|shape)/);
    if (x) expect(x.grad!.shape).toEqual([1, 2]);
  });
  // BUG: a number in grad_input fails deep inside with "h.clone is not a function".
  test('backward hook: a non-tensor in grad_input is a clear error', () => {
    const m = new nn.Linear(2, 3);
    m.registerFullBackwardHook((() => [7]) as any);
    expectThrow(() => run(m), /(Tensor|tensor).*(hook|grad)|hook.*(Tensor|tensor)/);
  });
  // BUG: a wrong-shaped grad_output from a backward pre-hook is caught only by the native binding:
  // "torchlet.linearBackward: gradOutput holds 16 values, expected 3" (names neither the hook nor shapes).
  test('backward pre-hook: a grad_output of the wrong shape names the hook and the shapes', () => {
    const m = new nn.Linear(2, 3);
    m.registerFullBackwardPreHook(() => [torch.randn(4, 4)]);
    expectThrow(() => run(m), /hook.*\[4, 4\]|\[4, 4\].*hook/);
  });
  test('backward pre-hook: a string in grad_output is a clear error', () => {
    const m = new nn.Linear(2, 3);
    m.registerFullBackwardPreHook((() => ['x']) as any);
    expectThrow(() => run(m), /hook/);
  });
});

describe('loadStateDict', () => {
  test.each<Case>([
    ['shape mismatch', () => new Net().loadStateDict({ 'fc.weight': torch.randn(3, 3), 'fc.bias': torch.randn(3) }), /size mismatch for fc\.weight: copying a param with shape torch\.Size\(\[3, 3\]\) from checkpoint, the shape in current model is torch\.Size\(\[3, 2\]\)/],
    ['missing key', () => new Net().loadStateDict({ 'fc.weight': torch.randn(3, 2) }), /Missing key\(s\) in state_dict: "fc\.bias"/],
    ['unexpected key', () => new Net().loadStateDict({ 'fc.weight': torch.randn(3, 2), 'fc.bias': torch.randn(3), x: torch.randn(1) }), /Unexpected key\(s\) in state_dict: "x"/],
    ['non-tensor value', () => new Net().loadStateDict({ 'fc.weight': [[1, 2], [3, 4], [5, 6]] as any, 'fc.bias': torch.randn(3) }), /While copying the parameter named "fc\.weight", expected torch\.Tensor .* but received Array/],
    ['null', () => new Net().loadStateDict(null as any), /Expected state_dict to be dict-like, got NoneType/],
    ['disposed tensor', () => { const w = torch.randn(3, 2); w.dispose(); new Net().loadStateDict({ 'fc.weight': w, 'fc.bias': torch.randn(3) }); }, /fc\.weight.*disposed/s],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  test('every offending key is named', () => {
    expectThrow(() => new Net().loadStateDict({ 'fc.weight': torch.randn(1), 'fc.bias': torch.randn(4), y: torch.randn(1) }),
      /Unexpected key\(s\) in state_dict: "y"[\s\S]*size mismatch for fc\.weight[\s\S]*size mismatch for fc\.bias/);
  });
});

describe('optimizers, schedulers, init', () => {
  const params = () => new Net().parameters();
  test.each<Case>([
    ['number as a param', () => new optim.SGD([5 as any], { lr: 0.1 }), /a parameter group must be an object with a params field/],
    ['empty param list', () => new optim.SGD([], { lr: 0.1 }), /optimizer got an empty parameter list/],
    ['not iterable', () => new optim.SGD(5 as any, { lr: 0.1 }), /params must be an iterable of Tensors/],
    ['a single tensor', () => new optim.SGD(torch.randn(2, { requiresGrad: true }) as any, { lr: 0.1 }), /should be an iterable of Tensors or objects, but got a Tensor/],
    ['non-leaf tensor', () => { const x = torch.randn(2, { requiresGrad: true }); return new optim.SGD([x.mul(2)], { lr: 0.1 }); }, /can't optimize a non-leaf Tensor/],
    ['negative lr', () => new optim.SGD(params(), { lr: -1 }), /Invalid learning rate: -1/],
    ['NaN lr', () => new optim.SGD(params(), { lr: NaN }), /Invalid learning rate: NaN/],
    ['negative momentum', () => new optim.SGD(params(), { lr: 0.1, momentum: -1 }), /Invalid momentum value: -1/],
    ['nesterov without momentum', () => new optim.SGD(params(), { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ['Adam beta 1.5', () => new optim.Adam(params(), { betas: [1.5, 0.9] }), /Invalid beta parameter at index 0: 1\.5/],
    ['Adam one beta', () => new optim.Adam(params(), { betas: [0.9] as any }), /Invalid beta parameter at index 1/],
    ['Adam negative eps', () => new optim.Adam(params(), { eps: -1 }), /Invalid epsilon value: -1/],
    ['same tensor twice', () => { const n = new Net(); return new optim.Adam([...n.parameters(), ...n.parameters()]); }, /contains the same tensor twice/],
    ['overlapping groups', () => { const n = new Net(); return new optim.SGD([{ params: n.parameters() }, { params: [n.fc.weight] }] as any, { lr: 0.1 }); }, /some parameters appear in more than one parameter group/],
    ['loadStateDict({})', () => new optim.Adam(params()).loadStateDict({} as any), /loadStateDict: expected \{ state, param_groups \}/],
    ['loadStateDict wrong state shape', () => {
      const n = new Net();
      const o = new optim.Adam(n.parameters(), { lr: 0.1 });
      n(torch.randn(1, 2)).sum().backward();
      o.step();
      const sd = o.stateDict() as any;
      for (const s of Object.values(sd.state) as any[]) for (const k of Object.keys(s)) if (s[k] instanceof Tensor) s[k] = torch.randn(7);
      o.loadStateDict(sd);
    }, /loadStateDict: state "exp_avg" of parameter 0 has shape \[7\], parameter has \[3, 2\]/],
    ['scheduler on a non-optimizer', () => new (optim as any).lrScheduler.StepLR({}, 1), /object is not an Optimizer/],
    ['StepLR stepSize 0', () => new (optim as any).lrScheduler.StepLR(new optim.SGD(params(), { lr: 0.1 }), 0), /StepLR: stepSize must be a positive integer, got 0/],
    ['OneCycleLR past totalSteps', () => {
      const s = new (optim as any).lrScheduler.OneCycleLR(new optim.SGD(params(), { lr: 0.1 }), 0.1, { totalSteps: 2 });
      s.step(); s.step(); s.step();
    }, /Tried to step 4 times. The specified number of total steps is 2/],
    ['kaimingUniform_ on 1-D', () => nn.init.kaimingUniform_(torch.randn(3)), /Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/],
    ['kaimingUniform_ bad mode', () => nn.init.kaimingUniform_(torch.randn(3, 3), { mode: 'bogus' } as any), /Mode bogus not supported/],
    ['kaimingUniform_ bad nonlinearity', () => nn.init.kaimingUniform_(torch.randn(3, 3), { nonlinearity: 'bogus' } as any), /Unsupported nonlinearity bogus/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG: CosineAnnealingLR(opt, 0) divides by TMax = 0 and sets lr to NaN without a word (PyTorch
  // raises ZeroDivisionError); a NaN/negative TMax likewise. The next step() silently turns every
  // parameter into NaN: training data lost. lib/optim/lr-scheduler.ts (CosineAnnealingLR).
  test.each([[0], [-1], [NaN]])('CosineAnnealingLR with TMax %p is rejected', (tMax) => {
    const o = new optim.SGD(params(), { lr: 0.1 });
    expectThrow(() => {
      const s = new (optim as any).lrScheduler.CosineAnnealingLR(o, tMax);
      s.step();
      s.step();
      if (!Number.isFinite(o.paramGroups[0].lr)) throw new Error(`lr became ${o.paramGroups[0].lr}`);
    }, /CosineAnnealingLR|T_?[mM]ax/);
  });
  // BUG: a string lr is refused with "Invalid learning rate: 0.1", which reads as if 0.1 were invalid.
  test('a string lr says it must be a number', () => {
    expectThrow(() => new optim.Adam(params(), { lr: '0.1' as any }), /number/);
  });

  // BUGS: PyTorch rejects these ("normal expects std >= 0.0", "uniform_ expects to return a [from, to)
  // range, but found from=1 > to=0"); lib/nn/init.ts fills silently.
  test('init.normal_ with a negative std is an error', () => {
    expectThrow(() => nn.init.normal_(torch.randn(3, 3), 0, -1), /std/);
  });
  test('init.uniform_ with from > to is an error', () => {
    expectThrow(() => nn.init.uniform_(torch.randn(3, 3), 1, 0), /uniform_/);
  });
});

describe('Dataset / DataLoader', () => {
  const ds = () => new TD.TensorDataset(torch.randn(4, 2));
  test.each<Case>([
    ['batchSize 0', () => new TD.DataLoader(ds(), { batchSize: 0 }), /DataLoader: batchSize should be a positive integer, got 0/],
    ['batchSize -1', () => new TD.DataLoader(ds(), { batchSize: -1 }), /DataLoader: batchSize should be a positive integer, got -1/],
    ['batchSize 1.5', () => new TD.DataLoader(ds(), { batchSize: 1.5 }), /DataLoader: batchSize should be a positive integer, got 1\.5/],
    ['batchSize NaN', () => new TD.DataLoader(ds(), { batchSize: NaN }), /DataLoader: batchSize should be a positive integer, got NaN/],
    ['batchSize Infinity', () => new TD.DataLoader(ds(), { batchSize: Infinity }), /DataLoader: batchSize should be a positive integer, got Infinity/],
    ['batchSize "2"', () => new TD.DataLoader(ds(), { batchSize: '2' }), /DataLoader: batchSize should be a positive integer/],
    ['dataset 5', () => new TD.DataLoader(5), /DataLoader: dataset must have a length and getItem/],
    ['TensorDataset size mismatch', () => new TD.TensorDataset(torch.randn(4, 2), torch.randn(3)), /TensorDataset: size mismatch between tensors: tensor 0 has 4 samples/],
    ['TensorDataset of nothing', () => new TD.TensorDataset(), /TensorDataset: needs at least one tensor/],
    ['TensorDataset of a scalar', () => new TD.TensorDataset(torch.tensor(1)), /TensorDataset: tensor 0 is a scalar/],
    ['TensorDataset of an array', () => new TD.TensorDataset([1, 2, 3]), /TensorDataset: argument 0 is not a Tensor/],
    ['getItem(10)', () => ds().getItem(10), /index 10 is out of range for a dataset of 4 items/],
    ['getItem(1.5)', () => ds().getItem(1.5), /index 1\.5 is out of range/],
    ['collate of different shapes', () => [...new TD.DataLoader([[torch.randn(2)], [torch.randn(3)]], { batchSize: 2 })], /stack: expects each tensor to be equal size/],
    ['collate with a hole', () => [...new TD.DataLoader([torch.randn(2), undefined], { batchSize: 2 })], /expected Tensor at position 1/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG: a sample that is not a number is collated to NaN without a word (PyTorch's default_collate
  // raises "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists").
  test('collating a string sample is an error', () => {
    expectThrow(() => [...new TD.DataLoader([1, 'a'], { batchSize: 2 })], /collate|string/);
  });
});

describe('torch.load (safetensors)', () => {
  const bad = /torch\.load: .* is not a valid safetensors file: /;
  test.each<Case>([
    ['2-byte file', () => torch.load(file([1, 2])), /file is 2 bytes, shorter than the 8-byte header length/],
    ['empty file', () => torch.load(file([])), /file is 0 bytes/],
    ['header length 2^60', () => torch.load(st({}, undefined, 2n ** 60n)), /header length \d+ is too large \(limit 104857600 bytes\)/],
    ['header length 2^64-1', () => torch.load(st({}, undefined, 2n ** 64n - 1n)), /header length \d+ is too large/],
    ['header past the end', () => torch.load(st({}, undefined, 1000n)), /header length 1000 runs past the end of the \d+-byte file \(truncated\?\)/],
    ['truncated JSON', () => torch.load(st('{"a":')), /header is not valid JSON/],
    ['JSON array', () => torch.load(st('[]')), /header is not a JSON object/],
    ['JSON null', () => torch.load(st('null')), /header is not a JSON object/],
    ['unknown dtype', () => torch.load(st({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1))), /tensor "a" has unknown or unsupported dtype "F8"/],
    ['negative shape', () => torch.load(st({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, Buffer.alloc(4))), /tensor "a" has an invalid shape \[-1\]/],
    ['fractional shape', () => torch.load(st({ a: { dtype: 'F32', shape: [0.5, 2], data_offsets: [0, 4] } }, Buffer.alloc(4))), /tensor "a" has an invalid shape/],
    ['shape not an array', () => torch.load(st({ a: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, Buffer.alloc(16))), /tensor "a" has an invalid shape/],
    ['offsets past the data', () => torch.load(st({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, Buffer.alloc(8))), /tensor "a" data_offsets \[0, 16\] run past the end of the data \(8 bytes; truncated\?\)/],
    ['reversed offsets', () => torch.load(st({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, Buffer.alloc(8))), /tensor "a" has invalid data_offsets \[4,0\]/],
    ['offsets/shape mismatch', () => torch.load(st({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, Buffer.alloc(8))), /tensor "a" of dtype F32 and shape \[2\] needs 8 bytes but data_offsets \[0, 4\] span 4/],
    ['huge shape', () => torch.load(st({ a: { dtype: 'F32', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 2 ** 54] } }, Buffer.alloc(8))), /tensor "a"/],
    ['non-string metadata', () => torch.load(st({ __metadata__: { a: 1 } })), /__metadata__\.a is not a string/],
    ['null entry', () => torch.load(st({ a: null })), /entry "a" is not an object/],
    ['string entry', () => torch.load(st({ a: 'x' })), /entry "a" is not an object/],
    ['missing file', () => torch.load(join(dir, 'nope')), /torch\.load: cannot read .*nope: ENOENT/],
    ['a directory', () => torch.load(dir), /torch\.load: cannot read .*EISDIR/],
  ])('%s', (_n, fn, msg) => {
    expectThrow(fn, msg);
    if (!/cannot read/.test(String(msg))) expectThrow(fn, bad);
  });

  test('a tensor named __proto__ is a key, not the prototype', () => {
    const r = torch.load(st({ ['__proto__']: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(4)));
    expect(Object.keys(r)).toEqual(['__proto__']);
  });

  // BUG: `dtype in DTYPE_SIZE` accepts inherited names (lib/io/safetensors.ts parseHeader), so
  // dtype "constructor" / "toString" passes the dtype check and the error is "needs NaN bytes".
  test.each([['constructor'], ['toString'], ['__proto__']])('dtype %p is reported as an unsupported dtype', (dtype) => {
    expectThrow(() => torch.load(st({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(4))), /unsupported dtype/);
  });
});

describe('torch.save', () => {
  test.each<Case>([
    ['non-tensor value', () => torch.save({ a: 5 as any }, join(dir, 'x.st')), /torch\.save: value for "a" is not a Tensor/],
    ['null record', () => torch.save(null as any, join(dir, 'x.st')), /torch\.save: expected a record of tensors/],
    ['disposed tensor', () => { const t = torch.randn(2); t.dispose(); torch.save({ a: t }, join(dir, 'x.st')); }, /has been disposed/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  test('a failed save leaves the previous file intact', () => {
    const p = join(dir, 'keep.st');
    torch.save({ a: torch.ones(2) }, p);
    const t = torch.randn(2);
    t.dispose();
    expect(() => torch.save({ a: torch.randn(3), b: t }, p)).toThrow(/disposed/);
    expect(torch.load(p).a.toArray()).toEqual([1, 1]);
  });

  // BUG: fs errors escape raw ("ENOENT: no such file or directory, open '.../x.st.tmp-1234'"): the
  // message names a temp file the user never asked for and not torch.save.
  test('saving into a missing directory names torch.save and the path', () => {
    expectThrow(() => torch.save({ a: torch.randn(2) }, join(dir, 'no', 'x.st')), /^torch\.save: .*no[/\\]x\.st/);
  });
  // BUG: when the final rename fails (target is a directory) the temp file is left behind
  // (lib/io/safetensors.ts save(): no cleanup of `${path}.tmp-${pid}`).
  test('a failed rename leaves no temp file behind', () => {
    const sub = join(dir, 'rename');
    mkdirSync(sub);
    mkdirSync(join(sub, 'target'));
    expect(() => torch.save({ a: torch.randn(2) }, join(sub, 'target'))).toThrow();
    expect(readdirSync(sub)).toEqual(['target']);
  });
});

describe('readIdx', () => {
  const readIdx = (p: string) => TD.readIdx(p);
  const bad = /readIdx: .* is not a valid IDX file: /;
  test.each<[string, number[] | Buffer, RegExp]>([
    ['2 bytes', [0, 0], /file is only 2 bytes/],
    ['wrong magic', [1, 0, 8, 1, 0, 0, 0, 1, 5], /wrong magic number 0x01000801/],
    ['unknown type code', [0, 0, 7, 1, 0, 0, 0, 1, 5], /unknown data type code 0x07/],
    ['zero dims', [0, 0, 8, 0], /zero dimensions/],
    ['truncated data', [0, 0, 8, 1, 0, 0, 0, 5, 5], /dims \[5\] of ubyte need 13 bytes but the file has 9 \(truncated\?\)/],
    ['truncated header', [0, 0, 8, 3, 0, 0, 0, 5], /header declares 3 dims but the file ends after 8 bytes/],
    ['dims 2^32-1 x 2^32-1', [0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255, 5], /dims \[4294967295, 4294967295\] of ubyte need/],
    ['trailing data (gzip)', gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 5, 6])), /trailing data/],
    ['float dims x 2^32-1 on an 8-byte type', [0, 0, 0x0e, 1, 255, 255, 255, 255], /of double need/],
  ])('%s', (_n, bytes, msg) => {
    const p = file(bytes as any);
    expectThrow(() => readIdx(p), msg);
    expectThrow(() => readIdx(p), bad);
  });

  test('corrupt gzip', () => {
    expectThrow(() => readIdx(file([0x1f, 0x8b, 8, 0, 1, 2, 3])), /readIdx: .* is a corrupt or truncated gzip file/);
  });
  test('missing file', () => {
    expectThrow(() => readIdx(join(dir, 'nope')), /readIdx: cannot read .*ENOENT/);
  });
  test('a zero-size dim reads as an empty tensor', () => {
    expect(readIdx(file([0, 0, 8, 2, 0, 0, 0, 0, 255, 255, 255, 255])).shape).toEqual([0, 4294967295]);
  });
});
