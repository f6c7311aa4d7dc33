/**
 * The native losses (native/core/loss.cc via lib/native-loss.ts): large shapes that run on several
 * threads and several summation blocks, checked against the previous all-JS implementation
 * (./loss-reference.ts, which matched PyTorch on every fixture); results independent of the thread
 * count; and the N-API boundary: bad lengths, types and values throw JS errors, never crash.
 */
import * as F from '../../lib/functional/loss';
import * as Ref from './loss-reference';
import { Tensor } from '../../lib/tensor';
import { native } from '../../lib/native';
import { lossNative } from '../../lib/native-loss';
import { DataLoader, TensorDataset } from '../../lib/data/dataset';
import { expectClose } from '../helpers/close';

/** Deterministic uniform values in [lo, hi). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
function rand(n: number, seed: number, lo = -3, hi = 3): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}
function classes(n: number, c: number, seed: number, ignore?: number): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = ignore !== undefined && r() < 0.1 ? ignore : Math.floor(r() * c);
  return a;
}
function leaf(data: Float32Array, shape: number[], grad = true): Tensor {
  return new Tensor(data.slice(), shape).requiresGrad_(grad);
}

type Loss = (x: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor;

/** Runs `ours` and `ref` on copies of the same inputs; compares loss, dx and (if it requires grad) dt. */
function compare(ours: Loss, ref: Loss, x: Float32Array, xs: number[], t: Float32Array, ts: number[],
  o: Record<string, unknown>, targetGrad = false, seed = 7): void {
  const run = (f: Loss) => {
    const xi = leaf(x, xs), ti = leaf(t, ts, targetGrad);
    const out = f(xi, ti, o);
    const g = out.dim() === 0 ? new Tensor(Float32Array.from([1.7]), []) : new Tensor(rand(out.numel(), seed, -1, 1), out.shape);
    out.backward(g);
    return { out, gx: xi.grad!, gt: ti.grad };
  };
  const a = run(ours), b = run(ref);
  expect(a.out.shape).toEqual(b.out.shape);
  expectClose(a.out, b.out.storage, 1e-5, 1e-5, 'loss');
  expectClose(a.gx, b.gx.storage, 1e-4, 1e-6, 'grad input');
  if (targetGrad) expectClose(a.gt!, b.gt!.storage, 1e-4, 1e-5, 'grad target');
}

const reductions: F.Reduction[] = ['mean', 'sum', 'none'];

describe('native losses match the JS reference on large shapes', () => {
  const C = 700, N = 300;
  const x2 = rand(N * C, 1);
  const w = new Tensor(rand(C, 2, 0.2, 2), [C]);
  const variants: [string, Record<string, unknown>, number | undefined][] = [
    ['plain', {}, undefined],
    ['weight ignore', { weight: w, ignoreIndex: 3 }, 3],
    ['ls weight ignore-default', { weight: w, labelSmoothing: 0.1 }, -100],
    ['ls', { labelSmoothing: 0.25 }, undefined],
  ];
  for (const red of reductions) {
    for (const [name, opts, ignore] of variants) {
      test(`crossEntropy [${N}, ${C}] ${name} ${red}`, () => {
        const t = classes(N, C, 3, ignore);
        compare((a, b, o) => F.crossEntropy(a, b, o), (a, b, o) => Ref.crossEntropy(a, b, o), x2, [N, C], t, [N],
          { ...opts, reduction: red });
      });
    }
    test(`crossEntropy [3, 6, 40, 50] (inner > 1) weight ls ignore ${red}`, () => {
      const shape = [3, 6, 40, 50];
      const x = rand(3 * 6 * 2000, 4);
      const t = classes(3 * 2000, 6, 5, 2);
      const o = { weight: new Tensor(Float32Array.from([0.5, 2, 1, 1.5, 0.7, 1.1]), [6]), ignoreIndex: 2, labelSmoothing: 0.1, reduction: red };
      compare((a, b, oo) => F.crossEntropy(a, b, oo), (a, b, oo) => Ref.crossEntropy(a, b, oo), x, shape, t, [3, 40, 50], o);
    });
    test(`nllLoss [${N}, ${C}] and [4, 9, 700] weight ignore ${red}`, () => {
      const lp = new Float32Array(N * C);
      native.softmax(x2, N, C, 1, lp, true);
      const o = { weight: w, ignoreIndex: 5, reduction: red };
      compare((a, b, oo) => F.nllLoss(a, b, oo), (a, b, oo) => Ref.nllLoss(a, b, oo), lp, [N, C], classes(N, C, 6, 5), [N], o);
      const lp3 = rand(4 * 9 * 700, 8, -5, 0);
      const o3 = { weight: new Tensor(rand(9, 9, 0.5, 1.5), [9]), ignoreIndex: 5, reduction: red };
      compare((a, b, oo) => F.nllLoss(a, b, oo), (a, b, oo) => Ref.nllLoss(a, b, oo), lp3, [4, 9, 700], classes(4 * 700, 9, 10, 5), [4, 700], o3);
    });
    test(`crossEntropy probability targets [200, 300] weight ls ${red} (target grad)`, () => {
      const p = rand(200 * 300, 11, 0, 1);
      // rows are distributions (an unnormalized target's gradient is dominated by cancellation, where
      // the float32 reference itself is off by ~1e-3 relative)
      for (let r = 0; r < 200; r++) {
        let s = 0;
        for (let j = 0; j < 300; j++) s += p[r * 300 + j];
        for (let j = 0; j < 300; j++) p[r * 300 + j] /= s;
      }
      const o = { weight: new Tensor(rand(300, 12, 0.5, 1.5), [300]), labelSmoothing: 0.1, reduction: red };
      compare((a, b, oo) => F.crossEntropy(a, b, oo), (a, b, oo) => Ref.crossEntropy(a, b, oo), rand(200 * 300, 13), [200, 300], p, [200, 300], o, true);
    });
    test(`mseLoss / l1Loss on 200k elements ${red} (target grad)`, () => {
      const x = rand(200 * 1000, 14), y = rand(200 * 1000, 15);
      for (let i = 0; i < 1000; i++) y[i * 7] = x[i * 7];  // ties: L1 gradient 0
      const o = { reduction: red };
      compare((a, b, oo) => F.mseLoss(a, b, oo), (a, b, oo) => Ref.mseLoss(a, b, oo), x, [200, 1000], y, [200, 1000], o, true);
      compare((a, b, oo) => F.l1Loss(a, b, oo), (a, b, oo) => Ref.l1Loss(a, b, oo), x, [200, 1000], y, [200, 1000], o, true);
    });
    test(`binaryCrossEntropyWithLogits [300, 100] weight/posWeight broadcasts ${red} (target grad)`, () => {
      const x = rand(300 * 100, 16, -30, 30), y = rand(300 * 100, 17, 0, 1);
      const ws: [string, Tensor | null, Tensor | null][] = [
        ['none', null, null],
        ['posWeight [100], weight [300, 1]', new Tensor(rand(300, 18, 0.5, 2), [300, 1]), new Tensor(rand(100, 19, 0.5, 3), [100])],
        ['weight [100], posWeight [1, 100]', new Tensor(rand(100, 20, 0.5, 2), [100]), new Tensor(rand(100, 21, 0.5, 3), [1, 100])],
        ['full-shape weight, scalar posWeight', new Tensor(rand(300 * 100, 22, 0, 2), [300, 100]), new Tensor(Float32Array.from([2.5]), [])],
      ];
      for (const [, weight, posWeight] of ws) {
        const o = { weight, posWeight, reduction: red };
        compare((a, b, oo) => F.binaryCrossEntropyWithLogits(a, b, oo), (a, b, oo) => Ref.binaryCrossEntropyWithLogits(a, b, oo),
          x, [300, 100], y, [300, 100], o, true);
      }
    });
  }

  test('class targets as number[], Int32Array and a tensor give the same loss and gradient', () => {
    const x = rand(64 * 10, 23);
    const t = classes(64, 10, 24);
    const run = (target: F.ClassTarget) => {
      const xi = leaf(x, [64, 10]);
      const l = F.crossEntropy(xi, target, { labelSmoothing: 0.05 });
      l.backward();
      return [l.item(), ...xi.grad!.storage];
    };
    const a = run(new Tensor(t, [64])), b = run(Array.from(t)), c = run(Int32Array.from(t));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  test('invalid targets keep their messages (found natively, formatted in TS)', () => {
    const x = new Tensor(rand(12, 25), [4, 3]);
    expect(() => F.crossEntropy(x, [0, 1, 2, 3])).toThrow(/crossEntropy: target 3 at index 3 is out of bounds for 3 classes \(valid: 0\.\.2, or ignoreIndex -100\)/);
    expect(() => F.crossEntropy(x, [0, NaN, 2, 1])).toThrow(/integers\); got NaN at index 1/);
    expect(() => F.crossEntropy(x, [0, 1, 2, Infinity])).toThrow(/integers\); got Infinity at index 3/);
    expect(() => F.nllLoss(x, Int32Array.from([0, 1, -7, 1]))).toThrow(/nllLoss: target -7 at index 2 is out of bounds/);
    expect(() => F.crossEntropy(x, new Tensor(Float32Array.from([0, 1, 2, 0.5]), [4]))).toThrow(/got 0\.5 at index 3/);
    // ignoreIndex inside the class range: those positions are skipped, not rejected
    const l = F.crossEntropy(x, [1, 1, 1, 0], { ignoreIndex: 1, reduction: 'none' });
    expect(Array.from(l.storage.subarray(0, 3))).toEqual([0, 0, 0]);
  });
});

describe('results do not depend on the thread count', () => {
  const threads = native.getNumThreads();
  afterAll(() => native.setNumThreads(threads));
  test('cross-entropy, MSE and BCE sums are bitwise equal on 1 and 2 threads', () => {
    const x = rand(300 * 700, 26), t = classes(300, 700, 27, -100);
    const y = rand(300 * 700, 28, 0, 1);
    const run = () => {
      const xi = leaf(x, [300, 700]);
      const l = F.crossEntropy(xi, new Tensor(t, [300]), { labelSmoothing: 0.1 });
      l.backward();
      return [l.item(), F.mseLoss(new Tensor(x, [300, 700]), new Tensor(y, [300, 700]), { reduction: 'sum' }).item(),
        F.binaryCrossEntropyWithLogits(new Tensor(x, [300, 700]), new Tensor(y, [300, 700])).item(), ...xi.grad!.storage.subarray(0, 2000)];
    };
    native.setNumThreads(1);
    const one = run();
    native.setNumThreads(2);
    const two = run();
    expect(two).toEqual(one);
  });
});

describe('native loss boundary: bad arguments are JS errors, not crashes', () => {
  const f32 = (n: number) => new Float32Array(n);
  const i32 = (n: number) => new Int32Array(n);
  const info = () => new Float64Array(1);
  // classLoss(mode, input, outer, c, inner, target, weight, ignoreIndex, eps, reduction, targetOut, logp, loss, info)
  const ok = () => [0, f32(6), 2, 3, 1, Float32Array.from([0, 2]), null, -100, 0, 1, i32(2), f32(6), f32(1), info()] as const;
  const call = (args: readonly unknown[]) => (lossNative.classLoss as (...a: unknown[]) => number)(...args);
  const withArg = (k: number, v: unknown) => { const a: unknown[] = [...ok()]; a[k] = v; return a; };

  test('a valid call works (and reports bad targets by index)', () => {
    expect(call(ok())).toBe(-1);
    expect(call(withArg(5, Float32Array.from([0, 3])))).toBe(1);
    expect(call(withArg(5, Float64Array.from([1.5, 0])))).toBe(0);
    expect(call(withArg(5, Int32Array.from([0, -100])))).toBe(-1);
  });
  test('classLoss lengths, types and ranges', () => {
    expect(() => call(withArg(1, f32(5)))).toThrow(/^torchlet\.classLoss: input holds 5 values, expected 6$/);
    expect(() => call(withArg(5, f32(3)))).toThrow(/torchlet\.classLoss: target holds 3 values, expected 2/);
    expect(() => call(withArg(5, new Uint8Array(2)))).toThrow(/^torchlet\.classLoss: target must be an Int32Array, Float32Array or Float64Array$/);
    expect(() => call(withArg(6, f32(2)))).toThrow(/torchlet\.classLoss: weight holds 2 values, expected 3/);
    expect(() => call(withArg(9, 3))).toThrow(/torchlet\.classLoss: reduction must be an integer in \[0, 2\]/);
    expect(() => call(withArg(8, 1.5))).toThrow(/torchlet\.classLoss: labelSmoothing must be in \[0, 1\]/);
    expect(() => call(withArg(0, 2))).toThrow(/torchlet\.classLoss: mode/);
    expect(() => call(withArg(10, i32(1)))).toThrow(/targetOut holds 1 values, expected 2/);
    expect(() => call(withArg(10, f32(2)))).toThrow(/targetOut must be an Int32Array/);
    expect(() => call(withArg(11, f32(5)))).toThrow(/logp holds 5 values, expected 6/);
    expect(() => call(withArg(12, f32(2)))).toThrow(/loss holds 2 values, expected 1/);
    expect(() => call(withArg(13, f32(1)))).toThrow(/info must be a Float64Array/);
    expect(() => call(withArg(2, 2 ** 40))).toThrow(/torchlet\.classLoss: /);
    expect(() => call(withArg(2, -1))).toThrow(/outer must be an integer/);
    expect(() => call(withArg(3, 1.5))).toThrow(/c must be an integer/);
  });
  test('a detached buffer reads as empty and is rejected', () => {
    const x = f32(6);
    native.detachBuffer(x.buffer);
    expect(() => call(withArg(1, x))).toThrow(/input holds 0 values, expected 6/);
  });
  test('classLossBackward checks converted targets before indexing with them', () => {
    // (mode, logp, outer, c, inner, target, weight, eps, reduction, totalWeight, gradOutput, gradInput)
    const bwd = (...a: unknown[]) => (lossNative.classLossBackward as (...b: unknown[]) => void)(...a);
    expect(() => bwd(0, f32(6), 2, 3, 1, Int32Array.from([0, 2]), null, 0, 1, 2, f32(1), f32(6))).not.toThrow();
    expect(() => bwd(0, f32(6), 2, 3, 1, Int32Array.from([0, 3]), null, 0, 1, 2, f32(1), f32(6))).toThrow(/target\[1\] = 3 is not a class/);
    expect(() => bwd(1, null, 2, 3, 1, Int32Array.from([-2, 0]), null, 0, 1, 2, f32(1), f32(6))).toThrow(/target\[0\] = -2/);
    expect(() => bwd(0, f32(5), 2, 3, 1, i32(2), null, 0, 1, 2, f32(1), f32(6))).toThrow(/logp holds 5 values, expected 6/);
    expect(() => bwd(0, null, 2, 3, 1, i32(2), null, 0, 1, 2, f32(1), f32(6))).toThrow(/logp holds 0 values, expected 6/);
    expect(() => bwd(0, f32(6), 2, 3, 1, i32(2), null, 0, 0, 2, f32(1), f32(6))).toThrow(/gradOutput holds 1 values, expected 2/);
    expect(() => bwd(0, f32(6), 2, 3, 1, i32(2), null, 0, 1, 2, f32(1), f32(7))).toThrow(/gradInput holds 7 values, expected 6/);
    expect(() => bwd(0, f32(6), 2, 3, 1, i32(2), f32(4), 0, 1, 2, f32(1), f32(6))).toThrow(/weight holds 4 values/);
  });
  test('probability-target cross-entropy', () => {
    expect(() => lossNative.crossEntropyProbs(f32(6), f32(5), 2, 3, 1, null, 0, 1, f32(6), f32(1))).toThrow(/crossEntropyProbs: target holds 5 values, expected 6/);
    expect(() => lossNative.crossEntropyProbs(f32(6), f32(6), 2, 3, 1, null, 0, 0, f32(6), f32(1))).toThrow(/loss holds 1 values, expected 2/);
    expect(() => lossNative.crossEntropyProbsBackward(f32(6), f32(6), 2, 3, 1, null, 0, 1, f32(1), f32(3), null)).toThrow(/gradInput holds 3 values/);
    expect(() => lossNative.crossEntropyProbsBackward(f32(6), f32(6), 2, 3, 1, null, 0, 1, f32(1), null, f32(2))).toThrow(/gradTarget holds 2 values/);
  });
  test('pointwise and BCE losses', () => {
    expect(() => lossNative.pointwiseLoss(0, f32(4), f32(3), 1, f32(1))).toThrow(/^torchlet\.pointwiseLoss: target holds 3 values, expected 4$/);
    expect(() => lossNative.pointwiseLoss(2, f32(4), f32(4), 1, f32(1))).toThrow(/kind must be an integer in \[0, 1\]/);
    expect(() => lossNative.pointwiseLoss(0, f32(4), f32(4), 0, f32(1))).toThrow(/loss holds 1 values, expected 4/);
    expect(() => lossNative.pointwiseLossBackward(1, f32(4), f32(4), 2, f32(4), f32(4), null)).toThrow(/gradOutput holds 4 values, expected 1/);
    expect(() => lossNative.pointwiseLossBackward(1, f32(4), f32(4), 2, f32(1), null, f32(5))).toThrow(/gradTarget holds 5 values/);
    expect(() => lossNative.bceWithLogits(f32(6), f32(6), f32(4), null, 1, f32(1))).toThrow(/bceWithLogits: weight holds 4 values, which does not divide/);
    expect(() => lossNative.bceWithLogits(f32(6), f32(6), null, f32(0), 1, f32(1))).toThrow(/posWeight holds 0 values/);
    expect(() => lossNative.bceWithLogits(f32(6), f32(6), f32(3), f32(2), 1, f32(1))).not.toThrow();
    expect(() => lossNative.bceWithLogitsBackward(f32(6), f32(6), null, null, 1, f32(1), f32(5), null)).toThrow(/gradInput holds 5 values/);
    expect(() => lossNative.bceWithLogits(f32(6), new Int32Array(6) as unknown as Float32Array, null, null, 1, f32(1))).toThrow(/^torchlet\.bceWithLogits: target must be a Float32Array$/);
  });
  test('gatherRows', () => {
    const src = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const out = f32(4);
    lossNative.gatherRows(src, 3, 2, Int32Array.from([2, 0]), out);
    expect(Array.from(out)).toEqual([4, 5, 0, 1]);
    expect(() => lossNative.gatherRows(src, 3, 2, Int32Array.from([3, 0]), out)).toThrow(/gatherRows: index 3 at 0 is out of range for 3 rows/);
    expect(() => lossNative.gatherRows(src, 3, 2, Int32Array.from([-1, 0]), out)).toThrow(/out of range/);
    expect(() => lossNative.gatherRows(src, 4, 2, Int32Array.from([0, 0]), out)).toThrow(/src holds 6 values, expected 8/);
    expect(() => lossNative.gatherRows(src, 3, 2, Int32Array.from([0]), out)).toThrow(/out holds 4 values, expected 2/);
  });
});

describe('DataLoader batches through the native gather', () => {
  test('shuffled and sequential batches hold the right rows of every tensor', () => {
    const n = 103;
    const x = new Tensor(Float32Array.from({ length: n * 6 }, (_, i) => i), [n, 2, 3]);
    const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);
    for (const shuffle of [false, true]) {
      const seen = new Set<number>();
      for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle })) {
        expect(xb.shape).toEqual([yb.shape[0], 2, 3]);
        for (let j = 0; j < yb.shape[0]; j++) {
          const i = yb.storage[j];
          seen.add(i);
          expect(Array.from(xb.storage.subarray(j * 6, j * 6 + 6))).toEqual([0, 1, 2, 3, 4, 5].map((k) => i * 6 + k));
        }
      }
      expect(seen.size).toBe(n);
    }
  });
});
