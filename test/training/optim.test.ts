/** Optimisers against PyTorch 1.13 trajectories (6 steps), state dicts, param groups. */
import { Adam, AdamW, SGD, Optimizer } from '../../lib/optim';
import { Tensor } from '../../lib/tensor';
import { expectClose } from '../helpers/close';
import { fixture, FixTensor, T } from './helpers';

interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  defaults: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  skipGradOfSecondAt: number[] | null;
  trajectory: number[][][];
  stateDict: { state: Record<string, Record<string, FixTensor | number | null>>; param_groups: Record<string, unknown>[] };
}

const fx = fixture<{ p0: FixTensor[]; coef: [FixTensor, FixTensor][]; cases: OptimCase[] }>('optim.json');
const classes = { SGD, Adam, AdamW } as const;

/** grad = c*p + d + 0.5*p*p in float32, as the fixture script computes it. */
function gradOf(i: number, p: Tensor): Tensor {
  const c = fx.coef[i][0].data, d = fx.coef[i][1].data, v = p.storage;
  const g = new Float32Array(v.length);
  for (let k = 0; k < v.length; k++) {
    const cp = Math.fround(c[k] * v[k]);
    const pp = Math.fround(Math.fround(0.5 * v[k]) * v[k]);
    g[k] = Math.fround(Math.fround(cp + d[k]) + pp);
  }
  return new Tensor(g, p.shape);
}

function build(c: OptimCase): { params: Tensor[]; opt: Optimizer } {
  const params = fx.p0.map((p) => T(p, true));
  const fix = (o: Record<string, unknown>) => {
    const out = { ...o };
    if (Array.isArray(out.betas)) out.betas = out.betas as [number, number];
    return out;
  };
  const Cls = classes[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer;
  const opt = c.groups
    ? new Cls(c.groups.map((g) => ({ ...fix(g), params: g.params.map((i) => params[i]) })), fix(c.defaults))
    : new Cls(params, fix(c.defaults));
  return { params, opt };
}

function run(c: OptimCase, params: Tensor[], opt: Optimizer, from: number, to: number): void {
  for (let s = from; s < to; s++) {
    opt.zeroGrad();
    params.forEach((p, i) => {
      if (c.skipGradOfSecondAt && i === 1 && c.skipGradOfSecondAt.includes(s)) return;
      p.grad = gradOf(i, p);
    });
    opt.step();
    params.forEach((p, i) => expectClose(p, c.trajectory[s][i], 1e-5, 1e-6, `${c.name} step ${s + 1} param ${i}`));
  }
}

describe('optimiser trajectories match PyTorch step for step', () => {
  test.each(fx.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { params, opt } = build(c);
    run(c, params, opt, 0, c.trajectory.length);
    // state dict: same structure and values as PyTorch's
    const sd = opt.stateDict();
    expect(Object.keys(sd.state).sort()).toEqual(Object.keys(c.stateDict.state).sort());
    for (const [id, st] of Object.entries(c.stateDict.state)) {
      const mine = sd.state[Number(id)];
      expect(Object.keys(mine).sort()).toEqual(Object.keys(st).sort());
      for (const [k, v] of Object.entries(st)) {
        if (v === null) expect(mine[k]).toBeNull();
        else if (typeof v === 'number') expect(mine[k]).toBe(v);
        else expectClose(mine[k] as Tensor, v.data, 1e-5, 1e-6, `state ${id}.${k}`);
      }
    }
    expect(sd.param_groups.length).toBe(c.stateDict.param_groups.length);
    sd.param_groups.forEach((g, i) => {
      const ref = c.stateDict.param_groups[i];
      for (const [k, v] of Object.entries(g)) expect([k, v]).toEqual([k, ref[k]]);
      for (const k of Object.keys(ref)) {
        if (!['foreach', 'differentiable', 'capturable', 'fused'].includes(k)) expect(g).toHaveProperty(k);
      }
    });
  });

  test.each(fx.cases.filter((c) => c.name.includes('momentum') || c.name.includes('amsgrad') || c.name.includes('groups'))
    .map((c) => [c.name, c] as const))('loadStateDict resumes %s', (_n, c) => {
    const a = build(c);
    run(c, a.params, a.opt, 0, 3);
    const sd = a.opt.stateDict();
    const b = build(c);
    b.params.forEach((p, i) => p.data.copy_(a.params[i]));
    b.opt.loadStateDict(sd);
    // state tensors are copies: continuing with `a` must not change `b`
    run(c, a.params, a.opt, 3, 4);
    run(c, b.params, b.opt, 3, c.trajectory.length);
  });
});

describe('Optimizer API', () => {
  const p = () => new Tensor(Float32Array.from([1, 2]), [2]).requiresGrad_(true);

  test('defaults follow PyTorch', () => {
    const a = new Adam([p()]);
    expect(a.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW([p()]).paramGroups[0].weightDecay).toBe(1e-2);
    expect(new SGD([p()], { lr: 0.1 }).paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
  });

  test('zeroGrad sets grads to null by default, or zeroes them', () => {
    const x = p();
    const opt = new SGD([x], { lr: 0.1 });
    x.grad = new Tensor(Float32Array.from([3, 4]), [2]);
    opt.zeroGrad(false);
    expect(Array.from(x.grad!.storage)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(x.grad).toBeNull();
  });

  test('params without grad are skipped and get no state', () => {
    const x = p(), y = p();
    const opt = new Adam([x, y], { lr: 0.1 });
    x.grad = new Tensor(Float32Array.from([1, 1]), [2]);
    opt.step();
    expect(Array.from(y.storage)).toEqual([1, 2]);
    expect(opt.state.has(y)).toBe(false);
    expect(opt.state.get(x)!.step).toBe(1);
  });

  test('accepts a generator (model.parameters()) and a closure', () => {
    const x = p();
    function* gen() { yield x; }
    const opt = new SGD(gen(), { lr: 0.5 });
    const loss = opt.step(() => { x.grad = new Tensor(Float32Array.from([1, 1]), [2]); return 42; });
    expect(loss).toBe(42);
    expect(Array.from(x.storage)).toEqual([0.5, 1.5]);
  });

  test('errors', () => {
    const x = p();
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    expect(() => new SGD(x as unknown as Tensor[], { lr: 0.1 })).toThrow(/got a Tensor/);
    expect(() => new SGD([x], { lr: -1 })).toThrow(/Invalid learning rate/);
    expect(() => new SGD([x], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum and zero dampening/);
    expect(() => new Adam([x], { betas: [1.0, 0.9] })).toThrow(/Invalid beta parameter at index 0/);
    expect(() => new SGD([{ params: [x] }, { params: [x] }], { lr: 0.1 })).toThrow(/more than one parameter group/);
    const y = x.mul(2);
    expect(() => new SGD([y], { lr: 0.1 })).toThrow(/non-leaf/);
    const opt = new SGD([x], { lr: 0.1 });
    expect(() => opt.loadStateDict({ state: {}, param_groups: [] })).toThrow(/different number of parameter groups/);
    expect(() => opt.loadStateDict({ state: {}, param_groups: [{ lr: 1, params: [0, 1] }] })).toThrow(/doesn't match the size/);
  });

  test('addParamGroup and per-group options', () => {
    const x = p(), y = p();
    const opt = new SGD([x], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [y], lr: 0.01 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(opt.stateDict().param_groups[1].params).toEqual([1]);
    expect(String(opt)).toMatch(/SGD \(\nParameter Group 0\n/);
  });
});
