/**
 * The native kernels (active ISA) against the naive JS references of test/helpers/reference.ts:
 * GEMM over odd sizes, tails and transposes; conv2d forward and backward over random option
 * combinations; pooling; batch norm. Plus finite-difference gradchecks through autograd.
 */
import { native } from '../../lib/native';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { gradcheck } from '../helpers/gradcheck';
import { expectClose } from '../helpers/close';
import { refAvgPool2d, refBatchNormTrain, refConv2d, refConv2dBackward, refGemm, refMaxPool2d } from '../helpers/reference';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const rand = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const T = (v: Float32Array, shape: readonly number[], grad = false) => {
  const t = new Tensor(v, shape);
  return grad ? t.requiresGrad_(true) : t;
};

/** |got - ref| <= rtol*|ref| + atol*scale, where scale is the sum of |terms| bound (norm of ref). */
function close(got: ArrayLike<number>, ref: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-5) {
  let scale = 1;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  expectClose(got, ref, rtol, atol * scale, what);
}

describe('SGEMM vs reference', () => {
  const r = rng(7);
  const sizes = [1, 2, 3, 5, 7, 13, 14, 15, 16, 17, 31, 32, 33, 47, 97];
  const cases: number[][] = [];
  const pick = () => sizes[Math.floor(r() * sizes.length)];
  for (let i = 0; i < 40; i++) cases.push([pick(), pick(), pick()]);
  cases.push([5, 37, 300], [16, 75, 784], [9, 150, 257], [4, 4, 256], [13, 1, 400], [1, 1, 1], [1, 1000, 3], [1000, 1, 3],
    [300, 200, 1], [1, 257, 300], [3, 100, 513], [200, 300, 260], [170, 513, 97]);
  for (const [m, n, k] of cases)
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const [alpha, beta] = [[1, 0], [0.75, 1], [-1.25, 0.5]][(m + n + k) % 3];
        test(`${m}x${n}x${k} ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} alpha=${alpha} beta=${beta}`, () => {
          const a = rand(m * k, r), b = rand(k * n, r), c = rand(m * n, r);
          const ref = refGemm(ta, tb, m, n, k, alpha, a, b, beta, c);
          native.gemm(1, ta, tb, m, n, k, a, 0, b, 0, c, 0, alpha, beta);
          close(c, ref, 'C', 1e-5, 2e-6 * Math.sqrt(k));
        });
      }
  test('beta = 0 ignores NaN in C', () => {
    const c = new Float32Array(6).fill(NaN);
    native.gemm(1, false, false, 2, 3, 2, Float32Array.from([1, 2, 3, 4]), 0, Float32Array.from([1, 0, 0, 0, 1, 0]), 0, c, 0, 1, 0);
    expect(Array.from(c)).toEqual([1, 2, 0, 3, 4, 0]);
  });
});

describe('conv2d vs reference (forward and backward)', () => {
  const r = rng(11);
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)];
  for (let t = 0; t < 40; t++) {
    const groups = pick([1, 1, 1, 2, 3]);
    const depthwise = r() < 0.2;
    const c = depthwise ? pick([2, 3, 5]) : groups * pick([1, 2, 3]);
    const g = depthwise ? c : groups;
    const oc = depthwise ? c * pick([1, 2]) : g * pick([1, 2, 4]);
    const kh = pick([1, 2, 3, 5]), kw = pick([1, 3, 4]);
    const sh = pick([1, 1, 2, 3]), sw = pick([1, 2]);
    const dh = pick([1, 1, 2]), dw = pick([1, 2]);
    const ph = pick([0, 1, 2]), pw = pick([0, 1, 3]);
    const n = pick([1, 2, 3]);
    const h = pick([1, 3, 7, 8, 17]) + dh * (kh - 1), w = pick([1, 3, 7, 17]) + dw * (kw - 1);
    const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
    const p = { n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups: g, oh, ow };
    test(JSON.stringify(p), () => {
      const x = rand(n * c * h * w, r), wt = rand(oc * (c / g) * kh * kw, r), b = rand(oc, r);
      const xt = T(x, [n, c, h, w], true), wtt = T(wt, [oc, c / g, kh, kw], true), bt = T(b, [oc], true);
      const y = F.conv2d(xt, wtt, bt, { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], groups: g });
      expect(y.shape).toEqual([n, oc, oh, ow]);
      close(y.storage, refConv2d(p, x, wt, b), 'out');
      const gy = rand(y.numel(), r);
      y.backward(T(gy, y.shape));
      const ref = refConv2dBackward(p, x, wt, gy);
      close(xt.grad!.storage, ref.gx, 'gradInput');
      close(wtt.grad!.storage, ref.gw, 'gradWeight', 1e-5, 3e-5);
      close(bt.grad!.storage, ref.gb, 'gradBias');
    });
  }
  // Edge geometries: padding larger than the kernel (no transposed-conv dX), padded 1x1, heavy
  // dilation, strided depthwise with padding, a single output pixel, outputs much wider than NR.
  const edges = [
    { n: 2, c: 3, h: 5, w: 4, oc: 2, kh: 2, kw: 2, sh: 1, sw: 1, ph: 3, pw: 2, dh: 1, dw: 1, groups: 1 },
    { n: 1, c: 4, h: 3, w: 3, oc: 5, kh: 1, kw: 1, sh: 1, sw: 1, ph: 2, pw: 1, dh: 1, dw: 1, groups: 1 },
    { n: 1, c: 2, h: 13, w: 11, oc: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 4, dh: 4, dw: 3, groups: 1 },
    { n: 2, c: 4, h: 9, w: 8, oc: 8, kh: 3, kw: 3, sh: 2, sw: 3, ph: 2, pw: 1, dh: 2, dw: 1, groups: 4 },
    { n: 1, c: 3, h: 5, w: 5, oc: 2, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, groups: 1 },
    { n: 1, c: 2, h: 3, w: 100, oc: 20, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 },
    // big enough to run multi-threaded at batch 1 (row-block / pixel-block tasks), both algorithms
    { n: 1, c: 16, h: 40, w: 40, oc: 32, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 },
    { n: 1, c: 16, h: 41, w: 43, oc: 32, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 },
    { n: 3, c: 8, h: 33, w: 31, oc: 40, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, groups: 1 },
  ];
  for (const e of edges) {
    const oh = Math.floor((e.h + 2 * e.ph - e.dh * (e.kh - 1) - 1) / e.sh) + 1;
    const ow = Math.floor((e.w + 2 * e.pw - e.dw * (e.kw - 1) - 1) / e.sw) + 1;
    const p = { ...e, oh, ow };
    test(`edge ${JSON.stringify(e)}`, () => {
      const cg = e.c / e.groups;
      const x = rand(e.n * e.c * e.h * e.w, r), wt = rand(e.oc * cg * e.kh * e.kw, r), b = rand(e.oc, r);
      const xt = T(x, [e.n, e.c, e.h, e.w], true), wtt = T(wt, [e.oc, cg, e.kh, e.kw], true), bt = T(b, [e.oc], true);
      const y = F.conv2d(xt, wtt, bt, { stride: [e.sh, e.sw], padding: [e.ph, e.pw], dilation: [e.dh, e.dw], groups: e.groups });
      expect(y.shape).toEqual([e.n, e.oc, oh, ow]);
      close(y.storage, refConv2d(p, x, wt, b), 'out');
      const gy = rand(y.numel(), r);
      y.backward(T(gy, y.shape));
      const ref = refConv2dBackward(p, x, wt, gy);
      close(xt.grad!.storage, ref.gx, 'gradInput');
      close(wtt.grad!.storage, ref.gw, 'gradWeight', 1e-5, 3e-5);
      close(bt.grad!.storage, ref.gb, 'gradBias');
    });
  }
  test('large batch (batch-parallel path with per-thread weight gradients)', () => {
    const p = { n: 9, c: 8, h: 12, w: 12, oc: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1, oh: 12, ow: 12 };
    const x = rand(9 * 8 * 144, r), wt = rand(16 * 8 * 9, r);
    const xt = T(x, [9, 8, 12, 12], true), wtt = T(wt, [16, 8, 3, 3], true);
    const y = F.conv2d(xt, wtt, null, { padding: 1 });
    close(y.storage, refConv2d(p, x, wt, null), 'out');
    const gy = rand(y.numel(), r);
    y.backward(T(gy, y.shape));
    const ref = refConv2dBackward(p, x, wt, gy);
    close(xt.grad!.storage, ref.gx, 'gradInput');
    close(wtt.grad!.storage, ref.gw, 'gradWeight', 1e-5, 3e-5);
  });
});

describe('pooling and batch norm vs reference', () => {
  const r = rng(5);
  for (const [kh, kw, sh, sw, ph, pw, dh, dw, ceil] of [[2, 2, 2, 2, 0, 0, 1, 1, false], [3, 3, 2, 2, 1, 1, 1, 1, true],
    [3, 2, 1, 2, 1, 0, 2, 3, false], [2, 2, 2, 2, 0, 0, 1, 1, true], [5, 5, 3, 3, 2, 2, 1, 1, true]] as const) {
    for (const w of [13, 75]) test(`maxPool2d/avgPool2d k=[${kh},${kw}] s=[${sh},${sw}] p=[${ph},${pw}] d=[${dh},${dw}] ceil=${ceil} w=${w}`, () => {
      const n = 2, c = 3, h = 17;
      const x = rand(n * c * h * w, r);
      const [y, idx] = F.maxPool2d(T(x, [n, c, h, w]), [kh, kw],
        { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], ceilMode: ceil, returnIndices: true });
      const p = { planes: n * c, h, w, oh: y.shape[2], ow: y.shape[3], kh, kw, sh, sw, ph, pw, dh, dw };
      const ref = refMaxPool2d(p, x);
      expectClose(y, ref.y, 0, 0, 'maxPool2d');
      expect(Array.from(idx.storage)).toEqual(Array.from(ref.idx));
      if (dh === 1 && dw === 1) {
        for (const cip of [true, false]) {
          const a = F.avgPool2d(T(x, [n, c, h, w]), [kh, kw], { stride: [sh, sw], padding: [ph, pw], ceilMode: ceil, countIncludePad: cip });
          close(a.storage, refAvgPool2d({ ...p, oh: a.shape[2], ow: a.shape[3] }, x, cip), 'avgPool2d');
        }
      }
    });
  }
  test('maxPool2d propagates NaN like PyTorch', () => {
    const x = Float32Array.from([1, NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, NaN]);
    const [y, idx] = F.maxPool2d(T(x, [1, 1, 4, 4]), 2, { returnIndices: true });
    expect(Array.from(y.storage).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 8, 14, 'NaN']);
    expect(Array.from(idx.storage)).toEqual([1, 7, 13, 15]);
  });
  test('batchNorm training output vs reference', () => {
    const n = 3, c = 4, hw = 29;
    const x = rand(n * c * hw, r).map((v) => v * 3 + 1), w = rand(c, r), b = rand(c, r);
    const y = F.batchNorm(T(x, [n, c, hw]), null, null, { weight: T(w, [c]), bias: T(b, [c]), training: true });
    close(y.storage, refBatchNormTrain(n, c, hw, x, w, b, 1e-5).y, 'batchNorm', 1e-5, 1e-5);
  });
});

describe('gradcheck (finite differences through autograd)', () => {
  const r = rng(3);
  const t = (shape: number[]) => T(rand(shape.reduce((a, v) => a * v, 1), r), shape);
  test('conv2d strided, padded, dilated, grouped', () => {
    gradcheck((x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
      [t([2, 4, 6, 7]), t([4, 2, 3, 2]), t([4])]);
  });
  test('conv2d depthwise and same padding', () => {
    gradcheck((x, w) => F.conv2d(x, w, null, { padding: 'same', groups: 3 }), [t([1, 3, 5, 5]), t([6, 1, 2, 3])]);
  });
  test('linear with leading dims', () => {
    gradcheck((x, w, b) => F.linear(x, w, b), [t([2, 3, 5]), t([4, 5]), t([4])]);
  });
  test('pools', () => {
    gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [t([1, 2, 7, 8])]);
    gradcheck((x) => F.adaptiveAvgPool2d(x, [3, 4]), [t([1, 2, 7, 9])]);
    gradcheck((x) => F.maxPool2d(x, 2, { stride: 1 }), [t([1, 2, 4, 5])]);
  });
  test('batchNorm training and eval', () => {
    gradcheck((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
      [t([3, 2, 4]), t([2]), t([2])], { atol: 5e-3 });
    const rm = T(Float32Array.from([0.1, -0.2]), [2]), rv = T(Float32Array.from([0.5, 2]), [2]);
    gradcheck((x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }), [t([3, 2, 4]), t([2]), t([2])]);
  });
});
