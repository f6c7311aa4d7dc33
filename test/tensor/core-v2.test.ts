/**
 * Tensor core v2 semantics that fixtures cannot show: storage sharing of views, strides, dtype
 * plumbing, autograd version rules, async grad mode, printing and errors. Values follow PyTorch 1.13
 * (checked by hand in /usr/bin/python3 where noted).
 */
import * as torch from '../../lib';

describe('views share storage', () => {
  test('w.narrow(0, 0, 1).zero_() zeroes w\'s first row', () => {
    const w = torch.tensor([[1, 2], [3, 4]]);
    w.narrow(0, 0, 1).zero_();
    expect(w.toArray()).toEqual([[0, 0], [3, 4]]);
  });

  test('transpose / permute / select / expand are views with PyTorch strides', () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    expect(x.stride()).toEqual([12, 4, 1]);
    const t = x.transpose(0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.stride()).toEqual([1, 4, 12]);
    expect(t.isContiguous()).toBe(false);
    expect(t.contiguous().isContiguous()).toBe(true);
    const s = x.select(1, 2);
    expect(s.storageOffset()).toBe(8);
    expect(s.stride()).toEqual([12, 1]);
    const e = torch.tensor([[1], [2]]).expand(2, 3);
    expect(e.stride()).toEqual([1, 0]);
    expect(e.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    t.select(0, 1).fill_(-1);  // x[:, :, 1] = -1
    expect(x.select(2, 1).toArray()).toEqual([[-1, -1, -1], [-1, -1, -1]]);
  });

  test('view errors on incompatible strides where reshape copies', () => {
    const t = torch.randn(3, 4).t();
    expect(() => t.view(12)).toThrow(/view size is not compatible with input tensor's size and stride/);
    expect(t.reshape(12).shape).toEqual([12]);
  });

  test('index with basic specs returns a view; tensor specs return a copy', () => {
    const x = torch.zeros(3, 4);
    x.index(1, [1, 3]).fill_(5);
    expect(x.toArray()).toEqual([[0, 0, 0, 0], [0, 5, 5, 0], [0, 0, 0, 0]]);
    const c = x.index(torch.tensor([1], { dtype: 'int64' }));
    c.fill_(9);
    expect(x.sum().item()).toBe(10);
  });

  test('indexPut_ writes through advanced and mask indices', () => {
    const x = torch.zeros(3, 3);
    x.indexPut_([torch.tensor([0, 2], { dtype: 'int64' }), torch.tensor([1, 0], { dtype: 'int64' })], 7);
    expect(x.toArray()).toEqual([[0, 7, 0], [0, 0, 0], [7, 0, 0]]);
    x.indexPut_([x.gt(0)], torch.tensor(-1));
    expect(x.sum().item()).toBe(-2);
    const acc = torch.zeros(3);
    acc.indexPut_([torch.tensor([0, 0, 2], { dtype: 'int64' })], torch.tensor([1, 2, 3]), true);
    expect(acc.toArray()).toEqual([3, 0, 3]);
  });
});

describe('dtypes', () => {
  test('creation with dtype, conversions, constants', () => {
    const i = torch.tensor([1.9, -2.7], { dtype: 'int64' });
    expect(i.dtype).toBe('int64');
    expect(i.toArray()).toEqual([1, -2]);
    expect(torch.tensor(new BigInt64Array([2n ** 40n])).item()).toBe(2 ** 40);
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.zeros(2, { dtype: torch.long }).dtype).toBe('int64');
    expect(torch.ones([2], { dtype: 'bool' }).toArray()).toEqual([true, true]);
    expect(torch.full([2], 3, { dtype: 'int64' }).toArray()).toEqual([3, 3]);
    expect(torch.arange(4, { dtype: 'int64' }).toArray()).toEqual([0, 1, 2, 3]);
    expect(torch.arange(1, 7, 2, { dtype: 'int64' }).toArray()).toEqual([1, 3, 5]);
    expect(torch.randperm(5).dtype).toBe('int64');
    expect(torch.randint(0, 10, [100]).dtype).toBe('int64');
    expect(torch.onesLike(i).dtype).toBe('int64');
    expect(i.float().dtype).toBe('float32');
    expect(i.bool().toArray()).toEqual([true, true]);
    expect(torch.int64).toBe('int64');
    expect(torch.float32).toBe('float32');
  });

  test('int64 beyond 2^53 is exact in storage and an error as a JS number', () => {
    const big = torch.tensor(new BigInt64Array([2n ** 60n + 1n]));
    expect(big.toBigInt64Array()[0]).toBe(2n ** 60n + 1n);
    expect(big.add(1).toBigInt64Array()[0]).toBe(2n ** 60n + 2n);
    expect(() => big.item()).toThrow(/cannot be represented exactly as a JS number/);
  });

  test('only floating tensors require grad; int ops that PyTorch refuses are refused', () => {
    expect(() => torch.tensor([1, 2], { dtype: 'int64', requiresGrad: true })).toThrow(/only Tensors of floating point dtype can require gradients/);
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    expect(() => i.mean()).toThrow(/mean: could not infer output dtype/);
    expect(() => i.reshape(1, 2).matmul(i.reshape(2, 1))).toThrow(/not implemented for 'Long'/);
    expect(() => i.softmax(0)).toThrow(/not implemented for 'Long'/);
    expect(() => torch.tensor([1.5]).index(torch.tensor([0]))).toThrow(/tensors used as indices must be long \(int64\) or bool tensors/);
  });

  test('in-place ops keep the destination dtype and refuse an unsafe cast', () => {
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    i.add_(3);
    expect(i.toArray()).toEqual([4, 5]);
    expect(() => i.mul_(0.5)).toThrow(/result type Float can't be cast to the desired output type Long/);
  });

  test('int64 class targets work in the losses', () => {
    const logits = torch.tensor([[2, 0.5, -1], [0.1, 0.2, 3]], { requiresGrad: true });
    const a = torch.nn.functional.crossEntropy(logits, torch.tensor([0, 2], { dtype: 'int64' }));
    const b = torch.nn.functional.crossEntropy(logits, torch.tensor([0, 2]));
    expect(a.item()).toBeCloseTo(b.item(), 6);
  });

  test('printing int64 and bool as PyTorch does', () => {
    expect(String(torch.tensor([1, -20, 3], { dtype: 'int64' }))).toBe('tensor([  1, -20,   3])');
    expect(String(torch.tensor([true, false]))).toBe('tensor([ True, False])');
    expect(String(torch.zeros(0, { dtype: 'int64' }))).toBe('tensor([], dtype=torch.int64)');
  });
});

describe('tuple-like (values, indices)', () => {
  test('destructures as PyTorch\'s named tuple', () => {
    const x = torch.tensor([[1, 5, 3], [7, 2, 7]]);
    const [values, indices] = x.max(1);
    expect(values.toArray()).toEqual([5, 7]);
    expect(indices.toArray()).toEqual([1, 0]);
    expect(indices.dtype).toBe('int64');
    const r = x.topk(2);
    expect(r.values.toArray()).toEqual(r[0].toArray());
  });
});

describe('autograd version checks on saved tensors only', () => {
  test('c = a.add(b); a.mul_(2); c.sum().backward() works (add saves nothing)', () => {
    const w = torch.ones(3, { requiresGrad: true });
    const a = w.mul(1);
    const c = a.add(torch.ones(3));
    a.mul_(2);
    c.sum().backward();
    expect(w.grad!.toArray()).toEqual([1, 1, 1]);
  });

  test('modifying a tensor exp saved for backward is an error at backward', () => {
    const w = torch.ones(3, { requiresGrad: true });
    const y = w.mul(3);
    const z = y.mul(2);
    y.add_(1);
    expect(() => z.sum().backward()).not.toThrow();  // mul by a scalar saves nothing of y
    const y2 = w.exp();
    y2.add_(1);
    expect(() => y2.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  test('in-place on a leaf that requires grad is refused outside noGrad, allowed inside', () => {
    const w = torch.ones(2, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    expect(() => w.narrow(0, 0, 1).zero_()).toThrow(/a view of a leaf Variable/);
    torch.noGrad(() => w.narrow(0, 0, 1).zero_());
    expect(w.toArray()).toEqual([0, 1]);
  });

  test('an in-place op reading a sibling view it modifies is an error at backward, as in PyTorch', () => {
    const a = torch.rand(3, 4, { requiresGrad: true });
    const y = a.mul(1);
    y.select(1, 0).mul_(y.select(1, 1));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  test('gradients through views reach the base', () => {
    const x = torch.arange(6).reshape(2, 3).requiresGrad_();
    x.t().index([0, 2]).mul(torch.tensor([[1, 2], [3, 4]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 3, 0], [2, 4, 0]]);
  });
});

describe('grad mode across awaits', () => {
  test('noGrad(async fn) keeps grad off after await, and not outside', async () => {
    const w = torch.ones(2, { requiresGrad: true });
    const inside = torch.noGrad(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return [torch.isGradEnabled(), w.mul(2).requiresGrad];
    });
    expect(torch.isGradEnabled()).toBe(true);
    const outside = w.mul(2).requiresGrad;
    expect(await inside).toEqual([false, false]);
    expect(outside).toBe(true);
  });

  test('enableGrad inside noGrad, and inferenceMode', () => {
    const w = torch.ones(1, { requiresGrad: true });
    expect(torch.noGrad(() => torch.enableGrad(() => w.mul(2).requiresGrad))).toBe(true);
    expect(torch.inferenceMode(() => w.mul(2).requiresGrad)).toBe(false);
  });
});

describe('scalars and edge shapes', () => {
  test('permute([]) and transpose of a 0-dim tensor give the scalar (no crash)', () => {
    const s = torch.tensor(3);
    expect(s.permute([]).item()).toBe(3);
    expect(s.t().item()).toBe(3);
  });

  test('empty tensors', () => {
    expect(torch.zeros(0, 3).sum(0).toArray()).toEqual([0, 0, 0]);
    expect(torch.zeros(0).index(torch.zeros(0, { dtype: 'bool' })).shape).toEqual([0]);
    expect(torch.zeros(2, 0).t().shape).toEqual([0, 2]);
  });

  test('bad specs name the problem', () => {
    const x = torch.zeros(2, 3);
    expect(() => x.index(0, 0, 0)).toThrow(/too many indices for tensor of dimension 2/);
    expect(() => x.index(5)).toThrow(/index 5 is out of bounds for dimension 0 with size 2/);
    expect(() => x.index(torch.tensor([7], { dtype: 'int64' }))).toThrow(/index 7 is out of bounds/);
    expect(() => x.index(null, [0, 2, 0])).toThrow(/step must be greater than zero/);
    expect(() => x.index(torch.tensor([true, false, true]))).toThrow(/the shape of the mask \[3\] at index 0 does not match/);
    expect(() => x.gather(1, torch.tensor([[3]], { dtype: 'int64' }))).toThrow(/out of bounds/);
    expect(() => torch.einsum('ij,jk->ik', x, x)).toThrow(/einsum/);
  });
});

describe('comparison helpers', () => {
  test('isclose / allclose / equal', () => {
    const a = torch.tensor([1, 2, NaN]), b = torch.tensor([1 + 1e-7, 2.1, NaN]);
    expect(torch.isclose(a, b).toArray()).toEqual([true, false, false]);
    expect(torch.isclose(a, b, { equalNan: true, atol: 0.2 }).toArray()).toEqual([true, true, true]);
    expect(torch.allclose(a.index([0, 1]), b.index([0, 1]), { atol: 0.2 })).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 3]))).toBe(false);
  });

  test('linspace and eye', () => {
    expect(torch.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  test('multinomial draws only categories with weight', () => {
    torch.manualSeed(1);
    const s = torch.multinomial(torch.tensor([0, 1, 0, 3]), 200, true);
    expect(s.dtype).toBe('int64');
    const counts = [0, 0, 0, 0];
    for (const v of s.toArray() as number[]) counts[v]++;
    expect(counts[0] + counts[2]).toBe(0);
    expect(counts[3]).toBeGreaterThan(counts[1]);
    const w = torch.multinomial(torch.tensor([1, 1, 1]), 3);
    expect([...(w.toArray() as number[])].sort()).toEqual([0, 1, 2]);
  });
});

test('softmax / logSoftmax take PyTorch\'s keyword form as { dim }', () => {
  const torch = require('../../lib');
  const x = torch.tensor([[1, 2], [3, 5]]);
  expect(Array.from(torch.nn.functional.softmax(x, { dim: 0 }).storage as Float32Array))
    .toEqual(Array.from(torch.nn.functional.softmax(x, 0).storage as Float32Array));
  expect(Array.from(torch.nn.functional.logSoftmax(x, { dim: 1 }).storage as Float32Array))
    .toEqual(Array.from(torch.nn.functional.logSoftmax(x, 1).storage as Float32Array));
});
