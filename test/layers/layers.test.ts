/**
 * Activations and normalisation layers against real PyTorch 1.13 (test/fixtures/layers, from
 * scripts/fixtures/gen_layers.py): outputs, gradients of sum(out * gy), reprs, state-dict keys,
 * in-place behaviour.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { nn } from '../../lib';
import { expectClose } from '../helpers/close';

type Case = Record<string, any>;
const load = (name: string): Case[] =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'layers', `${name}.json`), 'utf8')).cases;
const T = (v: number[], shape: number[], grad = true) => {
  const t = new Tensor(Float32Array.from(v), shape);
  return grad ? t.requiresGrad_(true) : t;
};

// Polynomial exp/erf/log against libm: a few float32 ulp, plus an absolute floor near zero.
const RTOL = 2e-6 * 8, ATOL = 1e-6;
// Gradients where tanh saturates cancel two terms: at x = -5.08 the exact tanh-GELU gradient is
// -9.1e-7 while PyTorch's float kernel returns 0, so its own error there is ~1e-6 times gy.
const GRAD_ATOL = 2e-6;

function callAct(op: string, opts: Record<string, any>, x: Tensor, inplace = false): Tensor {
  switch (op) {
    case 'relu6': return F.relu6(x, inplace);
    case 'leakyRelu': return F.leakyRelu(x, opts.negativeSlope, inplace);
    case 'elu': return F.elu(x, opts.alpha, inplace);
    case 'gelu': return F.gelu(x, { approximate: opts.approximate });
    case 'silu': return F.silu(x, inplace);
    case 'mish': return F.mish(x, inplace);
    case 'hardswish': return F.hardswish(x, inplace);
    case 'hardsigmoid': return F.hardsigmoid(x, inplace);
    case 'softplus': return F.softplus(x, opts.beta, opts.threshold);
    case 'softsign': return F.softsign(x);
    case 'relu': return inplace ? F.relu_(x) : F.relu(x);
    default: throw new Error(op);
  }
}
const INPLACE = new Set(['relu6', 'leakyRelu', 'elu', 'silu', 'mish', 'hardswish', 'hardsigmoid', 'relu']);

describe('activations match PyTorch', () => {
  for (const c of load('activations')) {
    test(`${c.op} ${JSON.stringify(c.opts ?? c.xShape)}`, () => {
      if (c.op === 'prelu') {
        const x = T(c.x, c.xShape), w = T(c.w, [c.w.length]);
        const out = F.prelu(x, w);
        expectClose(out, c.out, 1e-6, 1e-7, 'out');
        out.backward(T(c.gy, c.xShape, false));
        expectClose(x.grad!, c.gx, 1e-6, 1e-7, 'gradInput');
        expectClose(w.grad!, c.gw, 1e-5, 1e-6, 'gradWeight');
        return;
      }
      const n = c.x.length;
      const x = T(c.x, [n]);
      const out = callAct(c.op, c.opts, x);
      expectClose(out, c.out, RTOL, ATOL, 'out');
      out.backward(T(c.gy, [n], false));
      expectClose(x.grad!, c.gx, RTOL, GRAD_ATOL, 'gradInput');
      if (INPLACE.has(c.op)) {
        // In place without grad: the input itself is overwritten and returned.
        const y = T(c.x, [n], false);
        const v = y._version;
        const r = callAct(c.op, c.opts, y, true);
        expect(r).toBe(y);
        expect(y._version).toBe(v + 1);
        expectClose(y, c.out, RTOL, ATOL, 'in-place out');
        // In place on a non-leaf that requires grad: values overwritten, history rebased.
        const leaf = T(c.x, [n]);
        const z = leaf.mul(1);
        const r2 = callAct(c.op, c.opts, z, true);
        expect(r2).toBe(z);
        expectClose(z, c.out, RTOL, ATOL, 'in-place (grad) out');
        expect(z.gradFn!.name).not.toBe('MulBackward0');
        // The rebased node's own backward (the producer's output-version check is the tensor
        // core's concern): its gradient equals PyTorch's.
        const [g] = (z.gradFn as any).fn([T(c.gy, [n], false)]);
        expectClose(g, c.gx, RTOL, GRAD_ATOL, 'in-place gradInput');
      }
    });
  }

  test('in place on a leaf that requires grad is refused', () => {
    const x = torch.tensor([1, -1]).requiresGrad_(true);
    expect(() => F.relu6(x, true)).toThrow(/leaf Variable that requires grad/);
  });

  test('bad arguments give named errors', () => {
    const x = torch.tensor([1, -1]);
    expect(() => F.gelu(x, { approximate: 'erf' as any })).toThrow(/gelu: approximate must be 'none' or 'tanh', got "erf"/);
    expect(() => F.leakyRelu(x, 'a' as any)).toThrow(/leakyRelu: negativeSlope must be a finite number/);
    expect(() => F.relu6(null as any)).toThrow(/relu6: input must be a Tensor, got null/);
    expect(() => F.prelu(torch.zeros(2, 3), torch.zeros(2))).toThrow(/prelu: weight must hold 1 value or one per channel/);
    expect(() => F.softplus(x, 0)).toThrow(/softplus: beta must be non-zero/);
  });

  test('nn.ReLU({ inplace: true }) writes its input', () => {
    const x = torch.tensor([1, -2, 3]);
    const y = new nn.ReLU({ inplace: true }).forward(x);
    expect(y).toBe(x);
    expect(Array.from(x.storage)).toEqual([1, 0, 3]);
  });

  test('conv -> ReLU({ inplace: true }) -> backward gives the out-of-place gradients', () => {
    torch.manualSeed(3);
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = torch.randn(2, 2, 5, 5);
    const run = (inplace: boolean) => {
      conv.zeroGrad();
      const y = new nn.ReLU({ inplace })(conv(x));
      y.mul(torch.arange(y.numel()).reshape(y.shape)).sum().backward();
      return [y, conv.weight.grad!.clone(), conv.bias!.grad!.clone()];
    };
    const [y0, w0, b0] = run(false);
    const [y1, w1, b1] = run(true);
    expect(Array.from(y1.storage)).toEqual(Array.from(y0.storage));
    expect(Array.from(w1.storage)).toEqual(Array.from(w0.storage));
    expect(Array.from(b1.storage)).toEqual(Array.from(b0.storage));
  });

  test('in place on a non-contiguous view of a non-leaf writes through to its base', () => {
    const w = torch.tensor([[-1, 2, 7], [8, -3, 0.5]]).requiresGrad_(true);
    const base = w.mul(1);
    const view = base.t();
    F.relu6(view, true);
    expect(Array.from(base.storage)).toEqual([0, 2, 6, 6, 0, 0.5]);
    base.sum().backward();
    expect(Array.from(w.grad!.storage)).toEqual([0, 1, 0, 0, 0, 1]);
  });
});

describe('normalisation matches PyTorch', () => {
  const tol = [1e-4, 2e-5] as const;
  for (const c of load('normalization')) {
    test(`${c.op} ${c.cls ?? ''} ${JSON.stringify(c.xShape)} ${JSON.stringify(c.kwargs ?? c.ns ?? c.groups)}`, () => {
      if (c.op === 'module') return moduleCase(c);
      const x = T(c.x, c.xShape);
      const shapeW = c.op === 'layerNorm' ? c.ns : [c.xShape[1]];
      const w = c.w ? T(c.w, shapeW) : null, b = c.b ? T(c.b, shapeW) : null;
      const out = c.op === 'layerNorm' ? F.layerNorm(x, c.ns, w, b, c.eps) : F.groupNorm(x, c.groups, w, b);
      expectClose(out, c.out, ...tol, 'out');
      out.backward(T(c.gy, c.xShape, false));
      expectClose(x.grad!, c.gx, ...tol, 'gradInput');
      if (w) expectClose(w.grad!, c.gw, ...tol, 'gradWeight');
      if (b) expectClose(b.grad!, c.gb, ...tol, 'gradBias');
    });
  }

  function moduleCase(c: Case): void {
    const kw = c.kwargs;
    let m: torch.nn.Module<[Tensor], Tensor>;
    const opts = { affine: kw.affine, trackRunningStats: kw.track_running_stats, momentum: kw.momentum };
    if (c.cls === 'InstanceNorm2d') m = new nn.InstanceNorm2d(c.xShape.length === 3 ? c.xShape[0] : c.xShape[1], opts);
    else if (c.cls === 'BatchNorm1d') m = new nn.BatchNorm1d(c.xShape[1], opts);
    else if (c.cls === 'GroupNorm') m = new nn.GroupNorm(kw.num_groups, c.xShape[1]);
    else m = new nn.LayerNorm(c.xShape[c.xShape.length - 1]);
    const params = [...m.namedParameters()];
    for (const [name, p] of params) torch.noGrad(() => p.copy_(torch.tensor(c.params[name], { shape: p.shape })));
    const x = T(c.x, c.xShape);
    const out = m.forward(x);
    expectClose(out, c.out, 1e-4, 2e-5, 'out');
    out.backward(T(c.gy, c.xShape, false));
    expectClose(x.grad!, c.gx, 1e-4, 2e-5, 'gradInput');
    params.forEach(([name, p], i) => expectClose(p.grad!, c.gparams[i], 1e-4, 2e-5, `grad ${name}`));
    const sd = m.stateDict();
    expect([...Object.keys(sd)]).toEqual(Object.keys(c.state));
    for (const [k, v] of Object.entries(c.state)) {
      const t = (sd as any)[k] as Tensor;
      // num_batches_tracked is int64, as PyTorch's: compared exactly.
      if (k.endsWith('num_batches_tracked')) expect([k, t.dtype, t.item()]).toEqual([k, 'int64', (v as number[])[0]]);
      else expectClose(t, v as number[], 1e-5, 1e-6, k);
    }
    m.eval();
    expectClose(m.forward(T(c.x2, c.xShape, false)), c.out2, 1e-4, 2e-5, 'eval out');
  }

  test('bad arguments give named errors', () => {
    expect(() => F.layerNorm(torch.zeros(2, 3), [4])).toThrow(/layerNorm: given normalizedShape=\[4\], expected input with shape \[\*, 4\]/);
    expect(() => F.groupNorm(torch.zeros(2, 3), 2)).toThrow(/groupNorm: expected number of channels in input to be divisible by numGroups/);
    expect(() => F.layerNorm(torch.zeros(2, 3), 3, torch.zeros(2))).toThrow(/layerNorm: expected weight of shape \[3\]/);
    expect(() => F.layerNorm(torch.zeros(2, 3), 3, null, null, -1)).toThrow(/layerNorm: eps must be a non-negative number/);
  });
});

describe('module reprs and state-dict keys match PyTorch', () => {
  const make: Record<string, () => torch.nn.Module<any, any>> = {
    'ReLU6()': () => new nn.ReLU6(), 'ReLU6(true)': () => new nn.ReLU6(true), 'LeakyReLU()': () => new nn.LeakyReLU(),
    'LeakyReLU(0.2, true)': () => new nn.LeakyReLU(0.2, true), 'ELU()': () => new nn.ELU(),
    'ELU(0.5, true)': () => new nn.ELU({ alpha: 0.5, inplace: true }), 'GELU()': () => new nn.GELU(),
    "GELU('tanh')": () => new nn.GELU({ approximate: 'tanh' }), 'SiLU()': () => new nn.SiLU(),
    'SiLU(true)': () => new nn.SiLU({ inplace: true }), 'Mish()': () => new nn.Mish(), 'Mish(true)': () => new nn.Mish(true),
    'Hardswish(true)': () => new nn.Hardswish(true), 'Hardsigmoid()': () => new nn.Hardsigmoid(),
    'Softplus()': () => new nn.Softplus(), 'Softplus(2, 10.5)': () => new nn.Softplus(2, 10.5),
    'Softsign()': () => new nn.Softsign(), 'PReLU()': () => new nn.PReLU(), 'PReLU(3, 0.1)': () => new nn.PReLU(3, 0.1),
    'LayerNorm(5)': () => new nn.LayerNorm(5),
    'LayerNorm([2, 3], eps 1e-6, no affine)': () => new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }),
    'GroupNorm(2, 4)': () => new nn.GroupNorm(2, 4), 'GroupNorm(2, 4, no affine)': () => new nn.GroupNorm(2, 4, { affine: false }),
    'BatchNorm1d(3)': () => new nn.BatchNorm1d(3), 'InstanceNorm2d(3)': () => new nn.InstanceNorm2d(3),
    'InstanceNorm2d(3, affine, track)': () => new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }),
    'Embedding(10, 3)': () => new nn.Embedding(10, 3),
    'Embedding(10, 3, padding_idx=0, max_norm=1.0)': () => new nn.Embedding(10, 3, { paddingIdx: 0, maxNorm: 1.0 }),
    'Sequential(act)': () => new nn.Sequential(new nn.Linear(4, 4), new nn.LayerNorm(4), new nn.GELU(), new nn.PReLU(4), new nn.Hardswish()),
  };
  for (const c of load('modules')) {
    test(c.name, () => {
      const m = make[c.name]();
      expect(m.toString()).toBe(c.repr);
      const sd = m.stateDict() as Record<string, Tensor>;
      expect(Object.keys(sd)).toEqual(c.keys);
      expect(Object.values(sd).map((t) => t.shape)).toEqual(c.shapes);
      for (const [k, v] of Object.entries(c.values as Record<string, number[]>)) {
        if (c.name.startsWith('Sequential') && k.startsWith('0.')) continue;  // Linear: random init
        if (c.name.startsWith('Embedding')) continue;  // N(0, 1) init: shapes only
        expectClose(sd[k], v, 1e-7, 0, k);
      }
    });
  }
});
