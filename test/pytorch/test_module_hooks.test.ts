/**
 * Port of PyTorch's test/nn/test_module_hooks.py, test by test (same names, same assertions).
 * Tests that cannot apply to JavaScript are listed in test/pytorch/README.md with the reason.
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

class Net extends nn.Module {
  seq1 = new nn.Sequential(new nn.Linear(10, 10), new nn.Linear(10, 10));
  seq2 = new nn.Sequential(new nn.Linear(10, 10), new nn.Linear(10, 10));
  forward(x: Tensor): Tensor {
    return this.seq2(this.seq1(x));
  }
}

class ToyModel extends nn.Module {
  net1 = new Net();
  net2 = new Net();
  forward(x: Tensor): Tensor {
    return this.net2(this.net1(x));
  }
}

// The partial(...) helpers of the Python file: record the id, check module identity and arity.
const forwardHook = (fired: number[], expected: nn.Module, id: number) => (m: nn.Module, inp: unknown[]) => {
  fired.push(id);
  expect(m).toBe(expected);
  expect(inp.length).toBe(1);
};
const fullBackwardHook = (fired: number[], expected: nn.Module, id: number) => (m: nn.Module, gi: unknown[], go: unknown[]) => {
  fired.push(id);
  expect(m).toBe(expected);
  expect(gi.length).toBe(1);
  expect(go.length).toBe(1);
};
const fullBackwardPreHook = (fired: number[], expected: nn.Module, id: number) => (m: nn.Module, gi: unknown[]) => {
  fired.push(id);
  expect(m).toBe(expected);
  expect(gi.length).toBe(1);
};

// forward(x, bias=None): the keyword argument is the trailing options object in JavaScript.
class KwargModel extends nn.Module {
  net1 = new Net();
  net2 = new Net();
  forward(x: Tensor, kwargs: { bias?: Tensor } = {}): Tensor {
    if (kwargs.bias !== undefined) x = x.add(kwargs.bias);
    return x;
  }
  internalForwardHook(_m: nn.Module, _args: unknown[], kwargs: Record<string, any>, out: Tensor): Tensor {
    return out.add(kwargs.bias);
  }
}

const kwargForwardPreHook = (fired: number[], expected: nn.Module, id: number) =>
  (m: nn.Module, args: any[], kwargs: Record<string, any>) => {
    fired.push(id);
    expect(m).toBe(expected);
    expect(args.length).toBe(1);
    kwargs.bias = kwargs.bias.mul(2);
    return [args, kwargs];
  };
const kwargForwardHook = (fired: number[], expected: nn.Module, id: number) =>
  (m: nn.Module, args: any[], kwargs: Record<string, any>, out: Tensor) => {
    fired.push(id);
    expect(m).toBe(expected);
    expect(args.length).toBe(1);
    return out.add(kwargs.bias);
  };

function expectEqualTensor(a: Tensor, b: Tensor, atol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.storage, y = b.storage;
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(atol);
}

describe('TestModuleHooks', () => {
  test('test_forward_hooks', () => {
    const fired: number[] = [];
    const model = new ToyModel();
    const x = torch.randn(10, 10);
    const target = model.net1.seq2;
    const hook = (id: number) => forwardHook(fired, target, id);
    target.registerForwardHook(hook(0));
    target.registerForwardHook(hook(1), { prepend: true });
    target.registerForwardHook(hook(2));
    target.registerForwardHook(hook(3));
    target.registerForwardHook(hook(4), { prepend: true });
    const expected = [4, 1, 0, 2, 3];
    expect(fired).toEqual([]);
    const out = model(x);
    expect(fired).toEqual(expected);
    out.sum().backward();
    expect(fired).toEqual(expected);
    model(x).sum().backward();
    expect(fired).toEqual([...expected, ...expected]);
  });

  test('test_forward_pre_hooks', () => {
    const fired: number[] = [];
    const model = new ToyModel();
    const x = torch.randn(10, 10);
    const target = model.net2.seq1;
    const hook = (id: number) => forwardHook(fired, target, id);
    target.registerForwardPreHook(hook(0), { prepend: true });
    target.registerForwardPreHook(hook(1));
    target.registerForwardPreHook(hook(2));
    target.registerForwardPreHook(hook(3));
    target.registerForwardPreHook(hook(4), { prepend: true });
    const expected = [4, 0, 1, 2, 3];
    expect(fired).toEqual([]);
    const out = model(x);
    expect(fired).toEqual(expected);
    out.sum().backward();
    expect(fired).toEqual(expected);
    model(x).sum().backward();
    expect(fired).toEqual([...expected, ...expected]);
  });

  test('test_full_backward_hooks', () => {
    const fired: number[] = [];
    const model = new ToyModel();
    const x = torch.randn(10, 10);
    const hook = (id: number) => fullBackwardHook(fired, model.net1, id);
    model.net1.registerFullBackwardHook(hook(0));
    model.net1.registerFullBackwardHook(hook(1));
    model.net1.registerFullBackwardHook(hook(2));
    model.net1.registerFullBackwardHook(hook(3), { prepend: true });
    model.net1.registerFullBackwardHook(hook(4), { prepend: true });
    const expected = [4, 3, 0, 1, 2];
    expect(fired).toEqual([]);
    const out = model(x);
    expect(fired).toEqual([]);
    out.sum().backward();
    expect(fired).toEqual(expected);
    model(x).sum().backward();
    expect(fired).toEqual([...expected, ...expected]);
  });

  test('test_full_backward_pre_hooks', () => {
    const fired: number[] = [];
    const model = new ToyModel();
    const x = torch.randn(10, 10);
    const hook = (id: number) => fullBackwardPreHook(fired, model.net1, id);
    model.net1.registerFullBackwardPreHook(hook(0), { prepend: true });
    model.net1.registerFullBackwardPreHook(hook(1), { prepend: true });
    model.net1.registerFullBackwardPreHook(hook(2));
    model.net1.registerFullBackwardPreHook(hook(3));
    model.net1.registerFullBackwardPreHook(hook(4));
    const expected = [1, 0, 2, 3, 4];
    expect(fired).toEqual([]);
    const out = model(x);
    expect(fired).toEqual([]);
    out.sum().backward();
    expect(fired).toEqual(expected);
    model(x).sum().backward();
    expect(fired).toEqual([...expected, ...expected]);

    // a backward pre-hook can affect the subsequent gradient computation
    const a = torch.ones([2], { requiresGrad: true });
    const lin = new nn.Linear(2, 2);
    lin.registerFullBackwardPreHook((_m, gradOutput) => [(gradOutput[0] as Tensor).mul(0)]);
    lin(a).sum().backward();
    expectEqualTensor(a.grad as Tensor, torch.zerosLike(a), 0);
  });

  test('test_mixed_hooks', () => {
    const fired: number[] = [];
    const model = new ToyModel();
    const x = torch.randn(10, 10);
    model.registerForwardPreHook(forwardHook(fired, model, 0));
    model.registerForwardHook(forwardHook(fired, model, 1));
    model.registerFullBackwardPreHook(fullBackwardPreHook(fired, model, 2));
    model.registerFullBackwardHook(fullBackwardHook(fired, model, 3));
    expect(fired).toEqual([]);
    const out = model(x);
    expect(fired).toEqual([0, 1]);
    out.sum().backward();
    expect(fired).toEqual([0, 1, 2, 3]);
    model(x).sum().backward();
    expect(fired).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  test('test_kwarg_hooks', () => {
    // 1. forward pre-hook: bias' = 2 * bias, so out = x + 2 * bias
    let fired: number[] = [];
    let x = torch.ones(10, 10);
    let bias = torch.ones(10, 10);
    let model = new KwargModel();
    model.registerForwardPreHook(kwargForwardPreHook(fired, model, 0), { withKwargs: true });
    expect(fired).toEqual([]);
    let out = model(x, { bias });
    expect(fired).toEqual([0]);
    expectEqualTensor(out, x.add(bias.mul(2)));

    // 2. pre and post hooks: out = x + 4 * bias
    fired = [];
    x = torch.ones(10, 10);
    bias = torch.ones(10, 10);
    model = new KwargModel();
    model.registerForwardHook(kwargForwardHook(fired, model, 1), { withKwargs: true });
    model.registerForwardPreHook(kwargForwardPreHook(fired, model, 0), { withKwargs: true });
    expect(fired).toEqual([]);
    out = model(x, { bias });
    expect(fired).toEqual([0, 1]);
    expectEqualTensor(out, x.add(bias.mul(4)));

    // 3. a method of the module as forward hook: out = x + 2 * bias
    x = torch.ones(10, 10);
    bias = torch.ones(10, 10);
    model = new KwargModel();
    model.registerForwardHook(model.internalForwardHook.bind(model), { withKwargs: true });
    out = model(x, { bias });
    expectEqualTensor(out, x.add(bias.mul(2)));
  });

  test('test_remove_kwarg_hooks', () => {
    const fired: number[] = [];
    const x = torch.ones(10, 10);
    const bias = torch.ones(10, 10);
    const model = new KwargModel();
    const fwdHandle = model.registerForwardHook(kwargForwardHook(fired, model, 1), { withKwargs: true });
    const preHandle = model.registerForwardPreHook(kwargForwardPreHook(fired, model, 0), { withKwargs: true });
    expect(fired).toEqual([]);
    let out = model(x, { bias });
    expect(fired).toEqual([0, 1]);
    expectEqualTensor(out, x.add(bias.mul(4)));

    fwdHandle.remove();
    out = model(x, { bias });
    expect(fired).toEqual([0, 1, 0]);
    expectEqualTensor(out, x.add(bias.mul(2)));
    expect(model._hookState.forwardWithKwargs.has(fwdHandle.id)).toBe(false);

    preHandle.remove();
    out = model(x, { bias });
    expect(fired).toEqual([0, 1, 0]);
    expectEqualTensor(out, x.add(bias));
    expect(model._hookState.forwardPreWithKwargs.has(preHandle.id)).toBe(false);
  });
});

function sdEqual(a: Map<string, unknown> | Record<string, Tensor>, b: Record<string, Tensor>): void {
  const entries = a instanceof Map ? [...a] : Object.entries(a);
  expect(entries.map(([k]) => k)).toEqual(Object.keys(b));
  for (const [k, v] of entries) expectEqualTensor(v as Tensor, b[k], 0);
}

describe('TestStateDictHooks', () => {
  test('test_load_state_dict_pre_hook', () => {
    // torchlet has only the with_module=True form: the hook always gets the module first
    const m = new nn.Linear(10, 10);
    const mSd = m.stateDict();
    const mLoad = new nn.Linear(10, 10);
    let hookCalled = 0;
    mLoad.registerLoadStateDictPreHook((module, stateDict) => {
      sdEqual(stateDict, mSd);
      expect(module).toBe(mLoad);
      hookCalled++;
    });
    mLoad.loadStateDict(mSd);
    expect(hookCalled).toBe(1);
    hookCalled = 0;
    mLoad.registerLoadStateDictPreHook((module, stateDict) => {
      sdEqual(stateDict, mSd);
      expect(module).toBe(mLoad);
      hookCalled++;
    });
    mLoad.loadStateDict(mSd);
    expect(hookCalled).toBe(2);
  });

  test('test_load_state_dict_module_pre_hook', () => {
    let hookCalled = 0;
    class MyModule extends nn.Module {
      foo = new nn.Parameter(torch.rand(10));
      myPreLoadHookWithModule(module: nn.Module, _sd: unknown, _prefix: string, _meta: unknown, strict: boolean,
        missing: string[], unexpected: string[], errors: string[]): void {
        expect(errors).toEqual([]);
        expect(unexpected).toEqual([]);
        expect(missing).toEqual([]);
        expect(strict).toBe(true);
        expect(this).toBe(module);
        hookCalled++;
      }
    }
    class MyModuleContainer extends nn.Module {
      constructor(public mod: MyModule) {
        super();
      }
    }
    for (const ctor of [(x: MyModule) => new MyModuleContainer(x), (x: MyModule) => x]) {
      const m = ctor(new MyModule());
      const sd = m.stateDict();
      const mod = m instanceof MyModuleContainer ? m.mod : (m as MyModule);
      hookCalled = 0;
      mod.registerLoadStateDictPreHook(mod.myPreLoadHookWithModule.bind(mod) as never);
      m.loadStateDict(sd);
      expect(hookCalled).toBe(1);
      hookCalled = 0;
      mod.registerLoadStateDictPreHook(mod.myPreLoadHookWithModule.bind(mod) as never);
      m.loadStateDict(sd);
      expect(hookCalled).toBe(2);
    }
  });

  test('test_load_state_dict_post_hook', () => {
    let hookCalled = 0;
    class MyModule extends nn.Module {
      foo = new nn.Parameter(torch.rand(10));
      myPostLoadHook(module: nn.Module, incompatible: nn.IncompatibleKeys): void {
        expect(module).toBe(this);
        incompatible.missingKeys.push('foo');
        incompatible.unexpectedKeys.push('bar');
        hookCalled++;
      }
    }
    const nested = new MyModule();
    const wrapped = new nn.ModuleList([nested]);
    const handle = nested.registerLoadStateDictPostHook(nested.myPostLoadHook.bind(nested));
    let ret = wrapped.loadStateDict(wrapped.stateDict(), { strict: false });
    expect(hookCalled).toBe(1);
    expect(ret.missingKeys).toEqual(['foo']);
    expect(ret.unexpectedKeys).toEqual(['bar']);
    expect(() => wrapped.loadStateDict(wrapped.stateDict(), { strict: true })).toThrow(/foo.*\n.*bar/);
    expect(hookCalled).toBe(2);
    handle.remove();
    ret = wrapped.loadStateDict(wrapped.stateDict(), { strict: false });
    expect(ret.missingKeys).toEqual([]);
    expect(ret.unexpectedKeys).toEqual([]);
    expect(hookCalled).toBe(2);

    nested.registerLoadStateDictPostHook((_m, incompatible) => {
      incompatible.missingKeys.length = 0;
      incompatible.unexpectedKeys.length = 0;
    });
    const sd = wrapped.stateDict();
    sd.extra = torch.ones(1);
    ret = wrapped.loadStateDict(sd, { strict: true });
    expect(ret.missingKeys).toEqual([]);
    expect(ret.unexpectedKeys).toEqual([]);
  });
});

describe('TestModuleGlobalHooks', () => {
  const handles: { remove(): void }[] = [];
  afterEach(() => {
    // tearDown: the global hook dictionaries are emptied
    for (const h of handles.splice(0)) h.remove();
  });

  test('test_module_global_forward_preforward_hook_writeable', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const sigX = torch.sigmoid(input.detach());
    handles.push(nn.registerModuleForwardPreHook((_m, inp) => torch.relu(inp[0])));
    handles.push(nn.registerModuleForwardHook((_m, _inp, out) => (out as Tensor).neg()));
    const output = module(input);
    const expectedRes = torch.sigmoid(torch.relu(input.detach())).neg();
    expectEqualTensor(output, expectedRes);
    output.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    const x = input.detach().storage, s = sigX.storage, g = (input.grad as Tensor).storage;
    for (let i = 0; i < x.length; i++) {
      const want = x[i] > 0 ? -s[i] * (1 - s[i]) * 2 : 0;
      expect(Math.abs(g[i] - want)).toBeLessThanOrEqual(1e-5);
    }
  });

  test('test_module_forward_preforward_hook_removable', () => {
    const module = new nn.Sigmoid();

    const handle: nn.RemovableHandle = module.registerForwardPreHook((_m, input) => { handle.remove(); return input; });
    const handle2: nn.RemovableHandle = module.registerForwardPreHook((_m, input) => { handle2.remove(); return input; });
    // handle.hooks_dict_ref() is the module's forward pre-hook dictionary
    const dict = module._hookState.forwardPre;
    expect(dict.size).toBe(2);
    const input = torch.randn(2, 2);
    expectEqualTensor(module(input), torch.sigmoid(input), 0);
    expect(dict.has(handle.id)).toBe(false);
    expect(dict.has(handle2.id)).toBe(false);
    expect(dict.size).toBe(0);
  });

  test('test_module_forward_forward_hook_removable', () => {
    const module = new nn.Sigmoid();

    const handle: nn.RemovableHandle = module.registerForwardHook((_m, _i, out) => { handle.remove(); return out; });
    const handle2: nn.RemovableHandle = module.registerForwardHook((_m, _i, out) => { handle2.remove(); return out; });
    const dict = module._hookState.forward;
    expect(dict.size).toBe(2);
    const input = torch.randn(2, 2);
    expectEqualTensor(module(input), torch.sigmoid(input), 0);
    expect(dict.has(handle.id)).toBe(false);
    expect(dict.has(handle2.id)).toBe(false);
    expect(dict.size).toBe(0);
  });
});

describe('TestModuleHooks', () => {
  test('test_bw_hook_warning_for_non_tensor_or_tuple', () => {
    // Test to verify that backward hook raises warning if result is not a Tensor or tuple of Tensors.
    const counter = { forward: 0, backward: 0 };
    const fwPreHook = () => void counter.forward++;
    const fwHook = () => void counter.forward++;
    const bwHook = () => void counter.backward++;
    // The dict argument is a trailing plain object: forward receives it last, as PyTorch passes it.
    class TestModule extends nn.Module {
      forward(dict: { x: Tensor }): { x: Tensor } {
        const inp = dict.x;
        const x = torch.nn.functional.softmax(inp, 0);
        return { x };
      }
    }
    const x = torch.ones([2], { requiresGrad: true });
    const model = new TestModule();
    model.registerForwardPreHook(fwPreHook);
    model.registerForwardHook(fwHook);
    model.registerFullBackwardPreHook(bwHook);
    model.registerFullBackwardHook(bwHook);

    const w = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const y = model({ x }).x;
      const loss = y.sum();
      loss.backward();
      expect(counter.forward).toBe(2);
      expect(counter.backward).toBe(0);
      expect(w).toHaveBeenCalledTimes(1);
      expect(String(w.mock.calls[0][0])).toContain('should be a Tensor or a tuple of Tensors');
    } finally {
      w.mockRestore();
    }
  });
});

// torchlet has only the full backward hooks (API.md). The tests below that PyTorch writes with
// the deprecated non-full `register_backward_hook` / `register_module_backward_hook` use the
// full ones: on a one-node module (Sigmoid) both see the same grad_input and grad_output.
describe('TestModuleGlobalHooks', () => {
  const handles: { remove(): void }[] = [];
  afterEach(() => {
    for (const h of handles.splice(0)) h.remove();
  });
  const keep = <H extends { remove(): void }>(h: H): H => (handles.push(h), h);
  const e = 1 / (1 + 1 / Math.E);

  test('test_module_global_hooks', () => {
    const module = nn.Sigmoid;
    const module1 = new module(), module2 = new module(), module3 = new module();
    const input = torch.ones([5, 5], { requiresGrad: true });
    const counter = { forwards: 0, backwards: 0 };
    const fwHook = (inc: number) => (hModule: nn.Module, inp: unknown[], output: unknown) => {
      expect(Array.isArray(inp)).toBe(true);
      expect(output).toBeInstanceOf(Tensor);
      expect(hModule).toBeInstanceOf(module);
      expectEqualTensor(inp[0] as Tensor, torch.ones(5, 5), 0);
      expectEqualTensor(output as Tensor, torch.full([5, 5], e));
      counter.forwards += inc;
    };
    const bwHook = (inc: number) => (hModule: nn.Module, gradInput: unknown[], gradOutput: (Tensor | null)[]) => {
      expect(Array.isArray(gradInput)).toBe(true);
      expect(Array.isArray(gradOutput)).toBe(true);
      expect(hModule).toBeInstanceOf(module);
      expectEqualTensor(gradOutput[0]!, torch.ones(5, 5).mul(2), 0);
      counter.backwards += inc;
    };
    const testFwd = keep(nn.registerModuleForwardHook(fwHook(1)));
    module1(input);
    module2(input);
    module3(input);
    expect(counter.forwards).toBe(3);
    expect(counter.backwards).toBe(0);

    const testBwd = keep(nn.registerModuleFullBackwardHook(bwHook(1)));
    const output1 = module1(input), output2 = module2(input), output3 = module3(input);
    expect(counter.forwards).toBe(6);
    expect(counter.backwards).toBe(0);

    output1.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    output2.backward(torch.ones(5, 5).mul(2), { retainGraph: false });
    output3.backward(torch.ones(5, 5).mul(2), { retainGraph: false });
    expect(counter.forwards).toBe(6);
    expect(counter.backwards).toBe(3);

    output1.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    expect(counter.forwards).toBe(6);
    expect(counter.backwards).toBe(4);

    const test2Fwd = keep(nn.registerModuleForwardHook(fwHook(2)));
    module1(input);
    module2(input);
    module3(input);
    expect(counter.forwards).toBe(15);
    expect(counter.backwards).toBe(4);

    const test2Bwd = keep(nn.registerModuleFullBackwardHook(bwHook(2)));
    module1(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(18);
    expect(counter.backwards).toBe(7);

    test2Bwd.remove();
    module2(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(21);
    expect(counter.backwards).toBe(8);

    test2Fwd.remove();
    module3(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(22);
    expect(counter.backwards).toBe(9);

    testFwd.remove();
    testBwd.remove();
  });

  test('test_module_global_hook_invalid_outputs', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const bwFail1 = (_m: nn.Module, gradInput: unknown[]) => gradInput.slice(0, -1) as Tensor[];
    const bwFail2 = (_m: nn.Module, gradInput: unknown[]) => [...gradInput, torch.randn(2, 2)] as Tensor[];
    {
      using _h = nn.registerModuleFullBackwardHook(bwFail1);
      expect(() => module(input).sum().backward()).toThrow(/got 0, but expected 1/);
    }
    {
      using _h = nn.registerModuleFullBackwardHook(bwFail2);
      expect(() => module(input).sum().backward()).toThrow(/got 2, but expected 1/);
    }
  });

  test('test_module_backward_global_hook_writeable', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const sigX = torch.sigmoid(input.detach());
    keep(nn.registerModuleFullBackwardHook((_m, gradInput, gradOutput) => {
      for (const g of gradInput) expect(g).toBeInstanceOf(Tensor);
      for (const g of gradOutput) expect(g).toBeInstanceOf(Tensor);
      return gradInput.map((gi) => gi!.mul(2));
    }));
    module(input).backward(torch.ones(5, 5));
    const expectedGrad = sigX.mul(sigX.neg().add(1)).mul(2);
    expectEqualTensor(input.grad as Tensor, expectedGrad);
  });

  test('test_global_and_local_hooks_order', () => {
    const module = new nn.Sigmoid();
    let globalForwardPreCalled = false, localForwardPreCalled = false;
    let globalForwardCalled = false, localForwardCalled = false;
    let globalBackwardCalled = false, localBackwardCalled = false;
    const input = torch.randn([5, 5], { requiresGrad: true });
    keep(nn.registerModuleForwardPreHook((_m, inp) => {
      expect(!localForwardPreCalled).toBe(true);
      globalForwardPreCalled = true;
      return inp;
    }));
    keep(module.registerForwardPreHook((_m, inp) => {
      expect(globalForwardPreCalled).toBe(true);
      localForwardPreCalled = true;
      return inp;
    }));
    keep(nn.registerModuleForwardHook((_m, _inp, out) => {
      expect(!localForwardCalled).toBe(true);
      globalForwardCalled = true;
      return out;
    }));
    keep(module.registerForwardHook((_m, _inp, out) => {
      expect(globalForwardCalled).toBe(true);
      localForwardCalled = true;
      return out;
    }));
    keep(nn.registerModuleFullBackwardHook((_m, inp) => {
      expect(!localBackwardCalled).toBe(true);
      globalBackwardCalled = true;
      return inp;
    }));
    keep(module.registerFullBackwardHook((_m, inp) => {
      expect(globalBackwardCalled).toBe(true);
      localBackwardCalled = true;
      return inp;
    }));
    const output = module(input);
    expect(localForwardCalled && localForwardPreCalled && globalForwardCalled && globalForwardPreCalled).toBe(true);
    output.backward(torch.ones(5, 5), { retainGraph: true });
    expect(localBackwardCalled && globalBackwardCalled).toBe(true);
  });
});

// common_nn._create_basic_net
function createBasicNet(): [nn.Module, nn.Module, nn.Sequential] {
  class Layer extends nn.Module {
    layer_dummy_param = new nn.Parameter(torch.empty(3, 5));
    constructor() {
      super();
      this.registerBuffer('layer_dummy_buf', torch.zeros(1, 3, 3, 7));
    }
  }
  class BasicNet extends nn.Module {
    l1 = new Layer();
    dummy_param = new nn.Parameter(torch.empty(3, 5));
    constructor() {
      super();
      this.registerBuffer('dummy_buf', torch.zeros(7, 3, 3, 1));
    }
  }
  const l = new Layer();
  const n = new BasicNet();
  return [l, n, new nn.Sequential(n, n)];
}

describe('TestModuleHookNN', () => {
  function testHooks(backwardRegisterFn: 'registerFullBackwardHook' | 'registerFullBackwardPreHook'): void {
    const module = new nn.Sigmoid();
    const input = torch.ones([5, 5], { requiresGrad: true });
    const counter = { forwards: 0, backwards: 0 };
    const fwHook = (inc: number) => (hModule: nn.Module, inp: unknown[], output: unknown) => {
      expect(Array.isArray(inp)).toBe(true);
      expect(output).toBeInstanceOf(Tensor);
      expect(hModule).toBe(module);
      expectEqualTensor(inp[0] as Tensor, torch.ones(5, 5), 0);
      expectEqualTensor(output as Tensor, torch.full([5, 5], 1 / (1 + 1 / Math.E)));
      counter.forwards += inc;
    };
    const bwHook = (inc: number) => (hModule: nn.Module, gradInput: unknown[], gradOutput: (Tensor | null)[]) => {
      expect(Array.isArray(gradInput)).toBe(true);
      expect(Array.isArray(gradOutput)).toBe(true);
      expect(hModule).toBe(module);
      expectEqualTensor(gradOutput[0]!, torch.ones(5, 5).mul(2), 0);
      counter.backwards += inc;
    };
    // backward_pre_hook expects callback with only `module` and `grad_output` as arguments.
    const bwPreHook = (inc: number) => (hModule: nn.Module, gradOutput: (Tensor | null)[]) => {
      expect(Array.isArray(gradOutput)).toBe(true);
      expect(hModule).toBe(module);
      expectEqualTensor(gradOutput[0]!, torch.ones(5, 5).mul(2), 0);
      counter.backwards += inc;
    };
    const register = (inc: number) =>
      backwardRegisterFn === 'registerFullBackwardPreHook'
        ? module.registerFullBackwardPreHook(bwPreHook(inc))
        : module.registerFullBackwardHook(bwHook(inc));

    const testFwd = module.registerForwardHook(fwHook(1));
    module(input);
    module(input);
    expect(counter.forwards).toBe(2);
    expect(counter.backwards).toBe(0);

    const testBwd = register(1);
    let output = module(input);
    expect(counter.forwards).toBe(3);
    expect(counter.backwards).toBe(0);

    output.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    expect(counter.forwards).toBe(3);
    expect(counter.backwards).toBe(1);

    output.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    expect(counter.forwards).toBe(3);
    expect(counter.backwards).toBe(2);

    const test2Fwd = module.registerForwardHook(fwHook(2));
    output = module(input);
    expect(counter.forwards).toBe(6);
    expect(counter.backwards).toBe(2);

    const test2Bwd = register(2);
    module(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(9);
    expect(counter.backwards).toBe(5);

    test2Bwd.remove();
    module(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(12);
    expect(counter.backwards).toBe(6);

    test2Fwd.remove();
    module(input).backward(torch.ones(5, 5).mul(2));
    expect(counter.forwards).toBe(13);
    expect(counter.backwards).toBe(7);

    testFwd.remove();
    testBwd.remove();
  }

  test('test_hooks', () => {
    // PyTorch also runs the deprecated register_backward_hook variant (not offered by torchlet)
    testHooks('registerFullBackwardHook');
    testHooks('registerFullBackwardPreHook');
  });

  test('test_hook_cpp', () => {
    const bn = new nn.BatchNorm1d(5);
    let calls = 0;
    bn.registerFullBackwardHook((module, gradInputs, gradOutputs) => {
      expect(gradInputs.length).toBe(1);
      expect(gradOutputs.length).toBe(1);
      expect(module).toBe(bn);
      calls++;
    });
    const output = bn(torch.randn([5, 5], { requiresGrad: true }));
    output.sum().backward();
    expect(calls).toBe(1);
  });

  test('test_backward_hooks_interaction', () => {
    // the grad_outputs updated by full_backward_pre_hook are received by the full_backward_hook
    const module = new nn.Sigmoid();
    const cnt = { backward_cnt: 0 };
    module.registerFullBackwardPreHook((_m, gradOutput) => {
      cnt.backward_cnt += 1;
      return [gradOutput[0]!.mul(0.5)];
    });
    module.registerFullBackwardHook((_m, _gradIn, gradOutput) => {
      expectEqualTensor(torch.fullLike(gradOutput[0]!, 0.5), gradOutput[0]!, 0);
      cnt.backward_cnt += 1;
      return gradOutput;
    });
    const t = torch.ones([1, 2], { requiresGrad: true });
    module(t).sum().backward();
    expect(cnt.backward_cnt).toBe(2);
  });

  test('test_hook_invalid_outputs', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const bwFail1 = (_m: nn.Module, gradInput: unknown[]) => gradInput.slice(0, -1) as Tensor[];
    const bwFail2 = (_m: nn.Module, gradInput: unknown[]) => [...gradInput, torch.randn(2, 2)] as Tensor[];
    {
      using _h = module.registerFullBackwardHook(bwFail1);
      expect(() => module(input).sum().backward()).toThrow(/got 0, but expected 1/);
    }
    {
      using _h = module.registerFullBackwardHook(bwFail2);
      expect(() => module(input).sum().backward()).toThrow(/got 2, but expected 1/);
    }
    const bwPreFail1 = () => [] as Tensor[];
    const bwPreFail2 = (_m: nn.Module, gradOutput: unknown[]) => [...gradOutput, torch.randn(2, 2)] as Tensor[];
    {
      using _h = module.registerFullBackwardPreHook(bwPreFail1);
      expect(() => module(input).sum().backward()).toThrow(/got 0, but expected 1/);
    }
    {
      using _h = module.registerFullBackwardPreHook(bwPreFail2);
      expect(() => module(input).sum().backward()).toThrow(/got 2, but expected 1/);
    }
  });

  test('test_hook_requires_grad', () => {
    class MyModule extends nn.Module {
      forward(arg1: Tensor, arg2: Tensor, arg3: Tensor): Tensor {
        expect(arg1.requiresGrad).toBe(true);
        expect(arg2.requiresGrad).toBe(false);
        expect(arg3.requiresGrad).toBe(true);
        return arg1.sum().add(arg2.sum()).add(arg3.sum());
      }
    }
    const inp = torch.rand([2], { requiresGrad: true });
    const mod = new MyModule();
    mod(inp, inp.detach(), inp);
    // Ensure that requires grad is properly propagated
    mod.registerFullBackwardHook(() => undefined);
    mod(inp, inp.detach(), inp);
  });

  test('test_hook_no_requires_grad', () => {
    const mod = new nn.Linear(2, 3);
    const inp = torch.rand(1, 2);
    let returnVal = 'None';
    const hookCalled = [0];
    mod.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      hookCalled[0] += 1;
      for (const gI of gradInput) expect(gI).toBeNull();
      for (const gO of gradOutput) expect(gO!.size()).toEqual([1, 3]);
      if (returnVal === 'grad_input') return gradInput;
      // If the inputs were requiring gradients, this would be a valid return
      if (returnVal === 'invalid') return [inp];
      if (returnVal === 'None') return undefined;
      throw new Error('Invalid return_val string');
    });
    // This should run and trigger the hook properly
    mod(inp).sum().backward();
    expect(hookCalled[0]).toBe(1);
    returnVal = 'grad_input';
    mod(inp).sum().backward();
    expect(hookCalled[0]).toBe(2);
    returnVal = 'invalid';
    expect(() => mod(inp).sum().backward()).toThrow(/where no input requires gradient/);
  });

  test('test_hook_last_arg_requires_grad', () => {
    const mod = new nn.L1Loss();
    const inp = torch.rand([1], { requiresGrad: true });
    mod.registerFullBackwardHook(() => undefined);
    expect(() => mod(inp.detach(), inp)).not.toThrow();
  });

  test('test_hook_extra_input', () => {
    class MyModule extends nn.Module {
      forward(nonTensor: boolean, tensor: Tensor): [Tensor, boolean] {
        return [tensor.clone(), nonTensor];
      }
    }
    const inp = torch.rand([2], { requiresGrad: true });
    const mod = new MyModule();
    let calls = 0;
    mod.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      expect(gradInput[0]).toBeNull();
      expect(gradInput[1]).toBeInstanceOf(Tensor);
      expect(gradOutput[0]).toBeInstanceOf(Tensor);
      expect(gradOutput[1]).toBeNull();
      calls++;
    });
    const [out] = mod(true, inp);
    out.sum().backward();
    expect(calls).toBe(1);
  });

  test('test_hook_backward_size', () => {
    // Make module with multiple operations in forward and different size for input and outputs
    class MyModule extends nn.Module {
      forward(arg1: Tensor, arg2: Tensor): Tensor {
        let tmp = arg1.sum().mul(arg2);
        tmp = tmp.add(arg2.sum().mul(arg1.sum()));
        tmp = tmp.sum().view(1);
        tmp = tmp.expand(8).contiguous();
        return tmp;
      }
    }
    const module = new MyModule();
    const inp1 = torch.randn([5, 5], { requiresGrad: true });
    const inp2 = torch.randn([10, 10], { requiresGrad: true });
    let calls = 0;
    {
      using _h = module.registerFullBackwardHook((_m, gradInput, gradOutput) => {
        expect(gradInput.length).toBe(2);
        expect(gradInput[0]!.size()).toEqual([5, 5]);
        expect(gradInput[1]!.size()).toEqual([10, 10]);
        expect(gradOutput.length).toBe(1);
        expect(gradOutput[0]!.size()).toEqual([8]);
        calls++;
      });
      module(inp1, inp2).sum().backward();
    }
    expect(calls).toBe(1);
  });

  test('test_hook_backward_writeable', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const sigX = torch.nn.functional.sigmoid(input.detach());
    module.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      for (const g of gradInput) expect(g).toBeInstanceOf(Tensor);
      for (const g of gradOutput) expect(g).toBeInstanceOf(Tensor);
      return gradInput.map((gi) => gi!.mul(2));
    });
    module(input).backward(torch.ones(5, 5));
    const expectedGrad = sigX.mul(sigX.neg().add(1)).mul(2);
    expectEqualTensor(input.grad as Tensor, expectedGrad);
  });

  test('test_hook_forward_preforward_writable', () => {
    const module = new nn.Sigmoid();
    const input = torch.randn([5, 5], { requiresGrad: true });
    const sigX = torch.nn.functional.sigmoid(input.detach());
    module.registerForwardPreHook((_m, inp) => torch.nn.functional.relu(inp[0] as Tensor));
    module.registerForwardHook((_m, _inp, output) => (output as Tensor).neg());
    const output = module(input);
    const expectedRes = torch.nn.functional.sigmoid(torch.nn.functional.relu(input.detach())).neg();
    expectEqualTensor(output, expectedRes);
    output.backward(torch.ones(5, 5).mul(2), { retainGraph: true });
    const mask = input.detach().gt(0).to('float32');
    const expectedGrad = sigX.neg().mul(sigX.neg().add(1)).mul(2).mul(mask);
    expectEqualTensor(input.grad as Tensor, expectedGrad);
  });

  test('test_hook_buffer_registration', () => {
    for (const returnBuffer of [true, false]) {
      const handle = nn.registerModuleBufferRegistrationHook((_module, _name, buffer) => {
        (buffer as unknown as Record<string, unknown>).registered = true;
        if (returnBuffer) return buffer;
      });
      try {
        const [, , s] = createBasicNet();
        for (const b of s.buffers()) expect((b as unknown as Record<string, unknown>).registered ?? false).toBe(true);
      } finally {
        handle.remove();
      }
    }
  });

  test('test_hook_submodule_registration', () => {
    for (const returnSubmodule of [true, false]) {
      const handle = nn.registerModuleModuleRegistrationHook((module, _name, submodule) => {
        (module as unknown as Record<string, unknown>).registered = true;
        (submodule as unknown as Record<string, unknown>).registered = true;
        if (returnSubmodule) return submodule;
      });
      try {
        const [, , s] = createBasicNet();
        for (const m of s.modules()) expect((m as unknown as Record<string, unknown>).registered ?? false).toBe(true);
      } finally {
        handle.remove();
      }
    }
  });

  test('test_hook_parameter_registration', () => {
    for (const returnParameter of [true, false]) {
      const handle = nn.registerModuleParameterRegistrationHook((_module, _name, parameter) => {
        (parameter as unknown as Record<string, unknown>).registered = true;
        if (returnParameter) return parameter;
      });
      try {
        const [, , s] = createBasicNet();
        for (const p of s.parameters()) expect((p as unknown as Record<string, unknown>).registered ?? false).toBe(true);
      } finally {
        handle.remove();
      }
    }
  });
});
