/**
 * nn kernels against real PyTorch 1.13 (test/fixtures/kernels, from scripts/fixtures/gen_kernels.py):
 * outputs and the gradients of sum(out * gy) for conv2d (every option), pooling, batch norm, linear.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { expectClose } from '../helpers/close';

type Case = Record<string, any>;
const load = (name: string): Case[] =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'kernels', `${name}.json`), 'utf8')).cases;

const T = (v: number[], shape: number[], grad = true) => {
  const t = new Tensor(Float32Array.from(v), shape);
  return grad ? t.requiresGrad_(true) : t;
};
const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]));

// fp32 with different summation orders than PyTorch's oneDNN/BLAS: relative 1e-4 plus a small
// absolute floor for values that cancel to near zero.
const RTOL = 1e-4, ATOL = 2e-5;
const desc = (c: Case) => JSON.stringify({ x: c.xShape, w: c.wShape, k: c.k, size: c.size, opts: c.opts });

describe('conv2d matches PyTorch', () => {
  for (const c of load('conv2d')) {
    test(desc(c), () => {
      const x = T(c.x, c.xShape), w = T(c.w, c.wShape), b = c.b ? T(c.b, [c.wShape[0]]) : null;
      const out = F.conv2d(x, w, b, camel(c.opts));
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.out, RTOL, ATOL, 'out');
      out.backward(T(c.gy, c.outShape, false));
      expectClose(x.grad!, c.gx, RTOL, ATOL, 'gradInput');
      expectClose(w.grad!, c.gw, RTOL, ATOL, 'gradWeight');
      if (b) expectClose(b.grad!, c.gb, RTOL, ATOL, 'gradBias');
    });
  }
});

describe('pooling matches PyTorch', () => {
  for (const c of load('pool2d')) {
    test(`${c.op} ${desc(c)}`, () => {
      const x = T(c.x, c.xShape);
      let out: Tensor, idx: Tensor | null = null;
      if (c.op === 'maxPool2d') {
        [out, idx] = F.maxPool2d(x, c.k, { ...camel(c.opts), returnIndices: true });
      } else if (c.op === 'avgPool2d') {
        out = F.avgPool2d(x, c.k, camel(c.opts));
      } else if (c.op === 'adaptiveAvgPool2d') {
        out = F.adaptiveAvgPool2d(x, c.size);
      } else {
        [out, idx] = F.adaptiveMaxPool2d(x, c.size, { returnIndices: true });
      }
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.out, RTOL, ATOL, 'out');
      if (c.indices && idx) expect(Array.from(idx.storage)).toEqual(c.indices);
      out.backward(T(c.gy, c.outShape, false));
      expectClose(x.grad!, c.gx, RTOL, ATOL, 'gradInput');
    });
  }
});

describe('batchNorm matches PyTorch', () => {
  for (const c of load('batchnorm')) {
    test(`${JSON.stringify(c.xShape)} training=${c.training} affine=${!!c.w} stats=${!!c.runningMean}`, () => {
      const ch = c.xShape[1];
      const x = T(c.x, c.xShape);
      const w = c.w ? T(c.w, [ch]) : null, b = c.b ? T(c.b, [ch]) : null;
      const rm = c.runningMean ? T(c.runningMean, [ch], false) : null;
      const rv = c.runningVar ? T(c.runningVar, [ch], false) : null;
      const out = F.batchNorm(x, rm, rv, { weight: w, bias: b, training: c.training, momentum: c.momentum, eps: 1e-5 });
      expectClose(out, c.out, RTOL, ATOL, 'out');
      if (rm) expectClose(rm, c.runningMeanAfter, 1e-5, 1e-6, 'runningMean');
      if (rv) expectClose(rv, c.runningVarAfter, 1e-5, 1e-6, 'runningVar');
      out.backward(T(c.gy, c.xShape, false));
      expectClose(x.grad!, c.gx, RTOL, ATOL, 'gradInput');
      if (w) expectClose(w.grad!, c.gw, RTOL, ATOL, 'gradWeight');
      if (b) expectClose(b.grad!, c.gb, RTOL, ATOL, 'gradBias');
    });
  }
});

describe('linear matches PyTorch', () => {
  for (const c of load('linear')) {
    test(`${JSON.stringify(c.xShape)} x ${JSON.stringify(c.wShape)} bias=${!!c.b}`, () => {
      const x = T(c.x, c.xShape), w = T(c.w, c.wShape), b = c.b ? T(c.b, [c.wShape[0]]) : null;
      const out = F.linear(x, w, b);
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.out, RTOL, ATOL, 'out');
      out.backward(T(c.gy, c.outShape, false));
      expectClose(x.grad!, c.gx, RTOL, ATOL, 'gradInput');
      expectClose(w.grad!, c.gw, RTOL, ATOL, 'gradWeight');
      if (b) expectClose(b.grad!, c.gb, RTOL, ATOL, 'gradBias');
    });
  }
});
