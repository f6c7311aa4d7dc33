/** Autograd semantics as in PyTorch: graph recording, accumulation, hooks, grad mode, errors. */
import * as torch from '../../lib';

describe('backward', () => {
  test('gradients accumulate into leaves across calls', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
    x.grad = null;
    x.sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 1, 1]);
  });

  test('non-scalar needs an explicit gradient', () => {
    const x = torch.ones(2, 2, { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/implicitly created only for scalar outputs.*\[2, 2\]/);
    y.backward(torch.tensor([[1, 2], [3, 4]]));
    expect(x.grad!.toArray()).toEqual([[2, 4], [6, 8]]);
    expect(() => x.mul(2).backward(torch.ones(3))).toThrow(/gradient has shape \[3\], expected \[2, 2\]/);
  });

  test('a second backward through a freed graph is an error; retainGraph allows it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
    const z = x.exp().sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(x.grad!.toArray()).toEqual([2 * Math.fround(Math.E), expect.closeTo(2 * Math.E * Math.E, 4)]);
  });

  test('requiresGrad propagates; only leaves get .grad; isLeaf', () => {
    const a = torch.ones(2, { requiresGrad: true });
    const b = torch.ones(2);
    const c = a.add(b);
    expect(c.requiresGrad).toBe(true);
    expect(c.isLeaf).toBe(false);
    expect(a.isLeaf).toBe(true);
    expect(b.add(b).requiresGrad).toBe(false);
    c.sum().backward();
    expect(b.grad).toBeNull();
    expect(c.grad).toBeNull();
    expect(() => b.sum().backward()).toThrow(/does not require grad/);
  });

  test('diamond graph and reused inputs sum their gradients', () => {
    const x = torch.tensor([0.5, -1], { requiresGrad: true });
    const y = x.exp();
    const z = y.mul(y).add(y).sum();  // y used three times
    z.backward();
    const e = [Math.exp(0.5), Math.exp(-1)];
    (x.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(2 * e[i] * e[i] + e[i], 5));
  });

  test('unused branches of the graph do not affect backward', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.mul(2);
    const { values } = a.max(0, false) as { values: torch.Tensor };
    void values;
    const out = a.sum();
    out.backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });
});

describe('grad mode and detach', () => {
  test('noGrad records nothing and restores the mode', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(torch.isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => torch.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('detach cuts the graph and shares storage', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const d = x.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
    const shared = x.detach();
    torch.noGrad(() => x.fill_(5));
    expect(shared.toArray()).toEqual([5, 5]);
  });

  test('requiresGrad_ only on leaves', () => {
    const x = torch.ones(2).requiresGrad_();
    expect(x.requiresGrad).toBe(true);
    expect(() => x.mul(2).requiresGrad_(false)).toThrow(/only change requiresGrad flags of leaf/);
  });
});

describe('tensor hooks (registerHook)', () => {
  test('a hook sees and can replace the gradient; remove() unregisters', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const seen: number[][] = [];
    const h = y.registerHook((g) => {
      seen.push(g.toArray() as number[]);
      return g.mul(10);
    });
    y.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(x.grad!.toArray()).toEqual([20, 20]);
    h.remove();
    h.remove();
    x.grad = null;
    const y2 = x.mul(2);
    y2.sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  test('hooks on leaves run before accumulation', () => {
    const w = torch.ones(3, { requiresGrad: true });
    w.registerHook((g) => g.mul(0.5));
    w.mul(4).sum().backward();
    expect(w.grad!.toArray()).toEqual([2, 2, 2]);
  });

  test('a hook returning the wrong shape is an error', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = x.mul(2);
    y.registerHook(() => torch.ones(3));
    expect(() => y.sum().backward()).toThrow(/hook returned a gradient of shape \[3\], expected \[2\]/);
  });
});

describe('version counter is shared by views', () => {
  test('an in-place change through a detached alias is caught at backward', () => {
    const w = torch.ones(3, { requiresGrad: true });
    const x = torch.tensor([1, 2, 3]);
    const y = w.mul(x.view(3, 1).view(3)).sum();
    torch.noGrad(() => x.detach().mul_(2));
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });
});

describe('leaf gradients never alias other tensors', () => {
  test('the caller-supplied gradient is copied, not adopted', () => {
    const x = torch.ones(3, { requiresGrad: true });
    const g = torch.tensor([1, 2, 3]);
    x.mul(1).backward(g);           // MulBackward returns a fresh tensor
    const y = torch.ones(3, { requiresGrad: true });
    y.backward(g);                  // a leaf root: the gradient itself reaches the leaf
    torch.noGrad(() => y.grad!.add_(100));
    expect(g.toArray()).toEqual([1, 2, 3]);
    const z = torch.ones(3, { requiresGrad: true });
    z.reshape(3, 1).backward(g.reshape(3, 1));   // a view of the caller's gradient passes through
    torch.noGrad(() => z.grad!.add_(100));
    expect(g.toArray()).toEqual([1, 2, 3]);
  });

  test('a gradient passed through to two leaves gives each its own storage', () => {
    const a = torch.ones(2, { requiresGrad: true }), b = torch.ones(2, { requiresGrad: true });
    a.add(b).sum().backward();      // AddBackward hands the same gradient to both inputs
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    torch.noGrad(() => a.grad!.add_(5));
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  test('fresh gradients are adopted, and later backward passes still accumulate', () => {
    const w = torch.ones(2, 2, { requiresGrad: true });
    const x = torch.tensor([[1, 2], [3, 4]]);
    x.matmul(w).sum().backward();
    const first = w.grad!.toArray();
    x.matmul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual((first as number[][]).map((r) => r.map((v) => 2 * v)));
  });
});
