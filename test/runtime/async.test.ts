/** Off-main-thread execution: same numbers as the sync op, event loop free, tensors guarded. */
import * as torch from '../../lib';

describe('matmulAsync', () => {
  test('matches matmul, 2-D and batched', async () => {
    torch.manualSeed(3);
    const a = torch.randn(37, 53), b = torch.randn(53, 29);
    expect((await torch.matmulAsync(a, b)).toFloat32Array()).toEqual(a.matmul(b).toFloat32Array());
    const x = torch.randn(3, 5, 7), w = torch.randn(7, 4);
    expect((await torch.matmulAsync(x, w)).toFloat32Array()).toEqual(x.matmul(w).toFloat32Array());
  });

  test('the event loop keeps running while it computes', async () => {
    const a = torch.randn(512, 512);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const jobs = [];
    for (let i = 0; i < 8; i++) jobs.push(torch.matmulAsync(a, a));
    await Promise.all(jobs);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  test('inputs are guarded while in flight and released after', async () => {
    const a = torch.randn(256, 256);
    const p = torch.matmulAsync(a, a);
    expect(() => a.add_(1)).toThrow(/in use by a native operation in flight/);
    expect(() => a.dispose()).toThrow(/in use by a native operation in flight/);
    await p;
    expect(() => a.add_(1)).not.toThrow();
  });

  test('errors are rejections naming the problem', async () => {
    await expect(torch.matmulAsync(torch.ones(2, 3), torch.ones(4, 2))).rejects.toThrow(/inner dims 3 != 4/);
    const w = torch.ones(3, 3, { requiresGrad: true });
    await expect(torch.matmulAsync(w, w)).rejects.toThrow(/records no gradient/);
    await expect(torch.noGrad(() => torch.matmulAsync(w, w))).resolves.toBeInstanceOf(torch.Tensor);
  });
});
