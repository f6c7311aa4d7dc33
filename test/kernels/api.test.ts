/**
 * The functional nn ops' argument handling: PyTorch's shapes and options, unbatched input, and
 * error messages that name the op, the shapes and the argument. Native calls with bad buffers
 * throw JS errors instead of touching memory.
 */
import { native } from '../../lib/native';
import { nnNative } from '../../lib/native-nn';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { setFlushDenormal } from '../../lib/runtime';

const zeros = (...shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, v) => a * v, 1)), shape);
const ones = (...shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, v) => a * v, 1)).fill(1), shape);

describe('conv2d arguments', () => {
  test('channel mismatch names the shapes', () => {
    expect(() => F.conv2d(zeros(1, 4, 8, 8), zeros(6, 3, 5, 5))).toThrow(
      'conv2d: expected input[1, 4, 8, 8] to have 3 channels (weight [6, 3, 5, 5], groups 1), but got 4 channels');
  });
  test('bad options', () => {
    expect(() => F.conv2d(zeros(1, 3, 8, 8), zeros(6, 3, 5, 5), null, { stride: 0 })).toThrow(/conv2d: stride must be an integer >= 1/);
    expect(() => F.conv2d(zeros(1, 3, 8, 8), zeros(6, 3, 3, 3), null, { padding: 'same', stride: 2 })).toThrow(/padding='same' is not supported for strided/);
    expect(() => F.conv2d(zeros(1, 3, 4, 4), zeros(6, 3, 5, 5))).toThrow(/smaller than the effective kernel size 5 x 5/);
    expect(() => F.conv2d(zeros(1, 3, 8, 8), zeros(6, 3, 3, 3), zeros(5))).toThrow(/conv2d: expected bias of shape \[6\]/);
    expect(() => F.conv2d(zeros(3, 8), zeros(6, 3, 3, 3))).toThrow(/conv2d: expected a 3-D \(C, H, W\) or 4-D/);
    expect(() => F.conv2d(zeros(1, 4, 8, 8), zeros(6, 1, 3, 3), null, { groups: 4 })).toThrow(/not divisible by groups 4/);
    expect(() => F.conv2d(zeros(1, 3, 8, 8), zeros(6, 3, 3, 3), null, { strid: 2 } as never)).toThrow(/unknown option 'strid'/);
  });
  test('unbatched (C, H, W) input gives (OC, OH, OW) and its gradient', () => {
    const x = ones(3, 5, 5).requiresGrad_(true);
    const y = F.conv2d(x, ones(2, 3, 3, 3), null, { padding: 'valid' });
    expect(y.shape).toEqual([2, 3, 3]);
    expect(y.storage[0]).toBe(27);
    y.backward(ones(2, 3, 3));
    expect(x.grad!.shape).toEqual([3, 5, 5]);
    expect(x.grad!.storage[12]).toBe(18);
  });
  test("padding 'same' keeps the size, also with even kernels and dilation", () => {
    expect(F.conv2d(zeros(1, 2, 7, 6), zeros(3, 2, 4, 2), null, { padding: 'same', dilation: [1, 3] }).shape).toEqual([1, 3, 7, 6]);
  });
});

describe('linear, pooling, batchNorm, dropout arguments', () => {
  test('linear feature mismatch', () => {
    expect(() => F.linear(zeros(2, 5), zeros(3, 4))).toThrow(/linear: input\[2, 5\] has 5 features in its last dim, but weight\[3, 4\] expects 4/);
  });
  test('linear keeps leading dims', () => {
    expect(F.linear(zeros(2, 3, 4, 5), zeros(7, 5), zeros(7)).shape).toEqual([2, 3, 4, 7]);
  });
  test('pooling output too small / padding too large', () => {
    expect(() => F.maxPool2d(zeros(1, 1, 2, 2), 3)).toThrow(/maxPool2d: given input\[1, 1, 2, 2\], the calculated output size \[0, 0\] is too small/);
    expect(() => F.maxPool2d(zeros(1, 1, 8, 8), 2, { padding: 2 })).toThrow(/pad should be at most half of kernel size/);
    expect(() => F.avgPool2d(zeros(1, 1, 8, 8), 2, { divisorOverride: 0 })).toThrow(/divisorOverride must be a non-zero integer/);
  });
  test('pool shapes: ceilMode, unbatched, adaptive with null', () => {
    expect(F.maxPool2d(zeros(2, 3, 7, 7), 2, { ceilMode: true }).shape).toEqual([2, 3, 4, 4]);
    expect(F.maxPool2d(zeros(3, 7, 7), 2).shape).toEqual([3, 3, 3]);
    expect(F.adaptiveAvgPool2d(zeros(1, 2, 5, 7), [null, 3]).shape).toEqual([1, 2, 5, 3]);
    expect(F.adaptiveMaxPool2d(zeros(2, 5, 7), 1).shape).toEqual([2, 1, 1]);
  });
  test('batchNorm errors', () => {
    expect(() => F.batchNorm(zeros(1, 3), null, null, { training: true })).toThrow(/expected more than 1 value per channel when training, got input\[1, 3\]/);
    expect(() => F.batchNorm(zeros(2, 3), zeros(4), zeros(4))).toThrow(/batchNorm: expected runningMean of shape \[3\] for input\[2, 3\]/);
    expect(() => F.batchNorm(zeros(2, 3), null, null)).toThrow(/running stats are required when training is false/);
  });
  test('batchNorm updates running stats in place (unbiased variance)', () => {
    const x = new Tensor(Float32Array.from([1, 3, 5, 7]), [4, 1]);
    const rm = zeros(1), rv = ones(1);
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
    expect(rm.storage[0]).toBeCloseTo(2, 6);         // 0.5 * 0 + 0.5 * 4
    expect(rv.storage[0]).toBeCloseTo(0.5 + 0.5 * 20 / 3, 5);
  });
  test('dropout: eval returns the input; training zeroes ~p and scales by 1/(1-p)', () => {
    const x = ones(10000);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    const y = F.dropout(x, 0.25, true);
    let zerosN = 0;
    for (const v of y.storage) {
      if (v === 0) zerosN++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(zerosN / 10000).toBeGreaterThan(0.22);
    expect(zerosN / 10000).toBeLessThan(0.28);
    expect(Array.from(F.dropout(ones(5), 1).storage)).toEqual([0, 0, 0, 0, 0]);
    expect(() => F.dropout(x, 1.5)).toThrow(/dropout: probability has to be between 0 and 1, but got 1.5/);
  });
  test('dropout is seeded and its gradient uses the same mask', () => {
    native.manualSeed(42);
    const a = F.dropout(ones(64), 0.5).storage.slice();
    native.manualSeed(42);
    const x = ones(64).requiresGrad_(true);
    const b = F.dropout(x, 0.5);
    expect(Array.from(b.storage)).toEqual(Array.from(a));
    b.backward(ones(64));
    expect(Array.from(x.grad!.storage)).toEqual(Array.from(a));
  });
});

describe('denormals', () => {
  // PyTorch flushes nothing unless torch.set_flush_denormal(True); the nn kernels used to flush
  // always (issue 14), disagreeing with PyTorch and with the elementwise ops.
  const tiny = Math.fround(1e-40);  // a float32 denormal; sums of a few are exact
  const run = () => {
    const x = new Tensor(new Float32Array(16).fill(tiny), [1, 1, 4, 4]);
    const y = F.conv2d(x, ones(1, 1, 3, 3), null, { padding: 1 });
    const l = F.linear(new Tensor(new Float32Array(64).fill(tiny), [1, 64]), ones(3, 64));
    return { conv: Array.from(y.storage), linear: Array.from(l.storage) };
  };
  test('nn kernels keep denormals by default, as PyTorch does', () => {
    const taps = [4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4];
    expect(run()).toEqual({ conv: taps.map((k) => Math.fround(k * tiny)), linear: [0, 1, 2].map(() => Math.fround(64 * tiny)) });
  });
  test('setFlushDenormal(true) flushes them to zero, and false restores the default', () => {
    if (!setFlushDenormal(true)) return;  // no such CPU mode (not x86): nothing to check
    try {
      expect(run()).toEqual({ conv: new Array(16).fill(0), linear: [0, 0, 0] });
    } finally {
      setFlushDenormal(false);
    }
    expect(run().linear).toEqual([0, 1, 2].map(() => Math.fround(64 * tiny)));
    // the calling thread's mode is restored after each kernel
    expect(new Float32Array([tiny])[0]).toBeGreaterThan(0);
    expect(() => setFlushDenormal(1 as unknown as boolean)).toThrow(/setFlushDenormal: on must be a boolean, got number/);
  });
});

describe('native argument checks throw instead of touching memory', () => {
  const p = [1, 3, 8, 8, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1, 6, 6];
  test('conv2d buffers of the wrong length', () => {
    expect(() => nnNative.conv2d(new Float32Array(10), new Float32Array(162), null, p, new Float32Array(216)))
      .toThrow('torchlet.conv2d: input holds 10 values, expected 192');
    expect(() => nnNative.conv2d(new Float32Array(192), new Float32Array(162), null, p, new Float32Array(5)))
      .toThrow(/torchlet.conv2d: out holds 5 values/);
    expect(() => nnNative.conv2d(new Float32Array(192), new Float32Array(162), null, [1, 2, 3], new Float32Array(5)))
      .toThrow(/params must have 16 entries/);
    const bad = [...p];
    bad[7] = 0;
    expect(() => nnNative.conv2d(new Float32Array(192), new Float32Array(162), null, bad, new Float32Array(216)))
      .toThrow(/stride must be positive/);
  });
  test('pool, batch norm and linear buffers', () => {
    expect(() => nnNative.maxPool2d(new Float32Array(3), [1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 0, 0], new Float32Array(4), null))
      .toThrow(/torchlet.maxPool2d: input holds 3 values, expected 16/);
    expect(() => nnNative.maxPool2dBackward(new Float32Array(4), new Int32Array(3), 1, 16, new Float32Array(16)))
      .toThrow(/indices holds 3 values/);
    expect(() => nnNative.linear(new Float32Array(6), 2, 3, new Float32Array(5), 2, null, new Float32Array(4)))
      .toThrow(/torchlet.linear: weight holds 5 values, expected 6/);
    expect(() => nnNative.batchNorm(new Float32Array(6), [2, 3, 1], null, null, null, null, false, 0.1, 1e-5,
      new Float32Array(6), new Float32Array(3), new Float32Array(3))).toThrow(/running stats are required/);
    expect(() => nnNative.linear(new Float32Array(6) as never, 2, 3, [1, 2] as never, 2, null, new Float32Array(4)))
      .toThrow(/torchlet.linear: weight must be a Float32Array/);
  });
});
