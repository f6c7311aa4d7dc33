/** F.scaledDotProductAttention against PyTorch 1.13's explicit formula in float64 (test/fixtures/attention/sdpa.json). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { expectClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';

interface T { shape: number[]; data: (number | string | boolean)[] }
const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'attention', 'sdpa.json'), 'utf8'));
const nums = (t: T) => t.data.map((v) => Number(v));
const ten = (t: T) => (typeof t.data[0] === 'boolean'
  ? torch.tensor(t.data as boolean[], { dtype: 'bool' }).reshape(t.shape)
  : new Tensor(Float32Array.from(nums(t)), t.shape));

describe('scaledDotProductAttention matches PyTorch', () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const q = ten(c.q).requiresGrad_(true), k = ten(c.k).requiresGrad_(true), v = ten(c.v).requiresGrad_(true);
      const out = F.scaledDotProductAttention(q, k, v, {
        attnMask: c.mask ? ten(c.mask) : null, isCausal: c.causal, scale: c.scale,
      });
      expect(out.shape).toEqual(c.out.shape);
      expectClose(out, nums(c.out), 1e-4, 1e-5, 'out');
      out.backward(ten(c.gy));
      expectClose(q.grad!, nums(c.gq), 1e-3, 1e-4, 'gradQuery');
      expectClose(k.grad!, nums(c.gk), 1e-3, 1e-4, 'gradKey');
      expectClose(v.grad!, nums(c.gv), 1e-3, 1e-4, 'gradValue');
    });
  }
});

describe('scaledDotProductAttention', () => {
  torch.manualSeed(3);
  const r = (...s: number[]) => torch.randn(s);

  test('gradcheck: plain, causal, float mask', () => {
    gradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)]);
    gradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }), [r(1, 2, 5, 3), r(1, 2, 5, 3), r(1, 2, 5, 2)]);
    const m = r(3, 5);
    gradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: m, scale: 0.7 }), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)]);
  });

  test('gradcheck with dropout (the same mask regenerated in backward)', () => {
    // The finite differences rerun the forward: reseed before each call so the mask repeats.
    gradcheck((q, k, v) => {
      torch.manualSeed(11);
      return F.scaledDotProductAttention(q, k, v, { dropoutP: 0.3 });
    }, [r(2, 4, 3), r(2, 6, 3), r(2, 6, 2)]);
  });

  test('dropout: p = 1 gives zeros; weights are dropped at about rate p and kept ones scaled by 1/(1-p)', () => {
    const q = r(1, 4, 3), k = r(1, 6, 3), v = r(1, 6, 2);
    expect(Array.from(F.scaledDotProductAttention(q, k, v, { dropoutP: 1 }).storage)).toEqual(new Array(8).fill(0));
    // With v = identity rows, out[i] = dropped weights of row i: each is 0 or softmax / (1 - p).
    const L = 64, S = 32, p = 0.25;
    const qq = r(L, 4), kk = r(S, 4), eye = torch.eye(S);
    const w = F.scaledDotProductAttention(qq, kk, eye).storage;
    const wd = F.scaledDotProductAttention(qq, kk, eye, { dropoutP: p }).storage;
    let dropped = 0;
    for (let i = 0; i < w.length; i++) {
      if (wd[i] === 0) dropped++;
      else expect(Math.abs(wd[i] - w[i] / (1 - p))).toBeLessThan(1e-5 + 1e-4 * w[i]);
    }
    expect(dropped / w.length).toBeGreaterThan(0.2);
    expect(dropped / w.length).toBeLessThan(0.3);
  });

  test('a query row with every key masked out is NaN, as PyTorch', () => {
    const mask = torch.tensor([[true, true], [false, false]], { dtype: 'bool' });
    const out = F.scaledDotProductAttention(r(2, 3), r(2, 3), r(2, 1), { attnMask: mask }).storage;
    expect(Number.isFinite(out[0])).toBe(true);
    expect(Number.isNaN(out[1])).toBe(true);
  });

  test('a mask broadcast over queries (key padding [N, 1, 1, S]) equals the expanded mask', () => {
    const q = r(2, 3, 5, 4), k = r(2, 3, 6, 4), v = r(2, 3, 6, 2);
    const pad = torch.tensor([[true, true, true, true, false, false], [true, true, true, true, true, true]], { dtype: 'bool' }).reshape(2, 1, 1, 6);
    const a = F.scaledDotProductAttention(q, k, v, { attnMask: pad });
    const b = F.scaledDotProductAttention(q, k, v, { attnMask: pad.expand(2, 3, 5, 6).contiguous() });
    expectClose(a, Array.from(b.storage), 0, 0, 'out');
  });

  test('no key: zeros', () => {
    const out = F.scaledDotProductAttention(r(2, 3, 4), r(2, 0, 4), r(2, 0, 5));
    expect(out.shape).toEqual([2, 3, 5]);
    expect(Array.from(out.storage).every((x) => x === 0)).toBe(true);
  });

  test('non-contiguous inputs (transposed heads) give the contiguous result', () => {
    const q = r(2, 5, 3, 4), k = r(2, 6, 3, 4), v = r(2, 6, 3, 4);
    const a = F.scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));
    const b = F.scaledDotProductAttention(q.transpose(1, 2).contiguous(), k.transpose(1, 2).contiguous(), v.transpose(1, 2).contiguous());
    expectClose(a, Array.from(b.storage), 0, 0, 'out');
  });

  test('bad input gives named errors', () => {
    const q = r(2, 3, 4);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 3), r(2, 5, 3))).toThrow(/scaledDotProductAttention: expected key with the query's last dim 4/);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 4), r(2, 6, 3))).toThrow(/expected value with the key's length 5/);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 4), r(2, 5, 3), { isCausal: true, attnMask: r(3, 5) }))
      .toThrow(/attnMask should not be set when isCausal/);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 4), r(2, 5, 3), { attnMask: r(4, 5) })).toThrow(/not broadcastable/);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 4), r(2, 5, 3), { dropoutP: 2 })).toThrow(/dropoutP must be a probability/);
    expect(() => F.scaledDotProductAttention(r(4), r(5, 4), r(5, 3))).toThrow(/at least 2 dims/);
    expect(() => F.scaledDotProductAttention(q, r(3, 5, 4), r(3, 5, 3))).toThrow(RangeError);
    expect(() => F.scaledDotProductAttention(q, r(2, 5, 4), r(2, 5, 3), { foo: 1 } as never)).toThrow(/unknown option 'foo'/);
  });

  test('the native binding re-checks sizes', () => {
    const n = require('../../lib/native').native as Record<string, (...a: unknown[]) => void>;
    const f = (len: number) => new Float32Array(len);
    // geom claims 2 x 3 x 4 queries but the buffer holds 6.
    expect(() => n.attention(f(6), f(40), f(30), null, [2, 3, 5, 4, 3, 0, 3], 0.5, false, 0, 0, 0, f(18), f(6)))
      .toThrow(/torchlet.scaledDotProductAttention: query holds 6 values, expected 24/);
    expect(() => n.attention(f(24), f(40), f(30), null, [2, 3, 5, 4, 3, 1, 3], 0.5, false, 0, 0, 0, f(18), f(6)))
      .toThrow(/a mask was given with maskBatch 0|mask must be a Float32Array|mask holds/);
    expect(() => n.attention(f(24), f(40), f(30), null, [2, 3, 5, 4, 3, 0, 3], 0.5, false, 0, 0, 0, f(17), f(6)))
      .toThrow(/out holds 17 values/);
    expect(() => n.attention(f(24), f(40), f(30), null, [2 ** 40, 2 ** 40, 5, 4, 3, 0, 2 ** 40], 0.5, false, 0, 0, 0, f(18), f(6)))
      .toThrow(/too large/);
    expect(() => n.attention(f(24), f(40), f(30), f(10), [2, 3, 5, 4, 3, 1, 2], 0.5, false, 0, 0, 0, f(18), f(6)))
      .toThrow(/maskRows must be 1 or l, got 2/);
    expect(() => n.attention(f(24), f(40), f(30), f(9), [2, 3, 5, 4, 3, 2, 1], 0.5, false, 0, 0, 0, f(18), f(6)))
      .toThrow(/mask holds 9 values, expected 10/);
  });
});
