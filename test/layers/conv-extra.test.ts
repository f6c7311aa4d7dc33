/**
 * Conv1d and ConvTranspose2d against PyTorch 1.13 (test/fixtures/layers-conv/*.json, written by
 * scripts/fixtures/gen_layers_conv.py): values, input/weight/bias gradients, reprs, state-dict
 * keys; a finite-difference gradcheck; and the errors for bad arguments.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { nn } from '../../lib';
import { expectClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';

const FIX = join(__dirname, '..', 'fixtures', 'layers-conv');
const load = (name: string) => JSON.parse(readFileSync(join(FIX, name), 'utf8')).cases;
const T = (v: number[], shape: readonly number[], grad = true) => new Tensor(Float32Array.from(v), shape).requiresGrad_(grad);

function checkCase(c: any, fn: (x: Tensor, w: Tensor, b: Tensor | null) => Tensor): void {
  const x = T(c.x, c.xShape), w = T(c.w, c.wShape), b = c.b ? T(c.b, [c.b.length]) : null;
  const out = fn(x, w, b);
  expect(out.shape).toEqual(c.outShape);
  expectClose(out, c.out, 1e-5, 1e-5, 'out');
  out.backward(T(c.gy, c.outShape, false));
  expectClose(x.grad!, c.gx, 1e-5, 1e-5, 'gradInput');
  expectClose(w.grad!, c.gw, 1e-5, 1e-5, 'gradWeight');
  if (b) expectClose(b.grad!, c.gb, 1e-5, 1e-5, 'gradBias');
}

describe('F.conv1d matches PyTorch', () => {
  for (const c of load('conv1d.json')) {
    test(`${JSON.stringify(c.xShape)} * ${JSON.stringify(c.wShape)} ${JSON.stringify(c.opts)}${c.b ? '' : ' no bias'}`, () => {
      checkCase(c, (x, w, b) => F.conv1d(x, w, b, c.opts));
    });
  }
  test('nn.Conv1d computes F.conv1d with its parameters', () => {
    const c = load('conv1d.json')[1];
    const m = new nn.Conv1d(c.wShape[1], c.wShape[0], c.wShape[2], c.opts);
    torch.noGrad(() => {
      m.weight.copy_(T(c.w, c.wShape, false));
      m.bias!.copy_(T(c.b, [c.b.length], false));
    });
    const x = T(c.x, c.xShape);
    const out = m(x);
    expectClose(out, c.out, 1e-5, 1e-5, 'out');
    out.backward(T(c.gy, c.outShape, false));
    expectClose(m.weight.grad!, c.gw, 1e-5, 1e-5, 'gradWeight');
    expect(out.gradFn!.name).toBe('ConvolutionBackward0');
  });
});

describe('F.convTranspose2d matches PyTorch', () => {
  for (const c of load('conv_transpose2d.json')) {
    test(`${JSON.stringify(c.xShape)} * ${JSON.stringify(c.wShape)} ${JSON.stringify(c.opts)}${c.b ? '' : ' no bias'}`, () => {
      checkCase(c, (x, w, b) => F.convTranspose2d(x, w, b, c.opts));
    });
  }
  test('nn.ConvTranspose2d computes F.convTranspose2d; forward(x, outputSize) picks the output padding', () => {
    const c = load('conv_transpose2d.json')[1];  // stride 2, padding 1, outputPadding 1
    const m = new nn.ConvTranspose2d(c.wShape[0], c.wShape[1], 3, { stride: 2, padding: 1 });
    torch.noGrad(() => {
      m.weight.copy_(T(c.w, c.wShape, false));
      m.bias!.copy_(T(c.b, [c.b.length], false));
    });
    const x = T(c.x, c.xShape);
    expect(m(x).shape).toEqual([c.outShape[0], c.outShape[1], c.outShape[2] - 1, c.outShape[3] - 1]);
    const out = m(x, c.outShape.slice(2));
    expectClose(out, c.out, 1e-5, 1e-5, 'out');
    out.backward(T(c.gy, c.outShape, false));
    expectClose(x.grad!, c.gx, 1e-5, 1e-5, 'gradInput');
    expect(() => m(x, [100, 100])).toThrow(/ConvTranspose2d: requested an output size of \[100,100\], but valid sizes range from \[9\] to \[10\]/);
  });
});

describe('F.convTranspose1d matches PyTorch', () => {
  for (const c of load('conv_transpose1d.json')) {
    test(`${JSON.stringify(c.xShape)} * ${JSON.stringify(c.wShape)} ${JSON.stringify(c.opts)}${c.b ? '' : ' no bias'}`, () => {
      checkCase(c, (x, w, b) => F.convTranspose1d(x, w, b, c.opts));
    });
  }
  test('nn.ConvTranspose1d computes F.convTranspose1d with its parameters', () => {
    const c = load('conv_transpose1d.json')[1];
    const m = new nn.ConvTranspose1d(c.wShape[0], c.wShape[1] * c.opts.groups, c.wShape[2], c.opts);
    torch.noGrad(() => {
      m.weight.copy_(T(c.w, c.wShape, false));
      m.bias!.copy_(T(c.b, [c.b.length], false));
    });
    const out = m(T(c.x, c.xShape));
    expectClose(out, c.out, 1e-5, 1e-5, 'out');
    out.backward(T(c.gy, c.outShape, false));
    expectClose(m.weight.grad!, c.gw, 1e-5, 1e-5, 'gradWeight');
    expect(() => F.convTranspose1d(T(c.x, c.xShape), T(c.w, c.wShape), null, { outputPadding: 2, stride: 2 }))
      .toThrow(/^convTranspose1d: output padding must be smaller than either stride or dilation/);
    expect(() => F.convTranspose1d(torch.zeros(2, 4, 6, 1), T(c.w, c.wShape))).toThrow(/^convTranspose1d: expected a 2-D \(C, L\) or 3-D \(N, C, L\) input, got input\[2, 4, 6, 1\]/);
  });
});

describe('Conv1d / ConvTranspose2d modules as PyTorch', () => {
  const mods: Record<string, () => nn.Module> = {
    'Conv1d(16, 33, 3, {stride: 2})': () => new nn.Conv1d(16, 33, 3, { stride: 2 }),
    "Conv1d(4, 8, 4, {padding: 'same', dilation: 2, groups: 2, bias: false})":
      () => new nn.Conv1d(4, 8, 4, { padding: 'same', dilation: 2, groups: 2, bias: false }),
    "Conv1d(4, 4, 3, {padding: 'valid'})": () => new nn.Conv1d(4, 4, 3, { padding: 'valid' }),
    'Conv1d(2, 4, 5, {padding: 2})': () => new nn.Conv1d(2, 4, 5, { padding: 2 }),
    'ConvTranspose2d(16, 33, 3, {stride: 2})': () => new nn.ConvTranspose2d(16, 33, 3, { stride: 2 }),
    'ConvTranspose1d(16, 33, 3, {stride: 2, outputPadding: 1})': () => new nn.ConvTranspose1d(16, 33, 3, { stride: 2, outputPadding: 1 }),
    'ConvTranspose2d(16, 33, [3, 5], {stride: [2, 1], padding: [4, 2]})':
      () => new nn.ConvTranspose2d(16, 33, [3, 5], { stride: [2, 1], padding: [4, 2] }),
    'ConvTranspose2d(8, 4, 4, {stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2, bias: false})':
      () => new nn.ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2, bias: false }),
  };
  for (const c of load('modules.json').filter((c: any) => c.ctor.startsWith('Conv'))) {
    test(`${c.ctor}: repr, state-dict keys and shapes`, () => {
      const m = mods[c.ctor]();
      expect(m.toString()).toBe(c.repr);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(c.keys);
      expect(Object.values(sd).map((t) => t.shape)).toEqual(c.shapes);
    });
  }

  test('default initialisation: kaiming-uniform bounds from the fan-in of the weight layout', () => {
    torch.manualSeed(5);
    // ConvTranspose2d's fan-in is weight.shape[1] * kh * kw = (out / groups) * kh * kw.
    const t = new nn.ConvTranspose2d(8, 6, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(3 * 9);  // kaiming_uniform(a = sqrt 5) bound = 1 / sqrt(fanIn), so is the bias's
    for (const p of [t.weight, t.bias!]) {
      const v = p.storage;
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
      expect(Math.max(...v)).toBeGreaterThan(bound * 0.6);
    }
    const c = new nn.Conv1d(4, 5, 3);
    const b1 = 1 / Math.sqrt(4 * 3);
    expect(Math.max(...c.weight.storage.map(Math.abs))).toBeLessThanOrEqual(b1);
    expect(c.weight.shape).toEqual([5, 4, 3]);
  });

  test('a PyTorch state dict loads strictly', () => {
    const m = new nn.ConvTranspose2d(4, 6, 3, { stride: 2 });
    const sd = { weight: torch.randn(4, 6, 3, 3), bias: torch.randn(6) };
    m.loadStateDict(sd);
    expectClose(m.weight, sd.weight.storage, 0, 0);
  });
});

describe('gradcheck (finite differences)', () => {
  test('conv1d: input, weight, bias (stride 2, dilation 2, groups 2)', () => {
    torch.manualSeed(11);
    const x = torch.randn(2, 4, 9).requiresGrad_(true);
    const w = torch.randn(6, 2, 3).requiresGrad_(true);
    const b = torch.randn(6).requiresGrad_(true);
    gradcheck((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [x, w, b],
      { eps: 1e-2, atol: 2e-2, rtol: 2e-2 });
  });
  test('convTranspose2d: input, weight, bias (stride 2, outputPadding 1, groups 2)', () => {
    torch.manualSeed(12);
    const x = torch.randn(2, 4, 3, 3).requiresGrad_(true);
    const w = torch.randn(4, 3, 3, 3).requiresGrad_(true);
    const b = torch.randn(6).requiresGrad_(true);
    gradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [x, w, b],
      { eps: 1e-2, atol: 2e-2, rtol: 2e-2 });
  });
});

describe('bad arguments give named errors', () => {
  test('conv1d', () => {
    const x = torch.zeros(2, 4, 8), w = torch.zeros(6, 4, 3);
    expect(() => F.conv1d(torch.zeros(2, 4, 8, 1), w)).toThrow(/^conv1d: expected a 2-D \(C, L\) or 3-D \(N, C, L\) input, got input\[2, 4, 8, 1\]/);
    expect(() => F.conv1d(x, torch.zeros(6, 4, 3, 3))).toThrow(/conv1d: expected a 3-D weight .*, got weight\[6, 4, 3, 3\]/);
    expect(() => F.conv1d(x, torch.zeros(6, 3, 3))).toThrow(/conv1d: expected input\[2, 4, 8\] to have 3 channels .* but got 4 channels/);
    expect(() => F.conv1d(x, w, null, { stride: 0 })).toThrow(/conv1d: stride must be an integer >= 1 .*, got 0/);
    expect(() => F.conv1d(x, w, null, { padding: 'same', stride: 2 })).toThrow(/conv1d: padding='same' is not supported for strided convolutions, got stride 2/);
    expect(() => F.conv1d(x, w, null, { padding: 'full' as any })).toThrow(/conv1d: padding must be .*, got 'full'/);
    expect(() => F.conv1d(torch.zeros(1, 4, 2), w)).toThrow(/conv1d: input\[1, 4, 2\] \(padded length 2\) is smaller than the effective kernel size 3/);
    expect(() => F.conv1d(x, w, torch.zeros(5))).toThrow(/conv1d: expected bias of shape \[6\] .*, got bias\[5\]/);
    expect(() => F.conv1d(x, w, null, { strides: 1 } as any)).toThrow(/conv1d: unknown option 'strides'/);
    expect(() => new nn.Conv1d(4, 6, 3, { groups: 4 })).toThrow(/Conv1d: out_channels must be divisible by groups, got 6 and groups 4/);
    expect(() => new nn.Conv1d(4, 6, 3, { padding: 'full' as any })).toThrow(/Conv1d: invalid padding string 'full'/);
    expect(() => new nn.Conv1d(4, 6, [3, 3] as any)).toThrow(/Conv1d: kernelSize must be an integer >= 1 or a 1-element list of one, got \[3,3\]/);
    expect(() => new nn.Conv1d(4, 6, 3, { paddingMode: 'reflect' })(x)).toThrow(/Conv1d: padding_mode='reflect' is not supported yet/);
  });
  test('convTranspose2d', () => {
    const x = torch.zeros(2, 4, 5, 5), w = torch.zeros(4, 3, 3, 3);
    expect(() => F.convTranspose2d(torch.zeros(4, 5), w)).toThrow(/^convTranspose2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got input\[4, 5\]/);
    expect(() => F.convTranspose2d(torch.zeros(2, 3, 5, 5), w)).toThrow(/convTranspose2d: expected input\[2, 3, 5, 5\] to have 4 channels .* but got 3 channels/);
    expect(() => F.convTranspose2d(x, w, null, { outputPadding: 1 })).toThrow(/convTranspose2d: output padding must be smaller than either stride or dilation, got outputPadding \[1, 1\]/);
    expect(() => F.convTranspose2d(x, w, null, { groups: 3 })).toThrow(/convTranspose2d: weight\[4, 3, 3, 3\] has 4 input channels, not divisible by groups 3/);
    expect(() => F.convTranspose2d(torch.zeros(1, 4, 1, 1), w, null, { padding: 2 })).toThrow(/convTranspose2d: given input\[1, 4, 1, 1\], the calculated output size per channel \(-1 x -1\) is too small/);
    expect(() => F.convTranspose2d(x, w, torch.zeros(4))).toThrow(/convTranspose2d: expected bias of shape \[3\] .*, got bias\[4\]/);
    expect(() => F.convTranspose2d(x, w, null, { stride: [1, 0] })).toThrow(/convTranspose2d: stride must be an integer >= 1/);
    expect(() => new nn.ConvTranspose2d(4, 6, 3, { paddingMode: 'reflect' as any })).toThrow(/ConvTranspose2d: only "zeros" padding mode is supported/);
    expect(() => new nn.ConvTranspose2d(3, 6, 3, { groups: 2 })).toThrow(/ConvTranspose2d: in_channels must be divisible by groups, got 3 and groups 2/);
  });
  test('the native entry points re-check sizes', () => {
    const native = require('../../lib/native').native;
    const p = Int32Array.of(1, 3, 5, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, 3, 3);
    expect(() => native.convTranspose2d(new Float32Array(10), new Float32Array(108), null, p, new Float32Array(75)))
      .toThrow(/torchlet.convTranspose2d: input holds 10 values, expected 36/);
    const bad = Int32Array.of(1, 3, 5, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, 9, 9);
    expect(() => native.convTranspose2d(new Float32Array(324), new Float32Array(108), null, bad, new Float32Array(75)))
      .toThrow(/torchlet.convTranspose2d: input size 9 x 9 and output size 5 x 5 do not agree/);
    expect(() => native.interpolate(new Float32Array(4), Int32Array.of(1, 2, 2, 4, 4, 7, 0), 0, 0, new Float32Array(16)))
      .toThrow(/torchlet.interpolate: mode must be 0 \(nearest\) or 1 \(bilinear\), got 7/);
    expect(() => native.interpolate(new Float32Array(3), Int32Array.of(1, 2, 2, 4, 4, 0, 0), 0, 0, new Float32Array(16)))
      .toThrow(/torchlet.interpolate: input holds 3 values, expected 4/);
  });
});

describe('native convTranspose2d / interpolate: random parameters never crash', () => {
  // Deterministic LCG: random geometry, buffers sized as the geometry implies (when small), so
  // calls get past the length checks and reach the kernels; each either runs or throws a JS error.
  let s = 12345;
  const rnd = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
  const pick = () => (rnd(10) === 0 ? [0, 2 ** 31 - 1, 100000][rnd(3)] : rnd(7));
  const buf = (n: number) => new Float32Array(n >= 0 && n <= 200000 ? n : rnd(50));
  const native = require('../../lib/native').native;
  test('convTranspose2d', () => {
    for (let it = 0; it < 400; it++) {
      // A consistent geometry (the adjoint conv2d of a valid transposed conv), one entry of it
      // replaced by a random value 40% of the time.
      const g = 1 + rnd(3), kh = 1 + rnd(4), kw = 1 + rnd(4), sh = 1 + rnd(3), sw = 1 + rnd(3);
      const ph = rnd(3), pw = rnd(3), dh = 1 + rnd(2), dw = 1 + rnd(2), ih = 1 + rnd(5), iw = 1 + rnd(5);
      const v = [rnd(3), g * (1 + rnd(3)), Math.max(1, (ih - 1) * sh - 2 * ph + dh * (kh - 1) + rnd(sh) + 1),
        Math.max(1, (iw - 1) * sw - 2 * pw + dw * (kw - 1) + rnd(sw) + 1), g * (1 + rnd(3)), kh, kw, sh, sw, ph, pw, dh, dw,
        g, ih, iw];
      if (rnd(10) < 4) v[rnd(16)] = pick();
      const [n, c, h, w, oc, , , , , , , , , , oh, ow] = v;
      const p = Int32Array.from(v);
      const x = buf(n * oc * oh * ow), wt = buf(oc * Math.floor(c / Math.max(v[13], 1)) * v[5] * v[6]), y = buf(n * c * h * w);
      try {
        native.convTranspose2d(x, wt, rnd(2) ? buf(c) : null, p, y);
        native.convTranspose2dBackward(x, wt, y, p, buf(x.length), buf(wt.length), buf(c));
      } catch (e) {
        expect((e as Error).name).toMatch(/^(Range|Type)?Error$/);
        expect(String((e as Error).message)).toMatch(/^torchlet\.convTranspose2d/);
      }
    }
  });
  test('interpolate', () => {
    for (let it = 0; it < 400; it++) {
      const v = Array.from({ length: 7 }, () => (rnd(4) ? 1 + rnd(6) : pick()));
      v[5] = rnd(3);
      const [planes, h, w, oh, ow] = v;
      const scales = [0, -1, 1e-30, 1e30, 2.5, NaN, Infinity];
      const sh = scales[rnd(scales.length)], sw = scales[rnd(scales.length)];
      const p = Int32Array.from(v);
      const x = buf(planes * h * w), y = buf(planes * oh * ow);
      try {
        native.interpolate(x, p, sh, sw, y);
        native.interpolateBackward(y, p, sh, sw, x);
        expect(y.every(Number.isFinite)).toBe(true);
      } catch (e) {
        expect((e as Error).name).toMatch(/^(Range|Type)?Error$/);
        expect(String((e as Error).message)).toMatch(/^torchlet\.interpolate/);
      }
    }
  });
});
