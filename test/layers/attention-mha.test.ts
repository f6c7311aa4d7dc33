/** nn.MultiheadAttention against PyTorch 1.13 (test/fixtures/attention/mha.json, mha_init.json). */
import * as torch from '../../lib';
import { nn } from '../../lib';
import { Tensor } from '../../lib/tensor';
import { expectClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { camel, loadFx, nums, stateOf, ten } from './attention-fixtures';

const fx = loadFx('mha');
const init = loadFx('mha_init');

function build(ctor: Record<string, unknown>): nn.MultiheadAttention {
  const { embed_dim: e, num_heads: h, ...rest } = ctor;
  return new nn.MultiheadAttention(e as number, h as number, camel(rest));
}

describe('MultiheadAttention matches PyTorch', () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const m = build(c.ctor);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expect(m.toString()).toBe(c.repr);
      m.loadStateDict(stateOf(c.state));
      const inputs = c.self ? (() => { const x = ten(c.inputs[0]).requiresGrad_(true); return [x, x, x]; })()
        : c.inputs.map((t: never) => ten(t).requiresGrad_(true));
      const kw = camel(Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, typeof v === 'object' ? ten(v as never) : v])));
      if (c.causal) {
        delete kw.attnMask;
        kw.isCausal = true;
      }
      const [out, w] = m(inputs[0], inputs[1], inputs[2], kw);
      expect(out.shape).toEqual(c.out.shape);
      expectClose(out, nums(c.out), 1e-4, 1e-5, 'out');
      if (c.weights) expectClose(w!, nums(c.weights), 1e-4, 1e-5, 'weights');
      else expect(w).toBeNull();
      out.backward(ten(c.gy));
      const uniq = c.self ? [inputs[0]] : inputs;
      uniq.forEach((x: Tensor, i: number) => expectClose(x.grad!, nums(c.gin[i]), 1e-3, 1e-4, `grad input ${i}`));
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, nums(c.gparams[name]), 1e-3, 1e-4, `grad ${name}`);
    });
  }
});

describe('MultiheadAttention', () => {
  test('init, repr and keys as PyTorch', () => {
    torch.manualSeed(0);
    const m = new nn.MultiheadAttention(16, 4);
    expect(m.toString()).toBe(init.repr);
    expect(Object.keys(m.stateDict())).toEqual(init.keys);
    expect(Object.keys(new nn.MultiheadAttention(16, 4, { kdim: 8, vdim: 4 }).stateDict())).toEqual(init.kdim_keys);
    // xavier_uniform bound for [48, 16]: sqrt(6 / (16 + 48)).
    const w = m.in_proj_weight!.storage, bound = Math.sqrt(6 / 64);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(m.in_proj_bias!.storage).every((x) => x === 0)).toBe(true);
    expect(Array.from(m.out_proj.bias!.storage).every((x) => x === 0)).toBe(true);
    expect(m.out_proj).toBeInstanceOf(nn.Linear);
  });

  test('the fused path (needWeights false) equals the explicit one (needWeights true)', () => {
    torch.manualSeed(2);
    const m = new nn.MultiheadAttention(12, 3, { batchFirst: true });
    const x = torch.randn([2, 7, 12]);
    const kpm = torch.tensor([[false, false, false, false, false, true, true], [false, false, false, false, false, false, false]], { dtype: 'bool' });
    for (const kw of [{}, { isCausal: true }, { keyPaddingMask: kpm }, { keyPaddingMask: kpm, isCausal: true }]) {
      const [a] = m(x, x, x, { ...kw, needWeights: false });
      const [b, w] = m(x, x, x, { ...kw, needWeights: true });
      expectClose(a, Array.from(b.storage), 1e-5, 1e-6, JSON.stringify(Object.keys(kw)));
      expect(w!.shape).toEqual([2, 7, 7]);
    }
    // isCausal: row 0 attends to key 0 only.
    const [, w] = m(x, x, x, { isCausal: true });
    expect(w!.storage[0]).toBeCloseTo(1, 6);
    expect(w!.storage[1]).toBe(0);
  });

  test('gradcheck through the fused path', () => {
    torch.manualSeed(4);
    const m = new nn.MultiheadAttention(4, 2);
    gradcheck((x) => m(x, x, x, { needWeights: false, isCausal: true })[0], [torch.randn([3, 2, 4])]);
  });

  test('dropout only in training', () => {
    torch.manualSeed(5);
    const m = new nn.MultiheadAttention(8, 2, { dropout: 0.5 });
    const x = torch.randn([5, 2, 8]);
    m.eval();
    const [a] = m(x, x, x);
    const [b] = m(x, x, x, { needWeights: false });
    expectClose(a, Array.from(b.storage), 1e-5, 1e-6, 'eval');
    m.train();
    const [c] = m(x, x, x, { needWeights: false });
    expect(Array.from(c.storage)).not.toEqual(Array.from(a.storage));
  });

  test('bad arguments give named errors', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/embed_dim must be divisible by num_heads/);
    expect(() => new nn.MultiheadAttention(8, 2, { addBiasKv: true })).toThrow(/not supported/);
    const m = new nn.MultiheadAttention(8, 2);
    const x = torch.randn([5, 2, 8]);
    expect(() => m(x, x, x, { attnMask: torch.zeros([4, 5]) })).toThrow(/expected attnMask of shape \[5, 5\] or \[4, 5, 5\]/);
    expect(() => m(x, x, x, { keyPaddingMask: torch.zeros([2, 4]) })).toThrow(/expected keyPaddingMask of shape \[2, 5\]/);
    expect(() => m(x, torch.randn([5, 2, 6]), x)).toThrow(/kdim and vdim not set/);
    expect(() => m(torch.randn([8]), x, x)).toThrow(/unbatched 2-D or batched 3-D/);
  });
});
