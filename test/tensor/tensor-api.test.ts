/** The Tensor section of API.md: creation, reading, ops, in-place rules, errors. */
import { inspect } from 'util';
import * as torch from '../../lib';

describe('creation', () => {
  test('both shape forms', () => {
    for (const f of [torch.zeros, torch.ones, torch.empty, torch.randn, torch.rand]) {
      expect(f(2, 3).shape).toEqual([2, 3]);
      expect(f([2, 3]).shape).toEqual([2, 3]);
    }
    expect(torch.zeros(2, 2).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(torch.ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(torch.zeros().shape).toEqual([]);
  });

  test('tensor from numbers, nested arrays and flat Float32Array', () => {
    expect(torch.tensor(3).shape).toEqual([]);
    expect(torch.tensor(3).item()).toBe(3);
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const f = torch.tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(f.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(torch.tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  test('full, arange, zerosLike', () => {
    expect(torch.full([2], 7).toArray()).toEqual([7, 7]);
    expect(torch.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(torch.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    const z = torch.zerosLike(torch.ones(2, 3));
    expect(z.shape).toEqual([2, 3]);
    expect(z.sum().item()).toBe(0);
  });

  test('bad creation input names the problem', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(/not rectangular.*\[1\]/);
    expect(() => torch.tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(/shape \[2, 2\] needs 4 values, got 5/);
    expect(() => torch.zeros(2, -1)).toThrow(/non-negative integers/);
    expect(() => torch.tensor([1, 'a' as unknown as number])).toThrow(/expected a number at \[1\]/);
  });

  test('manualSeed makes randn/rand reproducible', () => {
    torch.manualSeed(42);
    const a = torch.randn(100).toFloat32Array();
    const b = torch.rand(5).toFloat32Array();
    torch.manualSeed(42);
    expect(torch.randn(100).toFloat32Array()).toEqual(a);
    expect(torch.rand(5).toFloat32Array()).toEqual(b);
    const n = torch.randn(20000);
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.pow(2).mean().item() - 1)).toBeLessThan(0.05);
    const u = torch.rand(20000);
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
  });
});

describe('reading', () => {
  const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
  test('shape, size, dim, numel, dtype', () => {
    expect(t.shape).toEqual([2, 3]);
    expect(t.size()).toEqual([2, 3]);
    expect(t.size(-1)).toBe(3);
    expect(t.dim()).toBe(2);
    expect(t.numel()).toBe(6);
    expect(t.dtype).toBe('float32');
    expect(() => (t.shape as number[]).push(1)).toThrow();
  });
  test('toFloat32Array is a copy', () => {
    const a = t.toFloat32Array();
    a[0] = 100;
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });
  test('item on a multi-element tensor is an error naming the count', () => {
    expect(() => t.item()).toThrow(/6 elements.*\[2, 3\]/);
  });
  test('printing matches PyTorch style', () => {
    expect(String(torch.tensor([[1, 2], [3, 4]]))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(inspect(torch.tensor([0.5, -1.25]))).toBe('tensor([ 0.5000, -1.2500])');
    expect(String(torch.tensor([1], { requiresGrad: true }))).toBe('tensor([1.], requires_grad=True)');
    expect(String(torch.tensor([2], { requiresGrad: true }).mul(2))).toBe('tensor([4.], grad_fn=<MulBackward0>)');
  });
});

describe('ops', () => {
  test('methods and torch.X forms agree', () => {
    const a = torch.tensor([1, 2, 3]), b = torch.tensor([4, 5, 6]);
    expect(torch.add(a, b).toArray()).toEqual(a.add(b).toArray());
    expect(torch.mul(a, 2).toArray()).toEqual([2, 4, 6]);
    expect(a.sub(b).toArray()).toEqual([-3, -3, -3]);
    expect(b.div(2).toArray()).toEqual([2, 2.5, 3]);
  });

  test('comparisons give bool tensors, as in PyTorch', () => {
    const a = torch.tensor([1, 2, 3]);
    expect(a.eq(2).dtype).toBe('bool');
    expect(a.eq(2).toArray()).toEqual([false, true, false]);
    expect(a.gt(1).toArray()).toEqual([false, true, true]);
    expect(a.lt(torch.tensor([2, 2, 2])).toArray()).toEqual([true, false, false]);
    expect(a.ge(2).toArray()).toEqual([false, true, true]);
    expect(a.le(2).toArray()).toEqual([true, true, false]);
  });

  test('max/min with dim return {values, indices}; argmax', () => {
    const a = torch.tensor([[1, 5, 3], [7, 2, 7]]);
    const { values, indices } = a.max(1);
    expect(values.toArray()).toEqual([5, 7]);
    expect(indices.toArray()).toEqual([1, 0]);
    expect(a.min(0).indices.toArray()).toEqual([0, 1, 0]);
    expect(a.max().item()).toBe(7);
    expect(a.argmax().item()).toBe(3);
    expect(a.argmax(1).toArray()).toEqual([1, 0]);
    expect(a.argmax(1, true).shape).toEqual([2, 1]);
  });

  test('shape ops', () => {
    const a = torch.arange(24).reshape(2, 3, 4);
    expect(a.view(-1, 4).shape).toEqual([6, 4]);
    expect(a.flatten(1).shape).toEqual([2, 12]);
    expect(a.flatten(0, 1).shape).toEqual([6, 4]);
    expect(a.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(a.transpose(0, 2).toArray()).toEqual(a.permute(2, 1, 0).toArray());
    expect(a.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
    expect(a.unsqueeze(0).squeeze(0).shape).toEqual([2, 3, 4]);
    expect(a.narrow(2, 1, 2).toArray()).toEqual([[[1, 2], [5, 6], [9, 10]], [[13, 14], [17, 18], [21, 22]]]);
    expect(torch.cat([a, a], -1).shape).toEqual([2, 3, 8]);
    expect(torch.stack([a, a], 1).shape).toEqual([2, 2, 3, 4]);
  });

  test('softmax is numerically stable', () => {
    const y = torch.tensor([[1000, 1001, 1002], [-1000, -1000, -1000]]).softmax(1);
    const v = y.toFloat32Array();
    expect(Array.from(v).every(Number.isFinite)).toBe(true);
    expect(y.sum(1).toArray()).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
    const l = torch.tensor([[1000, 0]]).logSoftmax(1).toArray() as number[][];
    expect(l[0][0]).toBeCloseTo(0, 5);
    expect(l[0][1]).toBeCloseTo(-1000, 3);
  });
});

describe('errors name the op, the shapes and the dim', () => {
  test('broadcast mismatch', () => {
    expect(() => torch.ones(2, 3).add(torch.ones(4))).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast.*dim 1/);
  });
  test('matmul inner dims', () => {
    expect(() => torch.ones(2, 3).matmul(torch.ones(4, 5))).toThrow(/matmul: shapes \[2, 3\] and \[4, 5\].*3 != 4/);
  });
  test('dim out of range', () => {
    expect(() => torch.ones(2, 3).sum(2)).toThrow(/sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
    expect(() => torch.ones(2, 3).softmax(-3)).toThrow(/softmax: dimension out of range/);
    expect(() => torch.ones(2, 3).transpose(0, 5)).toThrow(/transpose: dimension out of range/);
  });
  test('reshape to an incompatible size', () => {
    expect(() => torch.ones(2, 3).reshape(4, -1)).toThrow(/shape \[4, -1\] is invalid for input of size 6/);
  });
  test('cat with mismatched shapes', () => {
    expect(() => torch.cat([torch.ones(2, 3), torch.ones(2, 4)], 0)).toThrow(/cat: sizes of tensors must match except in dimension 0/);
  });
  test('wrong argument types', () => {
    expect(() => torch.ones(2).add('x' as unknown as number)).toThrow(TypeError);
    expect(() => torch.ones(2).matmul(null as unknown as torch.Tensor)).toThrow(/matmul: both arguments must be Tensors/);
  });
  test('native layer rejects what slips past TS with a JS error, not a crash', () => {

    const { native } = require('../../lib/native');
    expect(() => native.unary(0, new Float32Array(4), new Float32Array(3))).toThrow(/torchlet.unary: out holds 3 values, expected 4/);
    expect(() => native.gemm(1, false, false, 4, 4, 4, new Float32Array(3), 0, new Float32Array(16), 0, new Float32Array(16), 16, 1, 0))
      .toThrow(/torchlet.matmul: a holds 3 values/);
    expect(() => native.unary(99, new Float32Array(1), new Float32Array(1))).toThrow(/op must be an integer in \[0, 10\]/);
    expect(() => native.binary(0, new Int32Array(2), [2], new Float32Array(2), [2], new Float32Array(2))).toThrow(/a must be a Float32Array/);
  });
});

describe('in place', () => {
  test('zero_ fill_ copy_ add_ mul_', () => {
    const t = torch.ones(2, 2);
    expect(t.add_(torch.tensor([1, 2])).toArray()).toEqual([[2, 3], [2, 3]]);
    expect(t.mul_(2).toArray()).toEqual([[4, 6], [4, 6]]);
    expect(t.add_(torch.ones(2, 2), -0.5).toArray()).toEqual([[3.5, 5.5], [3.5, 5.5]]);
    expect(t.copy_(torch.tensor([[1, 2], [3, 4]])).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(t.fill_(9).toArray()).toEqual([[9, 9], [9, 9]]);
    expect(t.zero_().sum().item()).toBe(0);
  });

  test('a leaf that requires grad cannot be changed in place outside noGrad', () => {
    const w = torch.ones(3, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/leaf Variable that requires grad is being used in an in-place operation/);
    torch.noGrad(() => w.add_(1));
    expect(w.toArray()).toEqual([2, 2, 2]);
  });

  test('in-place change of a saved tensor is caught at backward', () => {
    const w = torch.ones(3, { requiresGrad: true });
    const x = torch.tensor([1, 2, 3]);
    const y = w.mul(x).sum();
    x.mul_(2);
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });

  test('a broadcast that would change the shape is rejected', () => {
    expect(() => torch.ones(2).add_(torch.ones(2, 2))).toThrow(/doesn't match the broadcast shape/);
  });
});

describe('dispose', () => {
  test('frees storage; later use is a clear error', () => {
    const t = torch.ones(1000);
    const view = t.view(10, 100);
    t.dispose();
    expect(() => t.sum()).toThrow(/has been disposed/);
    expect(() => view.sum()).toThrow(/has been disposed/);
    t.dispose();  // idempotent
  });
  test('Symbol.dispose', () => {
    const t = torch.ones(10);
    t[Symbol.dispose]();
    expect(() => t.item()).toThrow(/disposed/);
  });
});

describe('runtime', () => {
  test('backend reports version, ISA and threads', () => {
    const b = torch.backend();
    expect(b.version).toBe(require('../../package.json').version);
    expect(b.isaSupported).toContain(b.isa);
    expect(b.threads).toBe(torch.getNumThreads());
  });
  test('setNumThreads / getNumThreads', () => {
    const n = torch.getNumThreads();
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    const a = torch.randn(64, 64), b = torch.randn(64, 64);
    const one = a.matmul(b).toFloat32Array();
    torch.setNumThreads(n);
    expect(a.matmul(b).toFloat32Array()).toEqual(one);
    expect(() => torch.setNumThreads(0)).toThrow(/positive integer/);
  });
});
