/**
 * Port of the Module-state tests of PyTorch's test/test_nn.py (class TestNN): requires_grad_,
 * to / type conversions, zero_grad, no_grad, state_dict and its `_metadata`, extra state,
 * attribute assignment, deepcopy. Python idioms as in docs/nn-module.md: `getattr(m, k)` →
 * `m[k]`, `del m.a` → `delete m.a`, `t.data_ptr()` → the same storage at the same offset,
 * `m.__dict__` (a plain, unregistered attribute) → a property that no registry holds.
 * torchlet's dtypes are float32 / int64 / bool: the float64, float16 and bfloat16 lines of
 * these tests are left out (noted where they are).
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

type Dyn = nn.Module & Record<string, any>;
const Parameter = nn.Parameter;

// common_nn._create_basic_net
function createBasicNet(): [nn.Module, nn.Module, nn.Sequential] {
  class Layer extends nn.Module {
    layer_dummy_param = new nn.Parameter(torch.empty(3, 5));
    constructor() {
      super();
      this.registerBuffer('layer_dummy_buf', torch.zeros(1, 3, 3, 7));
    }
  }
  class Net extends nn.Module {
    l1 = new Layer();
    dummy_param = new nn.Parameter(torch.empty(3, 5));
    constructor() {
      super();
      this.registerBuffer('dummy_buf', torch.zeros(7, 3, 3, 1));
    }
  }
  const l = new Layer();
  const n = new Net();
  return [l, n, new nn.Sequential(n, n)];
}

function expectEqualTensor(a: Tensor, b: Tensor, atol = 0): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.storage, y = b.storage;
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(atol);
}

/** `a.data_ptr() == b.data_ptr()`: the same storage at the same element offset. */
function samePtr(a: Tensor, b: Tensor): boolean {
  return a._storage === b._storage && a._offset === b._offset;
}

/** PyTorch's `v in m.__dict__`: a plain attribute, in none of the module's registries. */
function inDict(m: nn.Module, k: string): boolean {
  return k in m && !m._parameters.has(k) && !m._buffers.has(k) && !m._modules.has(k);
}

describe('TestNN (Module state)', () => {
  test('test_requires_grad_', () => {
    const m = createBasicNet()[2];
    expect([...m.buffers()].length).toBeGreaterThan(0);
    expect([...m.buffers()].every((b) => !b.requiresGrad)).toBe(true);
    expect([...m.parameters()].length).toBeGreaterThan(0);
    expect([...m.parameters()].every((p) => p.requiresGrad)).toBe(true);
    for (const requiresGrad of [false, true]) {
      expect(m.requiresGrad_(requiresGrad)).toBe(m);
      for (const p of m.parameters()) expect(p.requiresGrad).toBe(requiresGrad);
      for (const b of m.buffers()) expect(b.requiresGrad).toBe(false);
    }
  });

  test('test_to', () => {
    const m = new nn.Linear(3, 5);
    expect(m.to('cpu')).toBe(m);
    expect(m.to('cpu', { dtype: 'float32' })).toBe(m);
    // self.assertEqual(m.double(), m.to(torch.float64)): no float64 dtype in torchlet
    expect(() => m.to('cpu', { copy: true })).toThrow(Error);
    // the CUDA half of the test does not apply (CPU only)
  });

  test('test_zero_grad', () => {
    const i = torch.randn([2, 5], { requiresGrad: true });
    const module = new nn.Linear(5, 5);
    for (const p of module.parameters()) p.requiresGrad = false;
    module.zeroGrad();

    module.weight.requiresGrad = true;
    module.zeroGrad();
    expect(module.weight.grad).toBeNull(); // uninitialized grad

    module(i).sum().backward();
    expect(module.weight.grad).not.toBeNull();
    expect(module.weight.grad!.detach().abs().sum().item()).toBeGreaterThan(0);
    module.zeroGrad();
    expect(module.weight.grad).toBeNull();

    module.bias!.requiresGrad = true;
    module.zeroGrad();
    expect(module.weight.grad).toBeNull();
    expect(module.bias!.grad).toBeNull();
    module(i).sum().backward();
    expect(module.weight.grad).not.toBeNull();
    expect(module.bias!.grad).not.toBeNull();
    expect(module.weight.grad!.detach().abs().sum().item()).toBeGreaterThan(0);
    expect(module.bias!.grad!.detach().abs().sum().item()).toBeGreaterThan(0);
    module.zeroGrad({ setToNone: false }); // Force set to zeros.
    expectEqualTensor(module.weight.grad!.detach(), module.weight.detach().clone().zero_());
    expectEqualTensor(module.bias!.grad!.detach(), module.bias!.detach().clone().zero_());

    module.zeroGrad();
    expect(module.weight.grad).toBeNull();
    expect(module.bias!.grad).toBeNull();
  });

  test('test_no_grad', () => {
    // PyTorch loops over bfloat16, float and double: float32 here
    const module = new nn.Conv2d(2, 5, 3, { padding: 1 });
    const input = torch.randn(1, 2, 10, 10);
    const x = input;
    const y = input.clone();
    const output = module(x);
    expect(output.requiresGrad).toBe(true);
    output.backward(torch.ones(1, 5, 10, 10));
    torch.noGrad(() => {
      const output2 = module(y);
      expect(output2.requiresGrad).toBe(false);
      expect(() => output2.backward(torch.ones(1, 5, 10, 10))).toThrow();
    });
  });

  test('test_module_to_argparse', () => {
    const net = new nn.Sequential(new nn.Linear(3, 3));
    const cpu = 'cpu';
    const to = net.to.bind(net) as (...a: unknown[]) => unknown;
    expect(() => to(cpu, true)).toThrow(TypeError);
    expect(() => to('int64')).toThrow(TypeError);
    expect(() => to(null, true)).toThrow(TypeError);
    expect(() => to(cpu, 'int64', true)).toThrow(TypeError);
    expect(() => to(cpu, { dtype: 'int64', nonBlocking: true })).toThrow(TypeError);
    expect(() => to([])).toThrow(TypeError);
    expect(() => to({}, { nonBlocking: true })).toThrow(TypeError);
    expect(() => to(torch.tensor(3n), { nonBlocking: true })).toThrow(TypeError);
    expect(() => to(cpu, torch.tensor(3n), { nonBlocking: true })).toThrow(TypeError);
  });

  test('test_module_apply_inplace_op', () => {
    const addOneInplace = (t: Tensor) => t.add_(1.0);
    // Test that applying an in-place operation to a module would bump the module's parameters'
    // version counter.
    let m = new nn.Linear(20, 10);
    const pvm = m.weight.mul(m.weight);
    const mWeightVersionSaved = m.weight._version;
    m = m._applyTensors(addOneInplace);
    expect(m.weight._version).toBeGreaterThan(mWeightVersionSaved);
    expect(() => pvm.backward(torch.randn(10, 20))).toThrow(/modified by an inplace operation/);

    // Test that applying an in-place operation to a module would bump the module's parameters'
    // gradients' version counter.
    m = new nn.Linear(20, 10);
    m.weight.grad = torch.randn(10, 20).requiresGrad_();
    const pgm = m.weight.grad.mul(m.weight.grad);
    const mWeightGradVersionSaved = m.weight.grad._version;
    m = m._applyTensors(addOneInplace);
    expect(m.weight.grad!._version).toBeGreaterThan(mWeightGradVersionSaved);
    expect(() => pgm.backward(torch.randn(10, 20))).toThrow(/modified by an inplace operation/);
  });

  test('test_type', () => {
    const l = new nn.Linear(10, 20);
    const net = new nn.Module() as Dyn;
    net.l = l;
    net.l2 = l;
    net.addModule('empty', null);
    net.registerBuffer('indices', torch.tensor([0], { dtype: 'int64' }));
    net.float();
    expect(l.weight.dtype).toBe('float32');
    expect(l.bias!.dtype).toBe('float32');
    expect(net.indices.dtype).toBe('int64');
    // net.double() / net.to(torch.half) and their checks: no float64 / float16 in torchlet
    net.to('cpu', { nonBlocking: true });
    expect(l.weight.dtype).toBe('float32');
    expect(l.bias!.dtype).toBe('float32');
    expect(net.indices.dtype).toBe('int64');
    net.to('float32');
    expect(l.weight.dtype).toBe('float32');
    expect(l.bias!.dtype).toBe('float32');
    // net.to(torch.DoubleTensor(1)): the tensor form, with torchlet's floating dtype
    net.to(torch.zeros(1));
    expect(l.weight.dtype).toBe('float32');
    expect(l.bias!.dtype).toBe('float32');
    expect(net.indices.dtype).toBe('int64');
  });

  test('test_state_dict', () => {
    let l = new nn.Linear(5, 5);
    const block = new nn.Module() as Dyn;
    block.conv = new nn.Conv2d(3, 3, 3, { bias: false });
    const net = new nn.Module() as Dyn;
    net.linear1 = l;
    net.linear2 = l;
    net.bn = new nn.BatchNorm2d(2);
    net.block = block;
    net.addModule('empty', null);

    let stateDict = net.stateDict();
    const meta = (stateDict as unknown as { _metadata: nn.StateDictMetadata })._metadata;
    expect(Object.keys(stateDict).length).toBe(10);
    expect(Object.keys(meta).length).toBe(6);
    expect(meta).toHaveProperty(['']);
    expect(meta).toHaveProperty(['linear1']);
    expect(stateDict).toHaveProperty(['linear1.weight']);
    expect(stateDict).toHaveProperty(['linear1.bias']);
    expect(meta).toHaveProperty(['linear2']);
    expect(stateDict).toHaveProperty(['linear2.weight']);
    expect(stateDict).toHaveProperty(['linear2.bias']);
    expect(meta).toHaveProperty(['block']);
    expect(meta).toHaveProperty(['block.conv']);
    expect(stateDict).toHaveProperty(['block.conv.weight']);
    expect(stateDict).not.toHaveProperty(['block.conv.bias']);
    expect(meta).toHaveProperty(['bn']);
    expect(stateDict).toHaveProperty(['bn.weight']);
    expect(stateDict).toHaveProperty(['bn.bias']);
    expect(stateDict).toHaveProperty(['bn.running_var']);
    expect(stateDict).toHaveProperty(['bn.running_mean']);
    expect(stateDict).toHaveProperty(['bn.num_batches_tracked']);
    expect(Object.keys(stateDict).some((k) => k.startsWith('empty'))).toBe(false);
    for (const [k, v] of Object.entries(stateDict)) {
      let param: any = net;
      for (const component of k.split('.')) param = param[component];
      expect(samePtr(v, param)).toBe(true);
    }

    l = new nn.Linear(5, 5);
    stateDict = l.stateDict();
    const lmeta = (stateDict as unknown as { _metadata: nn.StateDictMetadata })._metadata;
    expect(Object.keys(stateDict).length).toBe(2);
    expect(Object.keys(lmeta).length).toBe(1);
    expect(lmeta).toHaveProperty(['']);
    expect(lmeta[''].version as number).toBeGreaterThanOrEqual(0);
    expect(samePtr(stateDict.weight, l.weight)).toBe(true);
    expect(samePtr(stateDict.bias, l.bias!)).toBe(true);

    const w = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      l.stateDict({ destination: {} });
      expect(w).not.toHaveBeenCalled(); // Should not warn kwarg destination w/o _metadata
    } finally {
      w.mockRestore();
    }
  });

  test('test_extra_state', () => {
    class SubModule extends nn.Module {
      constructor(public foo: unknown) {
        super();
      }
      getExtraState(): unknown {
        return { foo: this.foo };
      }
      setExtraState(state: { foo: unknown }): void {
        this.foo = state.foo;
      }
    }
    class MyModule extends nn.Module {
      sub: SubModule;
      constructor(foo: unknown, public bar: unknown) {
        super();
        this.sub = new SubModule(foo);
      }
      getExtraState(): unknown {
        return { bar: this.bar };
      }
      setExtraState(state: { bar: unknown }): void {
        this.bar = state.bar;
      }
    }
    // Ensure state_dict contains the extra state by loading it into another module.
    const m = new MyModule(3, 'something');
    const m2 = new MyModule(5, 'something else');
    m2.loadStateDict(m.stateDict());
    expect(m.stateDict()).toEqual(m2.stateDict());
    expect(m2.bar).toBe(m.bar);
    expect(m2.sub.foo).toBe(m.sub.foo);
  });

  test('test_extra_state_non_dict', () => {
    class MyModule extends nn.Module {
      constructor(public foo: unknown) {
        super();
      }
      getExtraState(): unknown {
        return this.foo;
      }
      setExtraState(state: unknown): void {
        this.foo = state;
      }
    }
    // Test various types of extra state.
    for (const state of ['something', 5, new MyModule(3)]) {
      const m = new MyModule(state);
      const m2 = new MyModule('something else');
      m2.loadStateDict(m.stateDict());
      const a = m.stateDict() as Record<string, unknown>, b = m2.stateDict() as Record<string, unknown>;
      expect(Object.keys(a)).toEqual(Object.keys(b));
      for (const k of Object.keys(a)) expect(a[k]).toBe(b[k]);
      expect(m.foo).toBe(m2.foo);
    }
  });

  test('test_extra_state_missing_set_extra_state', () => {
    class MyModule extends nn.Module {
      getExtraState(): unknown {
        return { foo: 5 };
      }
    }
    const m = new MyModule();
    expect(() => m.loadStateDict(m.stateDict())).toThrow(/Unexpected key/);
  });

  test('test_extra_state_missing_get_extra_state', () => {
    class MyModule extends nn.Module {
      setExtraState(): void {}
    }
    const m = new MyModule();
    expect(() => m.loadStateDict(m.stateDict())).toThrow(/Missing key/);
  });

  test('test_parameter_assignment', () => {
    const l = new nn.Linear(5, 5) as nn.Linear & Record<string, any>;
    const numParams = () => [...l.parameters()].length;
    expect(numParams()).toBe(2);

    const newParam = new Parameter(torch.randn(5, 5));
    l.param_name = newParam;
    expect(numParams()).toBe(3);
    expect([...l.parameters()]).toContain(newParam);

    const v = torch.randn(5, 5);
    l.var_name = v;
    expect(numParams()).toBe(3);
    expect([...l.parameters()].includes(v as nn.Parameter)).toBe(false);

    // Make sure Variables are not saved as parameters
    l.variable_attr = torch.empty(5, 5);
    expect(numParams()).toBe(3);
    l.param_attr = new Parameter(torch.empty(5, 5));
    expect(numParams()).toBe(4);

    // It shouldn't be possible to replace a parameter with a Variable
    expect(() => {
      l.param_attr = torch.empty(5, 5);
    }).toThrow(TypeError);
    // But replacing it with None should be fine
    l.param_attr = null;
    expect(numParams()).toBe(3);
  });

  test('test_assignment', () => {
    const l = new nn.Module() as Dyn;
    const a = new Parameter(torch.randn(2)), b = new Parameter(torch.randn(3)), c = new Parameter(torch.randn(4));
    const q = new nn.Linear(4, 4), r = new nn.Linear(5, 5), w = new nn.Linear(6, 6);

    function testAssignments(getList: () => unknown[], a: unknown, b: unknown, c: unknown): void {
      // Check that None can be shadowed
      l.a = null;
      expect(l.a).toBeNull();
      expect(inDict(l, 'a')).toBe(true);
      l.a = a;
      expect(l.a).toBe(a);
      expectSameList(getList(), [a]);
      expect(inDict(l, 'a')).toBe(false);

      // Assign second object
      l.b = null;
      expect(l.b).toBeNull();
      expect(inDict(l, 'b')).toBe(true);
      l.b = b;
      expect(l.b).toBe(b);
      expectSameList(getList(), [a, b]);
      expect(inDict(l, 'b')).toBe(false);

      // Remove and add the object back. Order should be unchanged.
      l.a = null;
      expect(l.a).toBeNull();
      expectSameList(getList(), [b]);
      l.a = a;
      expect(l.a).toBe(a);
      expectSameList(getList(), [a, b]);

      // Replace object with another one. Order should be unchanged.
      l.a = c;
      expect(l.a).toBe(c);
      expectSameList(getList(), [c, b]);

      // Remove and reassign an attribute. It should appear at the end of the list now.
      delete l.a;
      expect('a' in l).toBe(false);
      l.a = a;
      expect(l.a).toBe(a);
      expectSameList(getList(), [b, a]);
    }
    const expectSameList = (x: unknown[], y: unknown[]) => {
      expect(x.length).toBe(y.length);
      x.forEach((v, i) => expect(v).toBe(y[i]));
    };

    testAssignments(() => [...l.parameters()], a, b, c);
    delete l.a;
    delete l.b;
    expect([...l.parameters()]).toEqual([]);

    testAssignments(() => [...l.children()], q, r, w);
    delete l.a;
    delete l.b;
    expect([...l.children()]).toEqual([]);

    // buf = Buffer(torch.randn(10)); l.buf = buf → registerBuffer (nn.Buffer is PyTorch 2.5)
    const buf = torch.randn(10);
    l.registerBuffer('buf', buf);
    expect(l.buf).toBe(buf);
    l.buf = null;
    expect(l.buf).toBe(null);
    expect(inDict(l, 'buf')).toBe(false); // should be stored in l._buffers
    l.buf = buf;
    expect(l.stateDict()).toHaveProperty(['buf']);
    expectEqualTensor(l.stateDict().buf, buf);
  });

  test('test_container_copy', () => {
    class Model extends nn.Module {
      linear = new nn.Linear(4, 5);
      forward(input: Tensor): Tensor {
        return this.linear(input);
      }
    }
    const input = torch.randn(2, 4);
    const model = new Model();
    const modelCp = model.deepcopy();
    expectEqualTensor(model(input).detach(), modelCp(input).detach());
    torch.noGrad(() => modelCp.linear.weight.fill_(2));
    const a = model(input).detach().storage, b = modelCp(input).detach().storage;
    expect([...a].some((v, i) => v !== b[i])).toBe(true);
  });

  test('test_parameterlistdict_setting_attributes', () => {
    const w = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      let mod: nn.Module = new nn.ParameterList([torch.rand(2), torch.rand(2)].map((t) => new Parameter(t)));
      expect(w).toHaveBeenCalledTimes(0);
      mod.train();
      mod.eval();
      expect(w).toHaveBeenCalledTimes(0);
      mod = new nn.ParameterDict({ a: new Parameter(torch.rand(2)), b: new Parameter(torch.rand(2)) });
      expect(w).toHaveBeenCalledTimes(0);
      mod.train();
      mod.eval();
      expect(w).toHaveBeenCalledTimes(0);
    } finally {
      w.mockRestore();
    }
  });
});
