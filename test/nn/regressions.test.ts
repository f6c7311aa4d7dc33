/** Regression tests for the bugs of issue 16 (found by the ported PyTorch tests). */
import { execFileSync } from 'child_process';
import { join } from 'path';
import * as torch from '../../lib';
import { nn } from '../../lib';

function gradded(): nn.Linear {
  const m = new nn.Linear(3, 2);
  m(torch.ones(1, 3)).sum().backward();
  return m;
}

describe('options objects across the module API', () => {
  test('zeroGrad({ setToNone: false }) zeroes the grads in place', () => {
    const m = gradded();
    const g = m.weight.grad!;
    m.zeroGrad({ setToNone: false });
    expect(m.weight.grad).toBe(g);
    expect(m.weight.grad!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(m.bias!.grad!.toArray()).toEqual([0, 0]);
    m.zeroGrad({ setToNone: true });
    expect(m.weight.grad).toBeNull();
    const m2 = gradded();
    m2.zeroGrad({});
    expect(m2.weight.grad).toBeNull();
    const m3 = gradded();
    m3.zeroGrad(false);
    expect(m3.weight.grad!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  test('namedModules({ removeDuplicate: false }) keeps duplicates', () => {
    const l = new nn.Linear(1, 1);
    const s = new nn.Sequential(l, l);
    expect([...s.namedModules({ removeDuplicate: false })].map(([k]) => k)).toEqual(['', '0', '1']);
    expect([...s.namedModules({ prefix: 'm' })].map(([k]) => k)).toEqual(['m', 'm.0']);
    const memo = new Set<nn.Module>([l]);
    expect([...s.namedModules({ memo })].map(([k]) => k)).toEqual(['']);
    expect([...s.namedModules(null, 'p', false)].map(([k]) => k)).toEqual(['p', 'p.0', 'p.1']);
  });

  test('namedParameters/namedBuffers/parameters/buffers take options objects too', () => {
    const bn = new nn.BatchNorm2d(2);
    const s = new nn.Sequential(bn, bn);
    expect([...s.namedParameters({ prefix: 'x' })].map(([k]) => k)).toEqual(['x.0.weight', 'x.0.bias']);
    expect([...s.namedParameters({ removeDuplicate: false })].map(([k]) => k)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect([...s.namedParameters({ recurse: false })]).toEqual([]);
    expect([...s.namedBuffers({ prefix: 'b', recurse: true })].map(([k]) => k)).toEqual([
      'b.0.running_mean', 'b.0.running_var', 'b.0.num_batches_tracked',
    ]);
    expect([...s.parameters({ recurse: false })]).toEqual([]);
    expect([...s.buffers({ recurse: true })].length).toBe(3);
  });
});

test('strict loadStateDict reports a key with an unknown suffix as unexpected (PyTorch 2.x)', () => {
  const m = new nn.Sequential(new Map([['fc1', new nn.Linear(2, 2)]]));
  const sd = m.stateDict();
  sd['fc1.weight.bad_suffix'] = torch.zeros(1);
  expect(() => m.loadStateDict(sd)).toThrow(
    'Error(s) in loading state_dict for Sequential:\n\tUnexpected key(s) in state_dict: "fc1.weight.bad_suffix". ',
  );
  const r = m.loadStateDict(sd, { strict: false });
  expect(r.unexpectedKeys).toEqual(['fc1.weight.bad_suffix']);
  expect(r.missingKeys).toEqual([]);
});

describe('hook register/remove cycles retain nothing', () => {
  const script = join(__dirname, 'scripts', 'hook-cycles.js');
  // The JS heap after full GCs, per cycle: a retained entry would be >= 16 bytes per cycle.
  for (const kind of ['forward', 'prepend', 'backward', 'global', 'registration', 'stateDict', 'called']) {
    test(kind, () => {
      const out = execFileSync(process.execPath, ['--expose-gc', script, kind, '100000'], { encoding: 'utf8' });
      const r = JSON.parse(out) as { bytesPerCycle: number; sizes: number };
      expect(r.bytesPerCycle).toBeLessThan(2);
      expect(r.sizes).toBe(1);
    }, 30000);
  }
});

test('ParameterDict/ModuleDict.update of a tensor or a module throws instead of registering its fields', () => {
  const pd = new nn.ParameterDict();
  expect(() => pd.update(new nn.Parameter(torch.ones(2)) as never)).toThrow(
    'ParametersDict.update should be called with an iterable of key/value pairs, but got torch.FloatTensor',
  );
  expect(pd.length).toBe(0);
  const md = new nn.ModuleDict();
  expect(() => md.update(new nn.ReLU() as never)).toThrow(TypeError);
  expect(md.length).toBe(0);
});

test('container indices: a 0-dim int64 tensor indexes, other tensors are refused by name', () => {
  const a = new nn.ReLU(), b = new nn.Tanh();
  const s = new nn.Sequential(a, b);
  expect(s.at(torch.tensor(1n))).toBe(b);
  expect(() => s.at(torch.tensor([1], { dtype: 'int64' }))).toThrow('index must be an integer or a 0-dim int64 tensor, got a int64 tensor of shape [1]');
  expect(() => s.at(torch.tensor(1))).toThrow(TypeError);
  expect([...s.slice(null, null, -1)]).toEqual([b, a]);
  expect(() => s.slice(0, 2, 0)).toThrow('slice step must be a non-zero integer, got 0');
});

test('Module.to refuses arguments PyTorch refuses instead of ignoring them', () => {
  const net = new nn.Linear(2, 2);
  const to = net.to.bind(net) as (...a: unknown[]) => unknown;
  expect(() => to([])).toThrow('to() received an invalid combination of arguments: expected a dtype, a device, a tensor or an options object, got Array');
  expect(() => to('cpu', true)).toThrow('to(): the second argument must be an options object ({ dtype, device, nonBlocking }), got boolean');
  expect(() => to('cpu', 'float32', true)).toThrow('to() takes a dtype, a device or a tensor, then an options object; got 3 arguments');
  expect(() => to(torch.tensor(1n))).toThrow('nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.int64');
  expect(() => to('cuda')).toThrow("to: only the 'cpu' device exists in torchlet, got 'cuda'");
  expect(net.to('cpu', { dtype: 'float32', nonBlocking: true })).toBe(net);
});

test('_applyTensors runs fn under no_grad and on the grads (PyTorch _apply)', () => {
  const m = new nn.Linear(2, 2);
  m.weight.grad = torch.ones(2, 2);
  const w0 = m.weight.storage[0];
  m._applyTensors((t) => t.add_(1)); // an in-place op on a leaf that requires grad: allowed under no_grad
  expect(m.weight.storage[0]).toBeCloseTo(w0 + 1, 6);
  expect([...m.weight.grad!.storage]).toEqual([2, 2, 2, 2]);
  expect(m.weight.requiresGrad).toBe(true);
});

test('stateDict carries PyTorch _metadata (non-enumerable) and loadStateDict passes it to hooks', () => {
  const m = new nn.Sequential(new nn.Linear(2, 2));
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(['0.weight', '0.bias']);
  expect((sd as unknown as { _metadata: unknown })._metadata).toEqual({ '': { version: 1 }, '0': { version: 1 } });
  const seen: unknown[] = [];
  m[0].registerLoadStateDictPreHook((_mod, _sd, _prefix, meta) => void seen.push(meta));
  (sd as unknown as { _metadata: nn.StateDictMetadata })._metadata['0'].version = 7;
  m.loadStateDict(sd);
  expect(seen).toEqual([{ version: 7 }]);
  m.loadStateDict({ ...sd });  // a copy without metadata: {}
  expect(seen[1]).toEqual({});
});

test('deepcopy keeps the hooks (PyTorch copies the hook dicts); removing the original handle leaves the copy its hook', () => {
  const m = new nn.Linear(2, 2);
  const fired: string[] = [];
  const h = m.registerForwardHook((mod) => void fired.push(mod === m ? 'orig' : 'copy'));
  m.registerLoadStateDictPostHook(() => void fired.push('post'));
  const c = m.deepcopy();
  c(torch.ones(1, 2));
  expect(fired).toEqual(['copy']);
  h.remove();
  m(torch.ones(1, 2));
  c(torch.ones(1, 2));
  expect(fired).toEqual(['copy', 'copy']);
  c.loadStateDict(c.stateDict());
  expect(fired).toEqual(['copy', 'copy', 'post']);
});

test("Module.to('half') names the dtype, not a device", () => {
  expect(() => new nn.Linear(1, 1).to('half')).toThrow("to: unknown dtype or device 'half' (torchlet's floating dtype is 'float32')");
});
