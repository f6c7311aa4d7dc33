/** nn.Module core: callability, registration by assignment, traversal, mode, grads, apply. */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

class MLP extends nn.Module {
  fc1: nn.Linear;
  act: nn.ReLU;
  fc2: nn.Linear;
  constructor() {
    super();
    this.fc1 = new nn.Linear(4, 8);
    this.act = new nn.ReLU();
    this.fc2 = new nn.Linear(8, 2);
  }
  forward(x: Tensor): Tensor {
    return this.fc2(this.act(this.fc1(x)));
  }
}

describe('callable modules', () => {
  test('model(x) runs forward and type-checks against forward', () => {
    const m = new MLP();
    const y: Tensor = m(torch.randn(3, 4));
    expect(y.shape).toEqual([3, 2]);
    expect(typeof m).toBe('function');
    expect(m).toBeInstanceOf(nn.Module);
    expect(m).toBeInstanceOf(MLP);
    // @ts-expect-error forward takes a Tensor
    expect(() => m(42)).toThrow();
  });

  test('multi-argument forward with a typed result', () => {
    class Two extends nn.Module {
      forward(a: Tensor, b: number): [Tensor, number] {
        return [a.mul(b), b + 1];
      }
    }
    const [t, n] = new Two()(torch.ones(2), 3);
    expect(t.toArray()).toEqual([3, 3]);
    expect(n).toBe(4);
  });

  test('a module without forward raises PyTorch\'s message', () => {
    // a compile error too: ModuleList has no forward
    // @ts-expect-error -- ModuleList is not callable
    expect(() => new nn.ModuleList([new nn.ReLU()])(torch.ones(1))).toThrow(
      'Module [ModuleList] is missing the required "forward" function',
    );
  });

  test('name and length are free for subclasses; this is the callable everywhere', () => {
    class Named extends nn.Module {
      name: string;
      length = 3;
      seen: unknown = null;
      constructor() {
        super();
        this.name = 'mine';
      }
      forward(x: Tensor) {
        this.seen = this;
        return x;
      }
    }
    const m = new Named();
    expect(m.name).toBe('mine');
    expect(m.length).toBe(3);
    m(torch.ones(1));
    expect(m.seen).toBe(m);
  });
});

describe('registration by assignment', () => {
  test('modules and parameters register in assignment order; plain tensors do not', () => {
    class M extends nn.Module {
      b: nn.Linear;
      a: nn.Linear;
      w: nn.Parameter;
      plain: Tensor;
      constructor() {
        super();
        this.b = new nn.Linear(2, 2);
        this.w = new nn.Parameter(torch.zeros(3));
        this.plain = torch.ones(2);
        this.a = new nn.Linear(2, 1);
      }
    }
    const m = new M();
    expect([...m.namedChildren()].map(([k]) => k)).toEqual(['b', 'a']);
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(['w', 'b.weight', 'b.bias', 'a.weight', 'a.bias']);
    expect(Object.keys(m.stateDict())).not.toContain('plain');
    expect(m.plain).toBeInstanceOf(Tensor);
  });

  test('class-field initialisers register too (ES2022 [[Define]] semantics)', () => {
    class M extends nn.Module {
      fc = new nn.Linear(2, 3);
      scale = new nn.Parameter(torch.ones(1));
      declared!: nn.Linear;
      constructor() {
        super();
        this.declared = new nn.Linear(3, 1);
      }
    }
    const m = new M();
    expect([...m.namedChildren()].map(([k]) => k)).toEqual(['fc', 'declared']);
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(['scale', 'fc.weight', 'fc.bias', 'declared.weight', 'declared.bias']);
  });

  test('reassignment keeps position; null keeps the slot; kinds move', () => {
    const m = new nn.Module() as any;
    m.a = new nn.Linear(1, 1);
    m.b = new nn.ReLU();
    const t = new nn.Tanh();
    m.a = t;
    expect([...m._modules.keys()]).toEqual(['a', 'b']);
    expect(m.a).toBe(t);
    m.a = null;
    expect([...m._modules]).toEqual([['a', null], ['b', m.b]]);
    expect([...m.children()]).toEqual([m.b]);
    expect(() => { m.b = 3; }).toThrow("cannot assign 'number' as child module 'b' (torch.nn.Module or None expected)");
    m.p = new nn.Parameter(torch.ones(1));
    expect(() => { m.p = torch.ones(1); }).toThrow(
      "cannot assign 'torch.FloatTensor' as parameter 'p' (torch.nn.Parameter or None expected)",
    );
    // a parameter assigned over a module name moves it to _parameters
    m.b = new nn.Parameter(torch.ones(2));
    expect([...m._modules.keys()]).toEqual(['a']);
    expect([...m._parameters.keys()]).toEqual(['p', 'b']);
  });

  test('delete removes the registration', () => {
    const m = new MLP() as any;
    delete m.act;
    expect(m.act).toBeUndefined();
    expect([...m.namedChildren()].map(([k]: [string]) => k)).toEqual(['fc1', 'fc2']);
    m.registerBuffer('buf', torch.ones(1));
    delete m.buf;
    expect([...m.namedBuffers()]).toEqual([]);
  });

  test('registerModule / addModule / registerParameter / registerBuffer and bad names', () => {
    const m = new nn.Module();
    m.registerModule('x', new nn.ReLU());
    m.addModule('y', null);
    m.registerParameter('p', new nn.Parameter(torch.ones(1)));
    m.registerParameter('q', null);
    m.registerBuffer('rb', torch.zeros(2));
    m.registerBuffer('tmp', torch.zeros(2), false);
    expect([...m._modules.keys()]).toEqual(['x', 'y']);
    expect([...m._parameters.keys()]).toEqual(['p', 'q']);
    expect(Object.keys(m.stateDict())).toEqual(['p', 'rb']);
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(['rb', 'tmp']);

    expect(() => m.registerModule('a.b', new nn.ReLU())).toThrow('module name can\'t contain ".", got: a.b');
    expect(() => m.registerModule('', new nn.ReLU())).toThrow('module name can\'t be empty string ""');
    expect(() => m.registerParameter('a.b', null)).toThrow('parameter name can\'t contain "."');
    expect(() => m.registerParameter('', null)).toThrow('parameter name can\'t be empty string ""');
    expect(() => m.registerBuffer('a.b', null)).toThrow('buffer name can\'t contain "."');
    expect(() => m.registerBuffer('', null)).toThrow('buffer name can\'t be empty string ""');
    expect(() => m.registerParameter('x', null)).toThrow("attribute 'x' already exists");
    expect(() => m.registerBuffer('p', null)).toThrow("attribute 'p' already exists");
    expect(() => m.registerModule('forward', new nn.ReLU())).toThrow("attribute 'forward' already exists");
    expect(() => m.registerModule('z', 3 as any)).toThrow('number is not a Module subclass');
    expect(() => m.registerParameter('r', torch.ones(1) as any)).toThrow(
      "cannot assign 'torch.FloatTensor' object to parameter 'r' (torch.nn.Parameter or None required)",
    );
    expect(() => m.registerBuffer('s', 5 as any)).toThrow("cannot assign 'number' object to buffer 's' (torch Tensor or None required)");
    const bad = nn.Module.prototype as any;
    void bad;
    expect(() => { (m as any)['a.b'] = new nn.Parameter(torch.ones(1)); }).toThrow('parameter name can\'t contain "."');
    expect(() => { (m as any)[''] = new nn.ReLU(); }).toThrow('module name can\'t be empty string ""');
    try {
      m.registerParameter('a.b', null);
    } catch (e) {
      expect((e as Error).name).toBe('KeyError');
    }
  });

  test('a buffer name accepts tensors or null only', () => {
    const m = new nn.Module() as any;
    m.registerBuffer('b', torch.zeros(1));
    const t = torch.ones(1);
    m.b = t;
    expect(m._buffers.get('b')).toBe(t);
    expect(() => { m.b = 1; }).toThrow("cannot assign 'number' as buffer 'b' (torch.Tensor or None expected)");
  });

  test('Parameter wraps data as a new leaf', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const p = new nn.Parameter(x.mul(2));
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(new nn.Parameter(torch.ones(1), false).requiresGrad).toBe(false);
  });

  test('getSubmodule / getParameter / getBuffer', () => {
    const m = new nn.Sequential(new nn.Linear(1, 1), new nn.Sequential(new nn.BatchNorm2d(2)));
    expect(m.getSubmodule('1.0')).toBeInstanceOf(nn.BatchNorm2d);
    expect(m.getSubmodule('')).toBe(m);
    expect(m.getParameter('0.weight').shape).toEqual([1, 1]);
    expect(m.getBuffer('1.0.running_var').toArray()).toEqual([1, 1]);
    expect(() => m.getSubmodule('0.weight')).toThrow('`weight` is not an nn.Module');
    expect(() => m.getSubmodule('3')).toThrow('Sequential has no attribute `3`');
  });
});

describe('traversal', () => {
  test('PyTorch order and dedup by identity', () => {
    const shared = new nn.Linear(2, 2);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect([...seq.namedModules()].map(([k]) => k)).toEqual(['', '0', '1']);
    expect([...seq.namedModules(null, '', false)].map(([k]) => k)).toEqual(['', '0', '1', '2']);
    expect([...seq.namedChildren()].map(([k]) => k)).toEqual(['0', '1']);
    expect([...seq.parameters()].length).toBe(2);
    expect([...seq.namedParameters({ removeDuplicate: false })].map(([k]) => k)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect([...seq.modules()][0]).toBe(seq);
    expect([...seq.children()]).toEqual([shared, seq.get(1)]);
    expect([...seq.parameters(false)]).toEqual([]);
    expect([...seq.namedParameters('model')].map(([k]) => k)).toEqual(['model.0.weight', 'model.0.bias']);
  });
});

describe('mode, grads, apply', () => {
  test('train/eval recurse and return the module', () => {
    const m = new nn.Sequential(new nn.Linear(1, 1), new nn.Sequential(new nn.Dropout(0.5)));
    expect(m.training).toBe(true);
    expect(m.eval()).toBe(m);
    expect([...m.modules()].every((x) => x.training === false)).toBe(true);
    expect(m.train()).toBe(m);
    expect([...m.modules()].every((x) => x.training === true)).toBe(true);
    m.train(false);
    expect((m.get(1) as nn.Sequential).get(0).training).toBe(false);
    expect(() => m.train('yes' as any)).toThrow('training mode is expected to be boolean');
  });

  test('zeroGrad sets grads to null (or zeros), requiresGrad_ flips all parameters', () => {
    const m = new MLP();
    m(torch.randn(2, 4)).sum().backward();
    expect([...m.parameters()].every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad(false);
    expect([...m.parameters()].every((p) => p.grad !== null && p.grad.abs().sum().item() === 0)).toBe(true);
    m.zeroGrad();
    expect([...m.parameters()].every((p) => p.grad === null)).toBe(true);
    expect(m.requiresGrad_(false)).toBe(m);
    expect([...m.parameters()].every((p) => !p.requiresGrad)).toBe(true);
    m.requiresGrad_();
    expect([...m.parameters()].every((p) => p.requiresGrad)).toBe(true);
  });

  test('apply visits children first and returns the module', () => {
    const m = new nn.Sequential(new nn.Linear(1, 1), new nn.Sequential(new nn.ReLU(), new nn.Tanh()));
    const order: string[] = [];
    expect(m.apply((x) => order.push(x._getName()))).toBe(m);
    expect(order).toEqual(['Linear', 'ReLU', 'Tanh', 'Sequential', 'Sequential']);
  });

  test('model.forward(x) equals model(x) without hooks', () => {
    const m = new MLP();
    const x = torch.randn(2, 4);
    expect(m.forward(x).toArray()).toEqual(m(x).toArray());
  });
});

describe('containers', () => {
  test('Sequential: indexing, append/insert/delete renumber, slices keep names', () => {
    const a = new nn.Linear(1, 1), b = new nn.ReLU(), c = new nn.Tanh();
    // heterogeneous edits need the element type widened, as for a TS array
    const s = new nn.Sequential<nn.Module>(a, b);
    expect(s.length).toBe(2);
    expect((s as any)[0]).toBe(a);
    expect(s.get(-1)).toBe(b);
    s.append(c);
    expect([...s]).toEqual([a, b, c]);
    s.delete(0);
    expect([...s._modules.keys()]).toEqual(['0', '1']);
    expect((s as any)[0]).toBe(b);
    expect((s as any)[2]).toBeUndefined();
    s.insert(0, a);
    expect([...s]).toEqual([a, b, c]);
    expect([...s.slice(1)._modules.keys()]).toEqual(['1', '2']);
    expect(s.pop()).toBe(c);
    expect(() => s.get(5)).toThrow('index 5 is out of range');
    const named = new nn.Sequential(new Map<string, nn.Module>([['fc', a], ['act', b]]));
    expect([...named._modules.keys()]).toEqual(['fc', 'act']);
    expect(new nn.Sequential({ x: a }).get(0)).toBe(a);
    expect(new nn.Sequential(new nn.Linear(3, 2), new nn.Sigmoid())(torch.ones(4, 3)).shape).toEqual([4, 2]);
  });

  test('ModuleList and ModuleDict', () => {
    const a = new nn.Linear(1, 1), b = new nn.ReLU();
    const l = new nn.ModuleList<nn.Module>([a]);
    l.append(b).extend([new nn.Tanh()]);
    expect(l.length).toBe(3);
    expect(l.get(-2)).toBe(b);
    l.set(0, b);
    expect((l as any)[0]).toBe(b);
    l.insert(1, a);
    expect([...l].map((m) => m._getName())).toEqual(['ReLU', 'Linear', 'ReLU', 'Tanh']);
    expect([...l.namedModules()].map(([k]) => k)).toEqual(['', '0', '1', '3']);

    const d = new nn.ModuleDict<nn.Module>({ fc: a, act: b });
    expect(d.keys()).toEqual(['fc', 'act']);
    expect([...d]).toEqual(['fc', 'act']);
    expect(d.get('fc')).toBe(a);
    expect(d.has('act')).toBe(true);
    d.set('out', new nn.Sigmoid());
    expect(d.length).toBe(3);
    expect(d.pop('fc')).toBe(a);
    expect((d as any).fc).toBeUndefined();
    expect(d.items().map(([k]) => k)).toEqual(['act', 'out']);
    expect(() => d.set('keys', a)).toThrow("attribute 'keys' already exists");
    d.clear();
    expect(d.length).toBe(0);
  });
});

describe('printing', () => {
  test('toString and util.inspect print the PyTorch tree', () => {
    const m = new MLP();
    const expected =
      'MLP(\n  (fc1): Linear(in_features=4, out_features=8, bias=True)\n  (act): ReLU()\n' +
      '  (fc2): Linear(in_features=8, out_features=2, bias=True)\n)';
    expect(String(m)).toBe(expected);
    expect(require('util').inspect(m)).toBe(expected);
    expect(`${new nn.Linear(1, 2, { bias: false })}`).toBe('Linear(in_features=1, out_features=2, bias=False)');
  });

  test('ModuleList compresses repeated children as PyTorch 2.x does', () => {
    // PyTorch >= 2.1 ModuleList.__repr__ (container.py): runs of equal reprs print as "(i-j): n x repr".
    const l = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 2)]);
    expect(String(l)).toBe(
      'ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n' +
        '  (4): Linear(in_features=2, out_features=2, bias=True)\n)',
    );
    expect(String(new nn.ModuleList())).toBe('ModuleList()');
  });
});

describe('typing (checked by tsc -p test/tsconfig.json)', () => {
  test('hooks and calls are typed after forward', () => {
    const lin = new nn.Linear(2, 2);
    lin.registerForwardHook((m, args, out) => {
      const t: Tensor = out;
      const [x]: [Tensor] = args;
      void x;
      // @ts-expect-error output is a Tensor
      void out.notAMethod;
      return t;
    });
    lin.registerForwardPreHook((m, [x]) => x.mul(2));
    const y: Tensor = lin(torch.ones(1, 2));
    // @ts-expect-error Linear takes one Tensor
    expect(() => lin(torch.ones(1, 2), 3)).not.toThrow();
    const seq: nn.Module[] = [lin, new nn.Sequential(lin), new nn.ReLU()];
    expect(seq.length).toBe(3);
    expect(y.shape).toEqual([1, 2]);
  });
});
