/**
 * Port of the container tests of PyTorch's test/test_nn.py (class TestNN, from test_Sequential_getitem
 * on), test by test. Python idioms (docs/nn-module.md): `n[i]` → `n.at(i)` (or `n[i]`), `n[a:b:c]` →
 * `n.slice(a, b, c)`, `n[i] = m` → `n.set(i, m)`, `del n[i]` / `del n[a::c]` → `n.delete(i)` /
 * `n.deleteSlice(a, null, c)`, `n + m` → `n.concat(m)`, `n += m` → `n.extend(m)`, `n * k` / `k * n`
 * → `n.repeat(k)`, `n *= k` → `n.repeat_(k)`, `len(x)` → `x.length`, a tensor index → a 0-dim int64
 * tensor. `assertEqual` on two containers compares them element by element, each by identity.
 */
import { OrderedMap } from './ordered';
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

const Parameter = nn.Parameter;

/** assertEqual(a, b) of two module/parameter sequences: same length, same objects in order. */
function expectSame(a: Iterable<unknown>, b: Iterable<unknown>): void {
  const x = [...a], y = [...b];
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(v).toBe(y[i]));
}

const long = (i: number) => torch.tensor(BigInt(i));

describe('TestNN (containers)', () => {
  test('test_Sequential_getitem', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3, l4);
    expect(n[0]).toBe(l1);
    expect(n[1]).toBe(l2);
    expect(n[2]).toBe(l3);
    expect(n[3]).toBe(l4);
    expect(n.at(long(3))).toBe(l4);
    expectSame(n.slice(1), new nn.Sequential(l2, l3, l4));
    expectSame(n.slice(3), new nn.Sequential(l4));
    expectSame(n.slice(null, -1), new nn.Sequential(l1, l2, l3));
    expectSame(n.slice(null, -3), new nn.Sequential(l1));
    expectSame(n.slice(null, null, -1), new nn.Sequential(l4, l3, l2, l1));
  });

  test('test_Sequential_setitem', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3);
    n.set(0, l4);
    n.set(-1, l4);
    n.set(long(1), l1); // torch.int16 in PyTorch: torchlet's integer dtype is int64
    expect(n[0]).toBe(l4);
    expect(n[1]).toBe(l1);
    expect(n[2]).toBe(l4);
  });

  test('test_Sequential_setitem_named', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(new OrderedMap([['linear1', l1], ['linear2', l2], ['linear3', l3]]));
    n.set(0, l4);
    n.set(-1, l4);
    expect((n as unknown as Record<string, nn.Module>).linear1).toBe(l4);
    expect((n as unknown as Record<string, nn.Module>).linear3).toBe(l4);
  });

  test('test_Sequential_delitem', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3, l4);
    n.delete(-1);
    expectSame(n, new nn.Sequential(l1, l2, l3));
    n.deleteSlice(1, null, 2);
    expectSame(n, new nn.Sequential(l1, l3));
  });

  test('test_Sequential_add', () => {
    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 4), l4 = new nn.Linear(4, 5);
    const n = new nn.Sequential(l1, l2);
    const other = new nn.Sequential(l3, l4);
    expectSame(n.concat(other), new nn.Sequential(l1, l2, l3, l4));
  });

  test('test_Sequential_iadd', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3);
    const n2 = new nn.Sequential(l4);
    n.extend(n2);
    n2.extend(n);
    expectSame(n, new nn.Sequential(l1, l2, l3, l4));
    expectSame(n2, new nn.Sequential(l4, l1, l2, l3, l4));
  });

  test('test_Sequential_mul', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3, l4);
    const n2 = n.repeat(2);
    expectSame(n2, new nn.Sequential(l1, l2, l3, l4, l1, l2, l3, l4));
  });

  test('test_Sequential_rmul', () => {
    // `2 * n` and `n * 2` are the same call in JavaScript
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3, l4);
    const n2 = n.repeat(2);
    expectSame(n2, new nn.Sequential(l1, l2, l3, l4, l1, l2, l3, l4));
  });

  test('test_Sequential_imul', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3, l4);
    n.repeat_(2);
    expectSame(n, new nn.Sequential(l1, l2, l3, l4, l1, l2, l3, l4));
    n.repeat_(2);
    expectSame(n, new nn.Sequential(l1, l2, l3, l4, l1, l2, l3, l4, l1, l2, l3, l4, l1, l2, l3, l4));
  });

  test('test_Sequential_append', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n = new nn.Sequential(l1, l2, l3);
    const n2 = n.append(l4);
    expectSame(n, new nn.Sequential(l1, l2, l3, l4));
    expectSame(n2, new nn.Sequential(l1, l2, l3, l4));
    expectSame(new nn.Sequential(l1).append(l2).append(l4), new nn.Sequential(l1, l2, l4));
  });

  test('test_Sequential_pop', () => {
    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 4), l4 = new nn.Linear(4, 5);
    const n1 = new nn.Sequential(l1, l2, l3, l4);
    expect(n1.pop(3)).toBe(l4);
    const n2 = new nn.Sequential(l1, l2, l3);
    expectSame(n1, n2);
    // check order of the index
    [...n1].forEach((mod, k) => expect(n1[k]).toBe(mod));
  });

  test('test_Sequential_insert', () => {
    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 4);
    const n1 = new nn.Sequential(l1, l2, l3);
    const module1 = new nn.Linear(4, 5);
    const n2 = new nn.Sequential(l1, module1, l2, l3);
    expectSame(n1.insert(1, module1), n2);
    // test for negative support
    const n3 = new nn.Sequential(l1, l2, l3);
    const module2 = new nn.Linear(5, 6);
    const n4 = new nn.Sequential(l1, module2, l2, l3);
    expectSame(n3.insert(-2, module2), n4);
  });

  test('test_Sequential_insert_fail_case', () => {
    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 4);
    const module = new nn.Linear(5, 6);
    const n1 = new nn.Sequential(l1, l2, l3);
    expect(() => n1.insert(-5, module)).toThrow(nn.IndexError);
    // AssertionError in PyTorch (an `assert isinstance(module, Module)`): a TypeError here
    expect(() => n1.insert(1, [new nn.Linear(6, 7)] as unknown as nn.Linear)).toThrow(TypeError);
  });

  test('test_Sequential_extend', () => {
    const l1 = new nn.Linear(10, 20), l2 = new nn.Linear(20, 30), l3 = new nn.Linear(30, 40), l4 = new nn.Linear(40, 50);
    const n1 = new nn.Sequential(l1, l2);
    const n2 = new nn.Sequential(l3, l4);
    const n3 = new nn.Sequential(l1, l2);
    for (const l of n2) n1.append(l);
    n3.extend(n2);
    expectSame(n3, n1);
  });

  test('test_ModuleList', () => {
    let modules: nn.Module[] = [new nn.ReLU(), new nn.Linear(5, 5)];
    let moduleList = new nn.ModuleList(modules);

    const check = () => {
      expect(moduleList.length).toBe(modules.length);
      [...moduleList].forEach((m2, i) => expect(modules[i]).toBe(m2));
      [...moduleList.children()].forEach((m2, i) => expect(modules[i]).toBe(m2));
      for (let i = 0; i < modules.length; i++) expect(moduleList[i]).toBe(modules[i]);
    };

    check();
    modules.push(new nn.Conv2d(3, 4, 3));
    moduleList.extend([modules[modules.length - 1]]);
    check();
    modules = modules.concat([new nn.Conv2d(3, 4, 3, { bias: false }), new nn.GELU()]);
    moduleList = moduleList.concat(new nn.ModuleList(modules.slice(-2)));
    check();
    modules.splice(1, 0, new nn.Linear(3, 2));
    moduleList.insert(1, modules[1]);
    check();
    modules.push(new nn.Tanh());
    moduleList.append(modules[modules.length - 1]);
    check();
    const nextModules = [new nn.Linear(5, 5), new nn.Sigmoid()];
    modules.push(...nextModules);
    moduleList.extend(nextModules);
    check();
    modules[2] = new nn.Conv2d(5, 3, 2);
    moduleList.set(2, modules[2]);
    check();
    modules[modules.length - 1] = new nn.Conv2d(5, 2, 1);
    moduleList.set(-1, modules[modules.length - 1]);
    check();
    const idx = long(2); // torch.int32 in PyTorch
    modules[2] = new nn.Conv2d(5, 3, 2);
    moduleList.set(idx, modules[2]);
    expect(moduleList.at(idx)).toBe(modules[2]);
    check();
    expectSame(moduleList.slice(1), new nn.ModuleList(modules.slice(1)));
    expectSame(moduleList.slice(3), new nn.ModuleList(modules.slice(3)));
    expectSame(moduleList.slice(null, -1), new nn.ModuleList(modules.slice(0, -1)));
    expectSame(moduleList.slice(null, -3), new nn.ModuleList(modules.slice(0, -3)));
    expectSame(moduleList.slice(null, null, -1), new nn.ModuleList([...modules].reverse()));
    moduleList.delete(-1);
    expectSame(moduleList, new nn.ModuleList(modules.slice(0, -1)));
    moduleList.deleteSlice(1, null, 2);
    expectSame(moduleList, new nn.ModuleList(modules.slice(0, -1).filter((_, i) => i % 2 === 0)));

    expect(() => moduleList.extend(new nn.ReLU() as unknown as nn.Module[])).toThrow(TypeError); // +=
    expect(() => moduleList.extend(new nn.ReLU() as unknown as nn.Module[])).toThrow(TypeError);

    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 2), l4 = new nn.Linear(2, 3);
    const subnet = new nn.Sequential(l3, l4);
    const s = new nn.Sequential(
      new OrderedMap<nn.Module>([['layer1', l1], ['layer2', l2], ['layer3', l3], ['layer4', l4], ['subnet_layer', subnet]]),
    );
    modules = [...s.modules()];
    moduleList = new nn.ModuleList();
    moduleList.extend(s.modules());
    check();

    modules = [new nn.ReLU(), new nn.Linear(5, 5), new nn.Conv2d(3, 4, 3)];
    moduleList = new nn.ModuleList(modules);
    expect(modules.splice(1, 1)[0]).toBe(moduleList.pop(1));
    expectSame(modules, moduleList);
    // check order of the index
    [...moduleList].forEach((mod, k) => expect(moduleList[k]).toBe(mod));

    // verify the right exception is thrown when trying to "forward" through a ModuleList
    const call = moduleList as unknown as (...a: unknown[]) => unknown;
    expect(() => call()).toThrow(/missing the required "forward" function/);
    expect(() => call(torch.rand(1, 3))).toThrow(/missing the required "forward" function/);
  });

  test('test_ModuleDict', () => {
    let modules = new OrderedMap<nn.Module>([
      ['act', new nn.ReLU()],
      ['conv', new nn.Conv2d(10, 10, 5)],
      ['fc', new nn.Linear(5, 5)],
    ]);
    let moduleDict = new nn.ModuleDict(modules);

    const check = () => {
      expect(moduleDict.length).toBe(modules.size);
      const ks = [...modules.keys()];
      [...moduleDict.children()].forEach((m2, i) => expect(modules.get(ks[i])).toBe(m2));
      [...moduleDict].forEach((k2, i) => expect(modules.get(ks[i])).toBe(moduleDict.get(k2)));
      for (const k of moduleDict) expect(moduleDict.get(k)).toBe(modules.get(k));
      for (const k of moduleDict.keys()) expect(moduleDict.get(k)).toBe(modules.get(k));
      for (const [k, v] of moduleDict.items()) expect(modules.get(k)).toBe(v);
      moduleDict.values().forEach((m2, i) => expect(modules.get(ks[i])).toBe(m2));
      for (const k of modules.keys()) expect(moduleDict.has(k)).toBe(true);
    };
    check();

    modules.set('conv', new nn.Conv2d(3, 4, 3));
    moduleDict.set('conv', modules.get('conv')!);
    check();

    const nextModules: [string, nn.Module][] = [['fc2', new nn.Linear(5, 5)], ['act', new nn.Sigmoid()]];
    modules.update(nextModules);
    moduleDict.update(nextModules);
    check();

    const nextOrdered = new OrderedMap<nn.Module>([['fc3', new nn.Linear(5, 5)], ['act2', new nn.Sigmoid()]]);
    modules.update(nextOrdered);
    moduleDict.update(nextOrdered);
    check();

    const nextRecord: Record<string, nn.Module> = { fc4: new nn.Linear(5, 5), act3: new nn.Sigmoid() };
    modules.update(Object.entries(nextRecord));
    moduleDict.update(nextRecord);
    check();

    const nextDict = new nn.ModuleDict([['fc5', new nn.Linear(5, 5)], ['act4', new nn.Sigmoid()]]);
    modules.update(nextDict.items());
    moduleDict.update(nextDict);
    check();

    moduleDict.delete('fc');
    modules.delete('fc');
    check();

    expect(() => moduleDict.update(new nn.ReLU() as never)).toThrow(TypeError);
    expect(() => moduleDict.update([new nn.ReLU()] as never)).toThrow(TypeError);
    // ValueError in PyTorch (a pair of the wrong length)
    expect(() => moduleDict.update([[new nn.ReLU()]] as never)).toThrow(/has length 1; 2 is required/);
    expect(() => moduleDict.set(1 as unknown as string, new nn.ReLU())).toThrow(TypeError);

    const s = new nn.Sequential(modules);
    moduleDict = new nn.ModuleDict(s.namedChildren());
    check();

    const c = moduleDict.pop('conv');
    expect(c).toBe(modules.get('conv'));
    modules.delete('conv');
    check();

    moduleDict.clear();
    expect(moduleDict.length).toBe(0);
    modules = new OrderedMap();
    check();

    // verify the right exception is thrown when trying to "forward" through a ModuleDict
    const call = moduleDict as unknown as (...a: unknown[]) => unknown;
    expect(() => call()).toThrow(/missing the required "forward" function/);
    expect(() => call(torch.rand(1, 3))).toThrow(/missing the required "forward" function/);
  });

  test('test_ParameterList', () => {
    const makeParam = () => new Parameter(torch.randn(2, 2));
    let parameters: unknown[] = [makeParam(), makeParam()];
    let paramList = new nn.ParameterList<unknown>(parameters as Tensor[]);

    const check = () => {
      expect(paramList.length).toBe(parameters.length);
      [...paramList].forEach((p2, i) => expect(parameters[i]).toBe(p2));
      const onlyParams = parameters.filter((x) => x instanceof Parameter);
      [...paramList.parameters()].forEach((p2, i) => expect(onlyParams[i]).toBe(p2));
      for (let i = 0; i < parameters.length; i++) expect(parameters[i]).toBe(paramList[i]);
    };

    check();
    parameters.push(makeParam());
    paramList.extend([parameters[parameters.length - 1] as Tensor]); // +=
    check();
    parameters.push(makeParam());
    paramList.append(parameters[parameters.length - 1] as Tensor);
    check();
    const nextParams = [makeParam(), makeParam()];
    parameters.push(...nextParams);
    paramList.extend(nextParams);
    check();
    parameters[2] = makeParam();
    paramList.set(2, parameters[2] as Tensor);
    check();
    parameters[parameters.length - 1] = makeParam();
    paramList.set(-1, parameters[parameters.length - 1] as Tensor);
    check();
    const idx = long(2);
    parameters[2] = makeParam();
    paramList.set(idx, parameters[2] as Tensor);
    expect(paramList.at(idx)).toBe(parameters[2]);
    check();
    expectSame(paramList.slice(1), new nn.ParameterList(parameters.slice(1) as Tensor[]));
    expectSame(paramList.slice(3), new nn.ParameterList(parameters.slice(3) as Tensor[]));
    expectSame(paramList.slice(null, -1), new nn.ParameterList(parameters.slice(0, -1) as Tensor[]));
    expectSame(paramList.slice(null, -3), new nn.ParameterList(parameters.slice(0, -3) as Tensor[]));
    expectSame(paramList.slice(null, null, -1), new nn.ParameterList([...parameters].reverse() as Tensor[]));

    expect(() => paramList.extend(makeParam() as unknown as Tensor[])).toThrow(TypeError); // +=
    expect(() => paramList.extend(makeParam() as unknown as Tensor[])).toThrow(TypeError);

    const l1 = new nn.Linear(1, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 2), l4 = new nn.Linear(2, 3);
    const subnet = new nn.Sequential(l3, l4);
    const s = new nn.Sequential(
      new OrderedMap<nn.Module>([['layer1', l1], ['layer2', l2], ['layer3', l3], ['layer4', l4], ['subnet_layer', subnet]]),
    );
    parameters = [...s.parameters()];
    paramList = new nn.ParameterList<unknown>();
    paramList.extend(s.parameters());
    check();

    paramList.append(torch.rand(2, 2));
    expect(paramList.at(-1)).toBeInstanceOf(Parameter);
    parameters.push(paramList.at(-1));

    paramList.extend([torch.rand(2, 2), 'foo'] as Tensor[]);
    expect(paramList.at(-2)).toBeInstanceOf(Parameter);
    expect(typeof paramList.at(-1)).toBe('string');
    parameters.push(...paramList.slice(-2));

    paramList.extend(['bar', torch.rand(2, 2)] as Tensor[]); // +=
    expect(typeof paramList.at(-2)).toBe('string');
    expect(paramList.at(-1)).toBeInstanceOf(Parameter);
    parameters.push(...paramList.slice(-2));
    check();
  });

  test('test_ParameterDict', () => {
    const P = () => new Parameter(torch.randn(10, 10));
    let parameters = new OrderedMap<unknown>([['p1', P()], ['p2', P()], ['p3', P()]]);
    let parameterDict = new nn.ParameterDict<unknown>(parameters as OrderedMap<Tensor>);

    const check = () => {
      expect(parameterDict.length).toBe(parameters.size);
      const ks = [...parameters.keys()];
      [...parameterDict.namedParameters()].forEach(([k2, m2], i) => {
        expect(ks[i]).toBe(k2);
        expect(parameters.get(ks[i])).toBe(m2);
      });
      [...parameterDict].forEach((k2, i) => expect(parameters.get(ks[i])).toBe(parameterDict.get(k2)));
      for (const k of parameterDict) expect(parameterDict.get(k)).toBe(parameters.get(k));
      for (const k of parameterDict.keys()) expect(parameterDict.get(k)).toBe(parameters.get(k));
      for (const [k, v] of parameterDict.items()) expect(v).toBe(parameters.get(k));
      parameterDict.values().forEach((m2, i) => expect(parameters.get(ks[i])).toBe(m2));
      for (const k of parameters.keys()) expect(parameterDict.has(k)).toBe(true);
    };

    check();

    parameters.set('p4', P());
    parameterDict.set('p4', parameters.get('p4') as Tensor);
    check();

    const next: [string, Tensor][] = [['p5', P()], ['p2', P()]];
    parameters.update(next);
    parameterDict.update(next);
    check();

    const nextOrdered = new OrderedMap<Tensor>([['p6', P()], ['p5', P()]]);
    parameters.update(nextOrdered);
    parameterDict.update(nextOrdered);
    check();

    const nextRecord: Record<string, Tensor> = { p8: P(), p7: P() };
    parameters.update(Object.entries(nextRecord).sort(([a], [b]) => (a < b ? -1 : 1)));
    parameterDict.update(nextRecord);
    check();

    const nextDict = new nn.ParameterDict([['p10', P()], ['p9', P()]]);
    parameters.update(nextDict.items());
    parameterDict.update(nextDict);
    check();

    parameterDict.delete('p3');
    parameters.delete('p3');
    check();

    expect(() => parameterDict.update(1 as never)).toThrow(TypeError);
    expect(() => parameterDict.update([1] as never)).toThrow(TypeError);
    // ValueError in PyTorch (a Parameter iterates as rows, not as pairs); a tensor is no mapping here
    expect(() => parameterDict.update(P() as never)).toThrow(/should be called with an iterable of key\/value pairs/);

    const pPop = parameterDict.pop('p4');
    expect(pPop).toBe(parameters.get('p4'));
    parameters.delete('p4');
    check();

    // Check reverse works
    const forward = [...parameterDict];
    const backward = [...parameterDict.keys()].reverse();
    expect(forward.length).toBe(backward.length);
    const n = forward.length;
    for (let i = 0; i < n; i++) expect(forward[i]).toBe(backward[n - i - 1]);
    check();

    // Check copy works
    const copy = parameterDict.copy();
    // Check all keys are present and have shallow copied values
    for (const key of parameterDict) {
      expect(copy.has(key)).toBe(true);
      expect(parameterDict.get(key)).toBe(copy.get(key));
    }
    check();

    parameterDict.set('p20', P());
    copy.set('p21', new Parameter(torch.randn(9, 10)));
    expect(parameterDict.has('p20')).toBe(true);
    expect(copy.has('p20')).toBe(false);
    expect(parameterDict.has('p21')).toBe(false);
    expect(copy.has('p21')).toBe(true);
    parameterDict.pop('p20');
    check();

    let p = P();
    parameterDict.set('p12', p);
    const pPopitem = parameterDict.popitem();
    expect(pPopitem[0]).toBe('p12');
    expect(pPopitem[1]).toBe(p);
    check();

    // Unit test for set_default
    // 1. Ensure parameter is correctly inserted when the key is not present in `ParameterDict`
    expect(parameterDict.has('p11')).toBe(false);
    expect(parameters.has('p11')).toBe(false);
    parameters.set('p11', P());
    const pSetdefault = parameterDict.setdefault('p11', parameters.get('p11') as Tensor);
    expect(pSetdefault).toBe(parameters.get('p11'));
    expect(pSetdefault).toBe(parameterDict.get('p11'));
    check();
    // 2. Ensure parameter is NOT inserted when the key is already present in `ParameterDict`
    p = P();
    expect(parameterDict.setdefault('p11', p) === p).toBe(false);
    check();
    // 3. Ensure `None` is inserted when the key is not present in `Parameter` and parameter is not specified
    expect(parameterDict.setdefault('p26')).toBe(null);
    parameterDict.delete('p26');
    check();

    let parameters2 = new OrderedMap<Tensor>([['p13', P()], ['p2', P()], ['p3', P()]]);
    let parameterDict2 = new nn.ParameterDict(parameters2);
    parameters.update(parameters2);
    parameterDict.update(parameterDict2); // |=
    check();

    parameters2 = new OrderedMap();
    parameterDict2 = new nn.ParameterDict(parameters2);
    parameters.update(parameters2);
    parameterDict.update(parameterDict2); // |=
    check();

    parameters2 = new OrderedMap<Tensor>([['p14', P()], ['p15', P()], ['p13', P()]]);
    parameterDict2 = new nn.ParameterDict(parameters2);
    parameters.update(parameters2);
    parameterDict.update(parameterDict2); // |=
    check();

    // Check __or__ and __ror__ works
    parameters2 = new OrderedMap<Tensor>([['p20', P()], ['p21', P()], ['p22', P()]]);
    parameterDict2 = new nn.ParameterDict(parameters2);
    parameters.update(parameters2);
    parameterDict = parameterDict.union(parameterDict2);
    check();

    parameters2 = new OrderedMap<Tensor>([['p23', P()], ['p24', P()], ['p25', P()]]);
    parameterDict2 = new nn.ParameterDict(parameters2);
    parameters2.update(parameters as OrderedMap<Tensor>);
    parameters = parameters2;
    parameterDict = parameterDict2.union(parameterDict as nn.ParameterDict<Tensor>);
    check();

    parameters.set('p17', P());
    parameterDict.set('p17', parameters.get('p17') as Tensor);
    expect(parameters.get('p17')).toBe(parameterDict.get('p17'));
    const tempParam = P();
    expect(parameters.get('p17')).toBe(parameterDict.get('p17', tempParam));
    // Python's None for an absent key is undefined, as Map.get
    expect(parameterDict.get('p18')).toBeUndefined();
    expect(tempParam).toBe(parameterDict.get('p18', tempParam));
    check();

    parameterDict.clear();
    expect(parameterDict.length).toBe(0);
    parameters = new OrderedMap();
    check();

    let pd2 = parameterDict.fromkeys(['p19', 'p20']);
    expect(pd2.items()).toEqual([['p19', null], ['p20', null]]);
    check();

    pd2 = parameterDict.fromkeys(['p19', 'p20'], tempParam);
    expect(pd2.items().map(([k]) => k)).toEqual(['p19', 'p20']);
    for (const v of pd2.values()) expect(v).toBe(tempParam);
    check();

    parameterDict.set('p21', torch.rand(2, 2));
    expect(parameterDict.get('p21')).toBeInstanceOf(Parameter);
    parameters.set('p21', parameterDict.get('p21'));

    parameterDict.update({ p22: torch.rand(2, 2), foo: 'bar' as unknown as Tensor });
    expect(parameterDict.get('p22')).toBeInstanceOf(Parameter);
    expect(typeof parameterDict.get('foo')).toBe('string');
    parameters.set('p22', parameterDict.get('p22'));
    parameters.set('foo', parameterDict.get('foo'));
  });

  test('test_add_module', () => {
    for (const fn of ['addModule', 'registerModule'] as const) {
      const l = new nn.Linear(10, 20);
      const net = new nn.Module() as nn.Module & Record<string, unknown>;
      net.l = l;
      net.l2 = l;
      net[fn]('empty', null);
      expect(net.l).toBe(l);
      expect(net.l2).toBe(l);
      expect(net.empty).toBe(null);
      net[fn]('l3', l);
      expect(net.l3).toBe(l);
      const l3 = new nn.Linear(20, 10);
      net[fn]('l', l3);
      expect(net.l).toBe(l3);
      expect(() => net[fn]('x', 'non-module' as unknown as nn.Module)).toThrow(TypeError);
      // Python's type name of 1 is int; typeName says number
      expect(() => net[fn](1 as unknown as string, l)).toThrow(/module name should be a string. Got number/);
      expect(() => net[fn](null as unknown as string, l)).toThrow(/module name should be a string. Got NoneType/);
    }
  });

  test('test_non_leaf_parameters', () => {
    const l1 = new nn.Linear(10, 10);
    const l2 = new nn.Linear(10, 10);
    const assignWeight = () => {
      (l2 as unknown as Record<string, unknown>).weight = l1.weight.add(2);
    };
    expect(assignWeight).toThrow(TypeError);
    // This should work though
    l2.weight = new Parameter(torch.randn(10, 10));
  });

  test('test_parameters_to_vector', () => {
    const conv1 = new nn.Conv2d(3, 10, 5);
    const fc1 = new nn.Linear(10, 20);
    const model = new nn.Sequential(conv1, fc1);
    const vec = nn.utils.parametersToVector(model.parameters());
    expect(vec.size(0)).toBe(980);
  });

  test('test_vector_to_parameters', () => {
    const conv1 = new nn.Conv2d(3, 10, 5);
    const fc1 = new nn.Linear(10, 20);
    const model = new nn.Sequential(conv1, fc1);
    const vec = torch.arange(0, 980);
    nn.utils.vectorToParameters(vec, model.parameters());
    const sample = (model.parameters().next().value as Tensor).index(0, 0, 0);
    expect(torch.equal(sample.detach(), vec.detach().narrow(0, 0, 5))).toBe(true);
  });
});
