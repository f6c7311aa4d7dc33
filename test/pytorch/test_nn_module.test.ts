/**
 * Port of the Module-core tests of PyTorch's test/test_nn.py (class TestNN), test by test.
 * `nn.Buffer(t, persistent)` (PyTorch 2.5) maps to `registerBuffer(name, t, persistent)`;
 * `assertRaises(KeyError)` to a thrown error. Tests that cannot apply are listed in README.md.
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

const names = (named: Iterable<[string, unknown]>) => [...named].map(([k]) => k);

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

describe('TestNN (Module core)', () => {
  test('test_parameters_and_named_parameters', () => {
    const [l, n, s] = createBasicNet();
    expect([...l.parameters()].length).toBe(1);
    expect(names(l.namedParameters())).toEqual(['layer_dummy_param']);
    expect([...n.parameters()].length).toBe(2);
    // class fields register in declaration order: l1 is declared before dummy_param here, so the
    // order of PyTorch's __init__ (dummy_param assigned after l1) is kept
    expect(names(n.namedParameters())).toEqual(['dummy_param', 'l1.layer_dummy_param']);
    expect([...n.parameters({ recurse: false })].length).toBe(1);
    expect(names(n.namedParameters({ recurse: false }))).toEqual(['dummy_param']);
    expect([...s.parameters()].length).toBe(2);
    expect(names(s.namedParameters())).toEqual(['0.dummy_param', '0.l1.layer_dummy_param']);
  });

  test('test_named_parameters_remove_duplicate', () => {
    class M1 extends nn.Module {
      param1 = new nn.Parameter(torch.empty(3, 3));
      param2 = this.param1;
    }
    const m1 = new M1();
    expect(names(m1.namedParameters())).toEqual(['param1']);
    expect(names(m1.namedParameters({ removeDuplicate: false }))).toEqual(['param1', 'param2']);
    class M2 extends nn.Module {
      mod1 = new nn.Linear(3, 4, { bias: false });
      mod2 = this.mod1;
    }
    const m2 = new M2();
    expect(names(m2.namedParameters())).toEqual(['mod1.weight']);
    expect(names(m2.namedParameters({ removeDuplicate: false }))).toEqual(['mod1.weight', 'mod2.weight']);
  });

  test('test_buffers_and_named_buffers', () => {
    const [l, n, s] = createBasicNet();
    expect([...l.buffers()].length).toBe(1);
    expect(names(l.namedBuffers())).toEqual(['layer_dummy_buf']);
    expect([...n.buffers()].length).toBe(2);
    expect(names(n.namedBuffers())).toEqual(['dummy_buf', 'l1.layer_dummy_buf']);
    expect([...n.buffers({ recurse: false })].length).toBe(1);
    expect(names(n.namedBuffers({ recurse: false }))).toEqual(['dummy_buf']);
    expect([...s.buffers()].length).toBe(2);
    expect(names(s.namedBuffers())).toEqual(['0.dummy_buf', '0.l1.layer_dummy_buf']);
    class M extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('buffer1', torch.empty(3, 5));
        this.registerBuffer('buffer2', (this as any).buffer1);
      }
    }
    const m = new M();
    expect(names(m.namedBuffers())).toEqual(['buffer1']);
    expect(names(m.namedBuffers({ removeDuplicate: false }))).toEqual(['buffer1', 'buffer2']);
  });

  test('test_children', () => {
    const [l1, l2, l3, l4] = [0, 1, 2, 3].map(() => new nn.Linear(2, 2));
    const subnet = new nn.Sequential(l3, l4);
    const s = new nn.Sequential<nn.Module>(l1, l2, l1, l2, subnet);
    expect([...s.children()]).toEqual([l1, l2, subnet]);
  });

  test('test_train_errors_for_invalid_mode', () => {
    class SubclassNet extends nn.Module {
      l1 = new nn.Linear(2, 2);
      forward(x: Tensor): Tensor {
        return this.l1(x);
      }
    }
    // torch.device('cpu') has no JS counterpart; an object stands in for a non-boolean mode
    for (const mode of ['invalid_str', { type: 'cpu' }]) {
      for (const module of [new SubclassNet(), new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2))]) {
        expect(() => module.train(mode as never)).toThrow('training mode is expected to be boolean');
      }
    }
  });

  test('test_repr', () => {
    expect(String(new nn.Sequential())).toBe('Sequential()');
    const linear = new nn.Linear(1, 1);
    expect(String(linear)).toBe('Linear(in_features=1, out_features=1, bias=True)');
    expect(String(new nn.Sequential(linear))).toBe('Sequential(\n  (0): Linear(in_features=1, out_features=1, bias=True)\n)');
  });

  test('test_named_children', () => {
    const [l1, l2, l3, l4] = [0, 1, 2, 3].map(() => new nn.Linear(2, 2));
    const subnet = new nn.Sequential(l3, l4);
    const s = new nn.Sequential<nn.Module>();
    expect(() => s.addModule('', l1)).toThrow('module name can\'t be empty string ""');
    expect(() => s.addModule('name.with.dot', l1)).toThrow('module name can\'t contain ".", got: name.with.dot');
    s.addModule('layer1', l1);
    s.addModule('layer2', l2);
    s.addModule('layer3', l1);
    s.addModule('layer4', l2);
    s.addModule('subnet', subnet);
    expect([...s.namedChildren()]).toEqual([['layer1', l1], ['layer2', l2], ['subnet', subnet]]);
  });

  test('test_modules', () => {
    const l = new nn.Linear(10, 20);
    class Net extends nn.Module {
      l1 = l;
      l2 = l;
      param = torch.empty(3, 5);
    }
    const n = new Net();
    const s = new nn.Sequential(n, n, n, n);
    expect([...s.modules()]).toEqual([s, n, l]);
  });

  test('test_named_modules', () => {
    const l = new nn.Linear(10, 20), l1 = new nn.Linear(10, 20), l2 = new nn.Linear(10, 20);
    const block = new nn.Sequential();
    block.addModule('linear1', l1);
    block.addModule('linear2', l2);
    class Net extends nn.Module {
      l1 = l;
      l2 = l;
      param = torch.empty(3, 5);
      block = block;
    }
    const n = new Net();
    const s = new nn.Sequential(n, n);
    const pairs = (it: Iterable<[string, nn.Module]>) => [...it];
    expect(pairs(s.namedModules())).toEqual([
      ['', s], ['0', n], ['0.l1', l], ['0.block', block], ['0.block.linear1', l1], ['0.block.linear2', l2],
    ]);
    expect(pairs(s.namedModules({ removeDuplicate: false }))).toEqual([
      ['', s], ['0', n], ['0.l1', l], ['0.l2', l], ['0.block', block], ['0.block.linear1', l1], ['0.block.linear2', l2],
      ['1', n], ['1.l1', l], ['1.l2', l], ['1.block', block], ['1.block.linear1', l1], ['1.block.linear2', l2],
    ]);
  });

  test('test_register_buffer_raises_error_if_name_is_not_string', () => {
    const m = new nn.Module();
    expect(() => m.registerBuffer(1 as never, torch.rand(5))).toThrow(TypeError);
    expect(() => m.registerBuffer(1 as never, torch.rand(5))).toThrow(/buffer name should be a string. Got number/);
    expect(() => m.registerBuffer(null as never, torch.rand(5))).toThrow(/buffer name should be a string. Got NoneType/);
  });

  test('test_register_buffer_raises_error_if_attr_exists', () => {
    const m: any = new nn.Module();
    m.attribute_name = 5;
    expect(() => m.registerBuffer('attribute_name', torch.rand(5))).toThrow(/attribute 'attribute_name' already exists/);
    delete m.attribute_name;
    m.registerParameter('attribute_name', new nn.Parameter(torch.empty(0)));
    expect(() => m.registerBuffer('attribute_name', torch.rand(5))).toThrow(/attribute 'attribute_name' already exists/);
    delete m.attribute_name;
    m.addModule('attribute_name', new nn.Module());
    expect(() => m.registerBuffer('attribute_name', torch.rand(5))).toThrow(/attribute 'attribute_name' already exists/);
  });

  test('test_register_buffer_raises_error_if_not_tensor', () => {
    const m = new nn.Module();
    expect(() => m.registerBuffer('attribute_name', 5 as never)).toThrow(TypeError);
  });

  test('test_register_buffer_allows_overwriting_with_same_name', () => {
    const m: any = new nn.Module();
    const buffer1 = torch.rand(5);
    const buffer2 = buffer1.add(5);
    m.registerBuffer('buffer_name', buffer1);
    expect(m.buffer_name).toBe(buffer1);
    m.registerBuffer('buffer_name', buffer2);
    expect(m.buffer_name).toBe(buffer2);
    m.registerBuffer('buffer_name', null);
    expect(m.buffer_name).toBeNull();
  });

  test('test_get_buffer', () => {
    const m: any = new nn.Module();
    const buffer1 = torch.randn(2, 3), buffer2 = torch.randn(4, 5);
    m.registerBuffer('foo', buffer1);
    m.registerBuffer('bar', buffer2);
    expect(m.getBuffer('foo')).toBe(buffer1);
    expect(m.getBuffer('bar')).toBe(buffer2);
  });

  test('test_get_buffer_from_submodules', () => {
    class SubSub extends nn.Module {
      constructor(bar: Tensor) {
        super();
        this.registerBuffer('bar', bar);
      }
    }
    class Sub extends nn.Module {
      subsub: SubSub;
      constructor(foo: Tensor, bar: Tensor) {
        super();
        this.registerBuffer('foo', foo);
        this.subsub = new SubSub(bar);
      }
    }
    class MyModule extends nn.Module {
      sub: Sub;
      constructor(foo: Tensor, bar: Tensor) {
        super();
        this.sub = new Sub(foo, bar);
      }
    }
    const foo = torch.randn(2, 3), bar = torch.randn(4, 5);
    const m = new MyModule(foo, bar);
    expect(m.getBuffer('sub.foo')).toBe(foo);
    expect(m.getBuffer('sub.subsub.bar')).toBe(bar);
  });

  test('test_buffer_not_persistent', () => {
    const m = new nn.Module();
    m.registerBuffer('buf', torch.rand(5), false);
    expect([...m.buffers()].length).toBe(1);
    expect(Object.keys(m.stateDict()).length).toBe(0);
  });

  test('test_buffer_not_persistent_del', () => {
    const m: any = new nn.Module();
    m.registerBuffer('buf', torch.rand(5), false);
    delete m.buf;
    expect([...m.buffers()].length).toBe(0);
  });

  test('test_buffer_not_persistent_overwrite', () => {
    const m = new nn.Module();
    m.registerBuffer('buf', torch.rand(5), false);
    m.registerBuffer('buf', torch.rand(5));
    expect([...m.buffers()].length).toBe(1);
    expect(Object.keys(m.stateDict()).length).toBe(1);
    m.registerBuffer('buf', torch.rand(5), false);
    expect([...m.buffers()].length).toBe(1);
    expect(Object.keys(m.stateDict()).length).toBe(0);
  });

  test('test_buffer_not_persistent_assign', () => {
    const m: any = new nn.Module();
    m.registerBuffer('buf', torch.rand(5), false);
    expect([...m.buffers()].length).toBe(1);
    expect(Object.keys(m.stateDict()).length).toBe(0);
    // assigning null empties the buffer; a tensor assigned later is still a non-persistent buffer
    m.buf = null;
    expect([...m.buffers()].length).toBe(0);
    expect(Object.keys(m.stateDict()).length).toBe(0);
    m.buf = torch.rand(5);
    expect([...m.buffers()].length).toBe(1);
    expect(Object.keys(m.stateDict()).length).toBe(0);
    // assigning a Parameter removes the buffer
    m.buf = new nn.Parameter(torch.rand(5));
    expect([...m.buffers()].length).toBe(0);
    expect(Object.keys(m.stateDict()).length).toBe(1);
  });

  test('test_buffer_not_persistent_load', () => {
    const m = new nn.Module();
    m.registerBuffer('buf', torch.rand(5), false);
    expect(() => m.loadStateDict({})).not.toThrow();
  });

  test('test_register_parameter_raises_error_if_name_is_not_string', () => {
    const m = new nn.Module();
    expect(() => m.registerParameter(1 as never, new nn.Parameter(torch.empty(0)))).toThrow(/parameter name should be a string. Got number/);
    expect(() => m.registerParameter(null as never, new nn.Parameter(torch.empty(0)))).toThrow(/parameter name should be a string. Got NoneType/);
  });

  test('test_register_parameter_raises_error_if_attr_exists', () => {
    const m: any = new nn.Module();
    m.attribute_name = 5;
    expect(() => m.registerParameter('attribute_name', new nn.Parameter(torch.empty(0)))).toThrow(/already exists/);
    delete m.attribute_name;
    m.registerBuffer('attribute_name', torch.rand(5));
    expect(() => m.registerParameter('attribute_name', new nn.Parameter(torch.empty(0)))).toThrow(/already exists/);
    delete m.attribute_name;
    m.addModule('attribute_name', new nn.Module());
    expect(() => m.registerParameter('attribute_name', new nn.Parameter(torch.empty(0)))).toThrow(/already exists/);
  });

  test('test_register_parameter_allows_overwriting_with_same_name', () => {
    const m: any = new nn.Module();
    const param1 = new nn.Parameter(torch.rand(5));
    const param2 = new nn.Parameter(param1.detach().add(5));
    m.registerParameter('param_name', param1);
    expect(m.param_name).toBe(param1);
    m.registerParameter('param_name', param2);
    expect(m.param_name).toBe(param2);
    m.registerParameter('param_name', null);
    expect(m.param_name).toBeNull();
  });

  test('test_add_module_raises_error_if_attr_exists', () => {
    for (const fn of ['addModule', 'registerModule']) {
      const m: any = new nn.Module();
      m.attribute_name = 5;
      expect(() => m[fn]('attribute_name', new nn.Module())).toThrow(/already exists/);
      delete m.attribute_name;
      m.registerBuffer('attribute_name', torch.rand(5));
      expect(() => m[fn]('attribute_name', new nn.Module())).toThrow(/already exists/);
      delete m.attribute_name;
      m.registerParameter('attribute_name', new nn.Parameter(torch.empty(0)));
      expect(() => m[fn]('attribute_name', new nn.Module())).toThrow(/already exists/);
    }
  });
});
