/** PixelShuffle, ZeroPad2d, Dropout2d, Unflatten against PyTorch 1.13 (test/fixtures/layers/spatial.json). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { nn } from '../../lib';
import { expectClose } from '../helpers/close';

const cases = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'layers', 'spatial.json'), 'utf8')).cases;
const T = (v: number[], shape: readonly number[]) => new Tensor(Float32Array.from(v), shape);

describe('spatial layers match PyTorch', () => {
  for (const c of cases.filter((c: any) => c.op !== 'reprs')) {
    test(`${c.op} ${JSON.stringify(c.xShape)} ${JSON.stringify(c.r ?? c.pad)}`, () => {
      const x = T(c.x, c.xShape).requiresGrad_(true);
      let out: Tensor;
      if (c.op === 'pixelShuffle') out = new nn.PixelShuffle(c.r).forward(x);
      else {
        const m = new nn.ZeroPad2d(c.pad);
        expect(m.toString()).toBe(c.repr);
        out = m.forward(x);
      }
      expect(out.shape).toEqual(c.outShape);
      // A pure rearrangement: exactly the input values (7-digit decimals, so fround recovers them).
      expectClose(out, c.out.map(Math.fround), 0, 0, 'out');
      out.backward(T(c.gy, c.outShape));
      expectClose(x.grad!, c.gx.map(Math.fround), 0, 0, 'gradInput');
    });
  }

  test('reprs', () => {
    const r = cases.find((c: any) => c.op === 'reprs').reprs;
    expect(new nn.PixelShuffle(3).toString()).toBe(r['PixelShuffle(3)']);
    expect(new nn.Dropout2d().toString()).toBe(r['Dropout2d()']);
    expect(new nn.Dropout2d(0.2, true).toString()).toBe(r['Dropout2d(0.2, true)']);
    expect(new nn.Unflatten(1, [2, 3]).toString()).toBe(r['Unflatten(1, [2, 3])']);
  });

  test('Dropout2d zeroes whole channels and scales the rest; eval is identity', () => {
    torch.manualSeed(3);
    const m = new nn.Dropout2d(0.5);
    const x = torch.ones(4, 8, 3, 3).requiresGrad_(true);
    const y = m.forward(x);
    const v = y.storage;
    let zeros = 0;
    for (let p = 0; p < 32; p++) {
      const plane = Array.from(v.subarray(p * 9, p * 9 + 9));
      expect(new Set(plane).size).toBe(1);
      expect([0, 2]).toContain(plane[0]);
      if (plane[0] === 0) zeros++;
    }
    expect(zeros).toBeGreaterThan(4);
    expect(zeros).toBeLessThan(28);
    y.sum().backward();
    expectClose(x.grad!, v, 0, 0, 'grad');
    m.eval();
    expect(m.forward(x)).toBe(x);
  });

  test('Unflatten and errors', () => {
    const y = new nn.Unflatten(1, [2, 3]).forward(torch.zeros(4, 6));
    expect(y.shape).toEqual([4, 2, 3]);
    expect(() => F.pixelShuffle(torch.zeros(1, 3, 2, 2), 2)).toThrow(/pixelShuffle: expected the channel dimension \(3\)/);
    expect(() => F.zeroPad2d(torch.zeros(2, 2), -1)).toThrow(/zeroPad2d: padding must be a non-negative integer/);
  });
});
