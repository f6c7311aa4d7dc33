/**
 * Regressions for the crashes of issue 14 that are not about teardown (that is teardown.test.ts).
 * Each case runs in a child process so that a segfault is a failed assertion, not a dead jest worker.
 */
import { runLib, runNative, expectCleanThrow } from './child';

const F = 'new Float32Array';

describe('permute of a 0-d tensor (crash 2: a zero-dim loop bound wrapped, segfault)', () => {
  test('native permute with an empty perm copies the one element', () => {
    const r = runNative(`const y = ${F}(1); N.permute(${F}([3.5]), [], [], y); out(y[0]);`);
    expect(r.signal).toBeNull();
    expect(r.threw).toBeNull();
    expect(r.out).toEqual([3.5]);
  });

  test('torch.tensor(3).permute([]) returns the scalar, as PyTorch does, with its gradient', () => {
    const r = runLib(`
      const x = torch.tensor(3, { requiresGrad: true });
      const y = x.permute([]);
      out([y.shape, y.item()]);
      y.mul(2).backward();
      out(x.grad.item());
      out(torch.tensor(4).permute().item());
    `);
    expect(r.signal).toBeNull();
    expect(r.threw).toBeNull();
    expect(r.out).toEqual([[[], 3], 2, 4]);
  });

  test('a 0-d permute with a non-empty perm is still an error', () => {
    expectCleanThrow(runNative(`N.permute(${F}(1), [], [0], ${F}(1))`), /torchlet\.permute: perm must have one entry per dim/);
  });
});
