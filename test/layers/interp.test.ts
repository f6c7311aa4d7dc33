/**
 * F.interpolate / nn.Upsample against PyTorch 1.13 (test/fixtures/layers-conv/interpolate.json and
 * modules.json, written by scripts/fixtures/gen_layers_conv.py): 'nearest', 'linear', 'bilinear'
 * with alignCorners true/false, size or scaleFactor (recomputeScaleFactor too), values and input
 * gradients; reprs; a gradcheck; the errors for bad arguments.
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

describe('F.interpolate matches PyTorch', () => {
  for (const c of load('interpolate.json')) {
    test(`${JSON.stringify(c.xShape)} ${JSON.stringify(c.opts)}`, () => {
      const x = T(c.x, c.xShape);
      const out = F.interpolate(x, c.opts);
      expect(out.shape).toEqual(c.outShape);
      // Nearest copies input values (7-digit decimals, so fround recovers them): exact. Linear
      // modes: float rounding of the weights only.
      if (c.opts.mode === 'nearest') expectClose(out, c.out.map(Math.fround), 0, 0, 'out');
      else expectClose(out, c.out, 1e-6, 1e-6, 'out');
      out.backward(T(c.gy, c.outShape, false));
      expectClose(x.grad!, c.gx, 1e-5, 1e-5, 'gradInput');
    });
  }

  test('nn.Upsample and the positional size form give the same as F.interpolate', () => {
    const c = load('interpolate.json').find((c: any) => c.opts.size && c.opts.mode === 'bilinear' && c.opts.alignCorners);
    const x = T(c.x, c.xShape);
    const out = new nn.Upsample({ size: c.opts.size, mode: 'bilinear', alignCorners: true })(x);
    expectClose(out, c.out, 1e-6, 1e-6, 'module');
    expect(out.gradFn!.name).toBe('UpsampleBilinear2DBackward0');
    expectClose(F.interpolate(x, c.opts.size, { mode: 'bilinear', alignCorners: true }), c.out, 1e-6, 1e-6, 'positional');
    expectClose(new nn.UpsamplingBilinear2d(c.opts.size)(x), c.out, 1e-6, 1e-6, 'UpsamplingBilinear2d');
  });
});

describe('Upsample modules as PyTorch', () => {
  const mods: Record<string, () => nn.Module> = {
    'Upsample({scaleFactor: 2})': () => new nn.Upsample({ scaleFactor: 2 }),
    "Upsample({size: [4, 5], mode: 'bilinear', alignCorners: true})": () => new nn.Upsample({ size: [4, 5], mode: 'bilinear', alignCorners: true }),
    'Upsample({size: 7})': () => new nn.Upsample({ size: 7 }),
    "Upsample(null, [2, 1.5], 'bilinear')": () => new nn.Upsample(null, [2, 1.5], 'bilinear'),
    'UpsamplingNearest2d(null, 3)': () => new nn.UpsamplingNearest2d(null, 3),
    'UpsamplingBilinear2d([6, 8])': () => new nn.UpsamplingBilinear2d([6, 8]),
  };
  for (const c of load('modules.json').filter((c: any) => c.ctor.startsWith('Upsampl'))) {
    test(`${c.ctor}: repr and (empty) state dict`, () => {
      const m = mods[c.ctor]();
      expect(m.toString()).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
    });
  }
});

describe('gradcheck (finite differences)', () => {
  test('bilinear, alignCorners false, non-integer scale', () => {
    torch.manualSeed(21);
    const x = torch.randn(1, 2, 4, 5).requiresGrad_(true);
    gradcheck((x) => F.interpolate(x, { scaleFactor: [1.6, 2.3], mode: 'bilinear' }), [x], { eps: 1e-2 });
  });
  test('bilinear, alignCorners true, downsampling', () => {
    torch.manualSeed(22);
    const x = torch.randn(2, 1, 7, 6).requiresGrad_(true);
    gradcheck((x) => F.interpolate(x, { size: [3, 4], mode: 'bilinear', alignCorners: true }), [x], { eps: 1e-2 });
  });
  test('linear and nearest', () => {
    torch.manualSeed(23);
    const x = torch.randn(2, 2, 5).requiresGrad_(true);
    gradcheck((x) => F.interpolate(x, { size: 8, mode: 'linear' }), [x], { eps: 1e-2 });
    const y = torch.randn(1, 2, 3, 4).requiresGrad_(true);
    gradcheck((y) => F.interpolate(y, { scaleFactor: 1.5 }), [y], { eps: 1e-2 });
  });
});

describe('bad arguments give named errors', () => {
  const x = torch.zeros(1, 2, 4, 4);
  test.each([
    [() => F.interpolate(x, { scaleFactor: 2, mode: 'bicubic' as any }), /^interpolate: mode must be one of 'nearest', 'linear', 'bilinear', got "bicubic"/],
    [() => F.interpolate(torch.zeros(4, 4), { scaleFactor: 2 }), /interpolate: expected a 3-D \(N, C, L\) or 4-D \(N, C, H, W\) input, got input\[4, 4\]/],
    [() => F.interpolate(x, { scaleFactor: 2, mode: 'linear' }), /interpolate: got 4D input, but linear mode needs 3D input/],
    [() => F.interpolate(torch.zeros(1, 2, 4), { scaleFactor: 2, mode: 'bilinear' }), /interpolate: got 3D input, but bilinear mode needs 4D input/],
    [() => F.interpolate(x, { scaleFactor: 2, alignCorners: true }), /interpolate: align_corners option can only be set with the interpolating modes/],
    [() => F.interpolate(x, { size: 3, scaleFactor: 2 }), /interpolate: only one of size or scaleFactor should be defined, got both/],
    [() => F.interpolate(x, {}), /interpolate: either size or scaleFactor should be defined, got neither/],
    [() => F.interpolate(x, { size: [3, 3, 3] }), /interpolate: size shape must match input shape. Input is 2D, size is 3-D/],
    [() => F.interpolate(x, { scaleFactor: -1 }), /interpolate: scaleFactor must hold positive finite numbers, got -1/],
    [() => F.interpolate(x, { size: [2.5, 3] }), /interpolate: size must hold non-negative integers below 2\^31, got \[2.5,3\]/],
    [() => F.interpolate(x, { scaleFactor: 0.1 }), /interpolate: input and output sizes should be greater than 0 .* output \[0,0\]/],
    [() => F.interpolate(x, { size: 3, mode: 'bilinear', alignCorners: 1 as any }), /interpolate: alignCorners must be a boolean, got 1/],
    [() => F.interpolate(x, { scale: 2 } as any), /interpolate: unknown option 'scale'/],
    [() => new nn.Upsample({ size: 'big' as any }), /Upsample: size must be a number or a list of numbers, got "big"/],
  ])('%#', (fn, re) => {
    expect(fn).toThrow(re);
  });
});

/** ATen's CPU bilinear formula, in float32 as it computes (an oracle independent of the kernel). */
function bilinearRef(x: Float32Array, planes: number, h: number, w: number, oh: number, ow: number, ac: boolean): Float32Array {
  const f = Math.fround;
  const taps = (inp: number, out: number) => {
    const s = ac ? (out > 1 ? f((inp - 1) / (out - 1)) : 0) : f(inp / out);
    return Array.from({ length: out }, (_, o) => {
      let src = ac ? f(s * o) : f(s * (o + 0.5) - 0.5);
      if (src < 0) src = 0;
      const i0 = Math.min(Math.floor(src), inp - 1);
      const l1 = f(Math.min(Math.max(f(src - i0), 0), 1));
      return { i0, i1: i0 < inp - 1 ? i0 + 1 : i0, l0: f(1 - l1), l1 };
    });
  };
  const th = taps(h, oh), tw = taps(w, ow);
  const y = new Float32Array(planes * oh * ow);
  for (let q = 0; q < planes; q++) {
    for (let oy = 0; oy < oh; oy++) {
      const a = th[oy];
      for (let ox = 0; ox < ow; ox++) {
        const b = tw[ox], X = (i: number, j: number) => x[(q * h + i) * w + j];
        const top = f(f(b.l0 * X(a.i0, b.i0)) + f(b.l1 * X(a.i0, b.i1)));
        const bot = f(f(b.l0 * X(a.i1, b.i0)) + f(b.l1 * X(a.i1, b.i1)));
        y[(q * oh + oy) * ow + ox] = f(f(a.l0 * top) + f(a.l1 * bot));
      }
    }
  }
  return y;
}

describe('bilinear forward: the row cache of the separable kernel', () => {
  test.each([
    [13, 17, 29, 11, false], [13, 17, 29, 11, true], [6, 5, 31, 23, false], [31, 23, 6, 5, false],
    [8, 8, 8, 8, false], [1, 9, 4, 18, true], [9, 1, 18, 1, false],
  ])('%i x %i -> %i x %i alignCorners %s: the same bits as ATen\'s formula', (h, w, oh, ow, ac) => {
    torch.manualSeed(h * 100 + oh);
    const x = torch.randn(2, 3, h, w);
    const y = F.interpolate(x, { size: [oh, ow], mode: 'bilinear', alignCorners: ac });
    expectClose(y, bilinearRef(x.storage, 6, h, w, oh, ow, ac), 0, 0, 'bilinear');
  });
});

/** The adjoint of bilinearRef's map, accumulated in float64. */
function bilinearBackwardRef(gy: Float32Array, h: number, w: number, oh: number, ow: number, ac: boolean): Float64Array {
  const taps = (inp: number, out: number) => {
    const f = Math.fround, s = ac ? (out > 1 ? f((inp - 1) / (out - 1)) : 0) : f(inp / out);
    return Array.from({ length: out }, (_, o) => {
      let src = ac ? f(s * o) : f(s * (o + 0.5) - 0.5);
      if (src < 0) src = 0;
      const i0 = Math.min(Math.floor(src), inp - 1), l1 = Math.min(Math.max(f(src - i0), 0), 1);
      return { i0, i1: i0 < inp - 1 ? i0 + 1 : i0, l0: 1 - l1, l1 };
    });
  };
  const th = taps(h, oh), tw = taps(w, ow), gx = new Float64Array(h * w);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const a = th[oy], b = tw[ox], g = gy[oy * ow + ox];
      gx[a.i0 * w + b.i0] += a.l0 * b.l0 * g;
      gx[a.i0 * w + b.i1] += a.l0 * b.l1 * g;
      gx[a.i1 * w + b.i0] += a.l1 * b.l0 * g;
      gx[a.i1 * w + b.i1] += a.l1 * b.l1 * g;
    }
  }
  return gx;
}

describe('bilinear backward: row-separable path and the direct path for very tall inputs', () => {
  test.each([
    [13, 17, 29, 11, false], [6, 5, 31, 23, true], [31, 23, 6, 5, false],
    // h * ow above the kernel's 4M-float row scratch: the direct scatter path.
    [2100, 3, 2, 2000, false],
  ])('%i x %i -> %i x %i alignCorners %s', (h, w, oh, ow, ac) => {
    torch.manualSeed(h + ow);
    const x = torch.randn(1, 1, h, w).requiresGrad_(true);
    const gy = torch.randn(1, 1, oh, ow);
    F.interpolate(x, { size: [oh, ow], mode: 'bilinear', alignCorners: ac }).backward(gy);
    expectClose(x.grad!, bilinearBackwardRef(gy.storage, h, w, oh, ow, ac), 1e-5, 1e-5, 'gradInput');
  });
});
