/**
 * Port of PyTorch's test/nn/test_load_state_dict.py, test by test. (`@swap([True, False])` runs
 * each test with and without swapping tensors on conversion; torchlet has no such switch, so each
 * runs once.) Tests that cannot apply are listed in test/pytorch/README.md.
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

function equal(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]) || a.dtype !== b.dtype) return false;
  const x = a.contiguous()._data(), y = b.contiguous()._data();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

describe('TestLoadStateDict', () => {
  test('test_load_state_dict_invalid', () => {
    // numpy arrays and nested tuples map to a Float32Array and nested arrays
    const m = new nn.Linear(2, 2, { bias: false });
    expect(() => m.loadStateDict({ weight: new Float32Array(4) as never })).toThrow(
      /expected torch.Tensor or Tensor-like object from checkpoint but received/,
    );
    expect(() => m.loadStateDict({ weight: [[1.0, 1.0], [2.0, 2.0]] as never })).toThrow(
      /expected torch.Tensor or Tensor-like object from checkpoint but received/,
    );
  });

  test('test_load_state_dict_type', () => {
    const m = new nn.Module();
    expect(() => m.loadStateDict('' as never)).toThrow(TypeError);
    expect(() => m.loadStateDict('' as never)).toThrow(/Expected state_dict to be dict-like, got/);
    expect(() => m.loadStateDict(2 as never)).toThrow(/Expected state_dict to be dict-like, got/);
  });

  test('test_load_state_dict', () => {
    const l = new nn.Linear(5, 5);
    const block: any = new nn.Module();
    block.conv1 = new nn.Conv2d(3, 3, 3, { bias: true });
    block.conv2 = new nn.Conv2d(3, 3, 3, { bias: false });
    const net: any = new nn.Module();
    net.linear1 = l;
    net.linear2 = l;
    net.bn = new nn.BatchNorm2d(2);
    net.block = block;
    net.addModule('empty', null);

    const stateDict: Record<string, Tensor> = net.stateDict();
    Object.assign(stateDict, {
      'linear1.weight': torch.ones(5, 5),
      'block.conv1.bias': torch.arange(1, 4),
      'bn.running_mean': torch.randn(2),
    });
    // a DDP state dict loads into the local model once its prefix is consumed
    const ddp: Record<string, Tensor> = net.stateDict();
    Object.assign(ddp, {
      'module.linear1.weight': torch.ones(5, 5),
      'module.block.conv1.bias': torch.arange(1, 4),
      'module.bn.running_mean': torch.randn(2),
    });
    nn.utils.consumePrefixInStateDictIfPresent(ddp, 'module.');
    for (const sd of [stateDict, ddp]) {
      const inc = net.loadStateDict(sd);
      expect(inc.missingKeys.length).toBe(0);
      expect(inc.unexpectedKeys.length).toBe(0);
      expect(String(inc)).not.toContain('Incompatible');
      expect(equal(net.linear1.weight, sd['linear1.weight'])).toBe(true);
      expect(equal(net.block.conv1.bias, sd['block.conv1.bias'])).toBe(true);
      expect(equal(net.bn.runningMean, sd['bn.running_mean'])).toBe(true);
    }

    let sd: Record<string, Tensor> = net.stateDict();
    sd.extra = torch.ones(5);
    expect(() => net.loadStateDict(sd)).toThrow();
    let inc = net.loadStateDict(sd, { strict: false });
    expect(inc.missingKeys.length).toBe(0);
    expect(inc.unexpectedKeys.length).toBe(1);
    expect(inc.unexpectedKeys).toContain('extra');
    expect(String(inc)).toContain('Incompatible');

    sd = net.stateDict();
    sd['extra.param'] = torch.ones(5);
    expect(() => net.loadStateDict(sd)).toThrow();
    inc = net.loadStateDict(sd, { strict: false });
    expect(inc.missingKeys.length).toBe(0);
    expect(inc.unexpectedKeys.length).toBe(1);
    expect(inc.unexpectedKeys).toContain('extra.param');

    sd = net.stateDict();
    delete sd['linear1.weight'];
    expect(() => net.loadStateDict(sd)).toThrow();
    inc = net.loadStateDict(sd, { strict: false });
    expect(inc.missingKeys.length).toBe(1);
    expect(inc.unexpectedKeys.length).toBe(0);
    expect(inc.missingKeys).toContain('linear1.weight');
    sd['extra.param'] = torch.ones(5);
    expect(() => net.loadStateDict(sd)).toThrow();
    inc = net.loadStateDict(sd, { strict: false });
    expect(inc.missingKeys.length).toBe(1);
    expect(inc.unexpectedKeys.length).toBe(1);
    expect(inc.missingKeys).toContain('linear1.weight');
    expect(inc.unexpectedKeys).toContain('extra.param');

    sd = net.stateDict();
    sd['bn.running_mean'] = torch.rand(14, 4); // wrong size
    expect(() => net.loadStateDict(sd)).toThrow();
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow();

    const old: Record<string, Tensor> = Object.fromEntries(
      Object.entries(net.stateDict() as Record<string, Tensor>).map(([k, v]) => [k, v.clone()]),
    );
    const partial: Record<string, Tensor> = {
      'linear1.weight': torch.ones(5, 5),
      'block.conv1.bias': torch.arange(1, 4),
      'bn.running_mean': torch.randn(2),
      nonexistent_key: torch.rand(3),
    };
    net.loadStateDict(partial, { strict: false });
    expect(equal(net.linear1.weight, partial['linear1.weight'])).toBe(true);
    expect(equal(net.block.conv1.bias, partial['block.conv1.bias'])).toBe(true);
    expect(equal(net.bn.runningMean, partial['bn.running_mean'])).toBe(true);
    const fresh: Record<string, Tensor> = net.stateDict();
    delete old['linear1.weight'];
    delete old['block.conv1.bias'];
    delete old['bn.running_mean'];
    for (const [k, v] of Object.entries(old)) expect(equal(v, fresh[k])).toBe(true);
  });

  test('test_load_state_dict_child', () => {
    let model: nn.Module = new nn.Linear(1, 1);
    for (let i = 0; i < 3; i++) {
      const base = model;
      model = new nn.Sequential(...Array.from({ length: 10 }, () => base.deepcopy()));
    }
    let calls = 0;
    const inner = (model as nn.Sequential)[0] as nn.Sequential;
    inner[0].registerLoadStateDictPreHook((module, stateDict) => {
      expect(Object.keys(module.stateDict()).length).toBe(stateDict.size);
      calls++;
    });
    model.loadStateDict(model.stateDict(), { strict: true });
    expect(calls).toBe(1);
  });

  test('test_load_state_dict_custom', () => {
    class CustomState extends nn.Module {
      param = new nn.Parameter(torch.ones(1));
      sub = new nn.Linear(5, 5);
      _saveToStateDict(dest: Record<string, Tensor>, prefix: string): void {
        dest[prefix + 'serialized'] = this.param.detach().add(1);
      }
      _loadFromStateDict(stateDict: Map<string, unknown>, prefix: string): void {
        // skips some of the error handling, as the Python test does
        torch.noGrad(() => this.param.copy_((stateDict.get(prefix + 'serialized') as Tensor).sub(1)));
      }
    }
    const m = new nn.Sequential(new CustomState());
    torch.noGrad(() => {
      m[0].param.storage[0] = 10;
      m[0].sub.weight.storage[0] = 555;
    });
    const sd = m.stateDict();
    expect(sd['0.serialized'].item()).toBe(11);
    expect(sd).toHaveProperty(['0.sub.weight']);
    expect(sd).not.toHaveProperty(['0.param']);
    const mm = new nn.Sequential(new CustomState());
    expect(mm[0].param.storage[0]).toBe(1);
    mm.loadStateDict(sd);
    expect(mm[0].param.storage[0]).toBe(10);
    expect(mm[0].sub.weight.storage[0]).toBe(555);
  });

  test('test_load_state_dict_BC', () => {
    // BatchNormNd: added num_batches_tracked buffer at version 2. For state dict with earlier
    // versions or no versions, it should provide default value of 0.
    const bn = new nn.BatchNorm2d(3);
    const stateDict = bn.stateDict();
    delete stateDict.num_batches_tracked;
    const meta = (stateDict as unknown as { _metadata: nn.StateDictMetadata })._metadata;
    meta[''].version = 1; // version 1
    bn.loadStateDict(stateDict);
    expect(bn.num_batches_tracked!.dtype).toBe('int64');
    expect(bn.num_batches_tracked!.item()).toBe(0);
    delete meta[''].version; // no version
    bn.loadStateDict(stateDict);
    expect(bn.num_batches_tracked!.dtype).toBe('int64');
    expect(bn.num_batches_tracked!.item()).toBe(0);
  });

  test('test_load_state_dict_assign_shape_stride', () => {
    // Assigned tensor is allowed to have different properties than initial tensor except for shape
    class MyModule extends nn.Module {
      fc1 = new nn.Linear(3, 5);
      bn = new nn.BatchNorm1d(5);
      forward(input: Tensor): Tensor {
        return this.bn(this.fc1(input));
      }
    }
    const net = new MyModule();
    const stateDict = net.stateDict();
    // loading should be ok if stride is different
    stateDict['fc1.weight'] = torch.randn(3, 5).transpose(0, 1);
    const net2 = new MyModule();
    net2.loadStateDict(stateDict, { strict: false, assign: true });
    stateDict['fc1.weight'] = torch.randn(2, 4);
    expect(() => net2.loadStateDict(stateDict, { strict: false, assign: true })).toThrow(
      /size mismatch for fc1.weight: copying a param with shape/,
    );
  });

  test('test_load_state_dict_with_unexpected_key', () => {
    class MyModule extends nn.Module {
      fc1 = new nn.Linear(5, 10);
    }
    const m = new MyModule();
    // Unexpected key & strict = True
    let stateDict = m.stateDict();
    stateDict['fc1.bad_suffix'] = torch.randn(5, 10);
    expect(() => m.loadStateDict(stateDict)).toThrow(/Unexpected key/);
    // Unexpected key & strict = False
    let r = m.loadStateDict(stateDict, { strict: false });
    expect(r.unexpectedKeys).toContain('fc1.bad_suffix');
    // Unexpected key whose prefix matches a valid key & strict = True
    stateDict = m.stateDict();
    stateDict['fc1.weight.bad_suffix'] = torch.randn(5, 10);
    expect(() => m.loadStateDict(stateDict)).toThrow(/Unexpected key/);
    // Unexpected key whose prefix matches a valid key & strict = False
    r = m.loadStateDict(stateDict, { strict: false });
    expect(r.unexpectedKeys).toContain('fc1.weight.bad_suffix');
  });

  // `with torch.device("meta"): net_meta = MyModule()` builds the module without allocating its
  // tensors; torchlet has no meta device, so net_meta is built normally. With assign=True the
  // checkpoint's tensors replace the module's either way, which is what these tests check.
  test('test_load_state_dict_assign_meta', () => {
    for (const keepVars of [true, false]) {
      class MyModule extends nn.Module {
        fc1 = new nn.Linear(3, 5);
        bn = new nn.BatchNorm1d(5);
        x = new nn.Parameter(torch.rand(5), false);
        forward(input: Tensor): Tensor {
          return this.x.add(this.bn(this.fc1(input)));
        }
      }
      const net = new MyModule();
      const stateDict = net.stateDict({ keepVars });
      for (const v of Object.values(stateDict)) v.requiresGrad_(false);
      const netMeta = new MyModule();
      const netMetaStateDictOld = netMeta.stateDict({ keepVars: true });
      netMeta.loadStateDict(stateDict, { assign: true });

      // Make sure parameters and persistent buffers were assigned
      const netMetaStateDict = netMeta.stateDict({ keepVars: true });
      for (const key of Object.keys(stateDict)) {
        if (netMeta._parameters.has(key)) {
          if (keepVars) {
            // state_dict[key] is an nn.Parameter
            expect(stateDict[key]).toBe(netMetaStateDict[key]);
          } else {
            // state_dict[key] is not an nn.Parameter so it will be detached when wrapping with a Parameter
            expect(netMetaStateDict[key]).not.toBe(netMetaStateDictOld[key]);
            expect(netMetaStateDictOld[key].requiresGrad).toBe(netMetaStateDict[key].requiresGrad);
          }
          expect(netMetaStateDictOld[key].requiresGrad).toBe(netMetaStateDict[key].requiresGrad);
          expect(equal(stateDict[key], netMetaStateDict[key])).toBe(true);
        } else if (netMeta._buffers.has(key) && !netMeta._nonPersistentBuffersSet.has(key)) {
          expect(stateDict[key]).toBe(netMetaStateDict[key]);
          expect(stateDict[key]).toBe(netMetaStateDict[key]);
        }
      }

      // Make sure that ordering of parameters and buffers is preserved
      const names = (it: Iterable<[string, unknown]>) => [...it].map(([n]) => n);
      expect(names(netMeta.namedParameters())).toEqual(names(net.namedParameters()));
      expect(names(netMeta.namedBuffers())).toEqual(names(net.namedBuffers()));

      // Make sure outputs are the same
      const t = torch.randn(4, 3);
      const outNet = net(t);
      const outNetMeta = netMeta(t.clone());
      expect(outNet.shape).toEqual(outNetMeta.shape);
      outNet.storage.forEach((v, i) => expect(Math.abs(v - outNetMeta.storage[i])).toBeLessThanOrEqual(1e-5));
    }
  });

  test('test_load_state_dict_assign_with_optimizer', () => {
    class MyModule extends nn.Module {
      fc1 = new nn.Linear(3, 5);
      bn = new nn.BatchNorm1d(5);
      forward(input: Tensor): Tensor {
        return this.bn(this.fc1(input));
      }
    }
    // copy.deepcopy of plain data with tensors
    const deepcopy = <T>(v: T): T => {
      if (v instanceof Tensor) return v.detach().clone() as unknown as T;
      if (Array.isArray(v)) return v.map(deepcopy) as unknown as T;
      if (v !== null && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepcopy(x)])) as T;
      }
      return v;
    };
    // assertEqual of nested dicts / lists / tensors / numbers
    const expectEqualDeep = (a: unknown, b: unknown): void => {
      if (a instanceof Tensor) {
        expect(b).toBeInstanceOf(Tensor);
        const bt = b as Tensor;
        expect(a.shape).toEqual(bt.shape);
        const x = a.dtype === 'float32' ? a.detach().storage : Array.from(a._data() as ArrayLike<unknown>);
        const y = bt.dtype === 'float32' ? bt.detach().storage : Array.from(bt._data() as ArrayLike<unknown>);
        x.forEach((v, i) => {
          if (typeof v === 'number') expect(Math.abs(v - (y[i] as number))).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
          else expect(v).toBe(y[i]);
        });
      } else if (Array.isArray(a)) {
        expect((b as unknown[]).length).toBe(a.length);
        a.forEach((v, i) => expectEqualDeep(v, (b as unknown[])[i]));
      } else if (a !== null && typeof a === 'object') {
        expect(Object.keys(b as object).sort()).toEqual(Object.keys(a).sort());
        for (const k of Object.keys(a)) expectEqualDeep((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      } else {
        expect(b).toEqual(a);
      }
    };

    const net = new MyModule();
    const opt = new torch.optim.Adam(net.parameters(), { lr: 1000 });
    const x = torch.randn(4, 3);
    const numIters = 3;
    for (let i = 0; i < numIters; i++) {
      opt.zeroGrad();
      const out = net(x);
      out.sum().backward();
      opt.step();
    }
    const optStateDict = deepcopy(opt.stateDict());
    const netStateDict = deepcopy(net.stateDict());

    const netMeta = new MyModule();
    netMeta.loadStateDict(netStateDict, { assign: true });
    // must create optimizer only after loading state_dict when assign=True
    const opt2 = new torch.optim.Adam(netMeta.parameters(), { lr: 1000 });
    opt2.loadStateDict(optStateDict);

    const y = x.clone();
    for (let i = 0; i < numIters; i++) {
      opt.zeroGrad();
      const out = net(x);
      out.sum().backward();
      opt.step();

      opt2.zeroGrad();
      const out2 = netMeta(y);
      out2.sum().backward();
      opt2.step();
    }
    expectEqualDeep(opt.stateDict(), opt2.stateDict());
    expectEqualDeep(net.stateDict(), netMeta.stateDict());
  });
});
