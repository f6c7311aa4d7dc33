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
    // eslint-disable-next-line prefer-const
    let handle: nn.RemovableHandle, handle2: nn.RemovableHandle;
    handle = module.registerForwardPreHook((_m, input) => { handle.remove(); return input; });
    handle2 = module.registerForwardPreHook((_m, input) => { handle2.remove(); return input; });
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
    // eslint-disable-next-line prefer-const
    let handle: nn.RemovableHandle, handle2: nn.RemovableHandle;
    handle = module.registerForwardHook((_m, _i, out) => { handle.remove(); return out; });
    handle2 = module.registerForwardHook((_m, _i, out) => { handle2.remove(); return out; });
    const dict = module._hookState.forward;
    expect(dict.size).toBe(2);
    const input = torch.randn(2, 2);
    expectEqualTensor(module(input), torch.sigmoid(input), 0);
    expect(dict.has(handle.id)).toBe(false);
    expect(dict.has(handle2.id)).toBe(false);
    expect(dict.size).toBe(0);
  });
});
