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

describe('integers at the native boundary are bounded by 2^50 (crash 3: copy2d offset + cols wrapped int64)', () => {
  // 2^63 - 1024 is an exact double and a valid int64: srcOffset + cols wrapped negative, passed the
  // length check, and copy2d read from src + 2^63 (segfault, once glibc "double free or corruption").
  const HUGE = '(2 ** 63 - 1024)';
  test.each([
    ['copy2d srcOffset near 2^63', `N.copy2d(${F}(2048), ${HUGE}, 2048, ${F}(2048), 0, 2048, 1, 2048)`, /torchlet\.copy2d: srcOffset is too large: at most 2\^50, got 9\.22337203685477[0-9]*e\+18/],
    ['copy2d dstOffset near 2^63', `N.copy2d(${F}(2048), 0, 2048, ${F}(2048), ${HUGE}, 2048, 1, 2048)`, /torchlet\.copy2d: dstOffset is too large: at most 2\^50/],
    ['copy2d offset just inside the bound still fails the length check', `N.copy2d(${F}(16), 2 ** 50 - 1, 2, ${F}(4), 0, 2, 1, 2)`, /torchlet\.copy2d: sizes are too large/],
    ['copy2d NaN offset', `N.copy2d(${F}(4), NaN, 2, ${F}(4), 0, 2, 1, 2)`, /torchlet\.copy2d: srcOffset must be an integer in \[0, 1125899906842624\], got NaN/],
    ['copy2d Infinity rows', `N.copy2d(${F}(4), 0, 2, ${F}(4), 0, 2, Infinity, 2)`, /torchlet\.copy2d: rows is too large: at most 2\^50, got Infinity/],
    ['gemm stride near 2^63', `N.gemm(2, false, false, 2, 2, 2, ${F}(8), ${HUGE}, ${F}(8), 4, ${F}(8), 4, 1, 0)`, /torchlet\.matmul: strideA is too large/],
    ['reduce inner 2^64', `N.reduce(0, ${F}(1), 1, 1, 2 ** 64, ${F}(1))`, /torchlet\.reduce: inner is too large/],
    ['binary shape entry 2^63', `N.binary(0, ${F}(1), [2 ** 63], ${F}(1), [1], ${F}(1))`, /torchlet\.binary: aShape\[0\] must be a non-negative integer/],
    ['binary shape with 65 dims', `N.binary(0, ${F}(1), new Array(65).fill(1), ${F}(1), [1], ${F}(1))`, /torchlet\.binary: aShape has 65 dims, at most 64 are supported/],
    ['classLoss outer near 2^63', `N.classLoss(0, ${F}(2), ${HUGE}, 2, 1, ${F}(1))`, /torchlet\.classLoss: outer is too large/],
  ])('%s', (_name, code, msg) => {
    expectCleanThrow(runNative(code), msg);
  });

  test('valid copies still copy', () => {
    const r = runNative(`const d = ${F}(6); N.copy2d(${F}([1, 2, 3, 4, 5, 6]), 1, 3, d, 0, 3, 2, 2); out(Array.from(d));`);
    expect(r.threw).toBeNull();
    expect(r.out).toEqual([[2, 3, 0, 5, 6, 0]]);
  });
});

describe('conv2d / pooling geometry re-checks (issue 14 item 6)', () => {
  const conv = (p: number[]) => {
    const [n, c, h, w, oc, kh, kw, , , , , , , g, oh, ow] = p;
    return `N.conv2d(${F}(${n * c * h * w}), ${F}(${(oc * c / g) * kh * kw}), null, [${p.join(',')}], ${F}(${n * oc * oh * ow}))`;
  };
  test.each([
    // A raw "vector::_M_default_append" that did not name the op: the padded plane was 2^31 x 2^31.
    ['huge dilation', conv([1, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 2 ** 30, 2 ** 30, 1, 1, 1]), /torchlet\.conv2d: the effective kernel size 2147483649 x 2147483649 \(kernel and dilation\) exceeds the padded input 4 x 4/],
    ['huge dilation with matching padding', conv([1, 1, 4, 4, 1, 3, 3, 1, 1, 1e9, 1e9, 1e9, 1e9, 1, 4, 4]), /torchlet\.conv2d: the working buffers would be too large/],
    ['output larger than the input allows', conv([1, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, 100, 100]), /torchlet\.conv2d: output size 100 x 100 does not fit input 4 x 4/],
    ['maxPool2d padding > kernel/2 with a dilation that overflowed int', `N.maxPool2d(${F}(16), [1,4,4,1,1,2,2,1,1,2**16,0,2**16,1,0,0], ${F}(1), null)`, /torchlet\.maxPool2d: padding must be at most half the kernel size/],
  ])('%s', (_name, code, msg) => {
    expectCleanThrow(runNative(code), msg);
  });

  test('through F.conv2d, a huge dilation and padding name the op', () => {
    const r = runLib(`
      const x = torch.ones(1, 1, 4, 4), w = torch.ones(1, 1, 3, 3);
      try { torch.nn.functional.conv2d(x, w, null, { dilation: 1e9, padding: 1e9 }); out('returned'); } catch (e) { out(e.message); }
      out(Array.from(torch.nn.functional.conv2d(x, torch.ones(1, 1, 2, 2), null, { padding: 'same' }).storage));
    `);
    expect(r.signal).toBeNull();
    expect(r.out[0]).toMatch(/^torchlet\.conv2d: the working buffers would be too large$/);
    // padding='same' with an even kernel pads one more at the bottom/right than the top/left; the
    // re-check allows it. PyTorch 1.13 gives these values.
    expect(r.out[1]).toEqual([4, 4, 4, 2, 4, 4, 4, 2, 4, 4, 4, 2, 2, 2, 2, 1]);
  });
});
