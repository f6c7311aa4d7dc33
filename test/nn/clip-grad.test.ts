/** nn.utils.clipGradNorm_ / clipGradValue_ against PyTorch 1.13 (scripts/fixtures/gen_module.py). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';
import { expectClose, flat } from '../helpers/close';

type Grads = (unknown[] | null)[];
const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'module', 'clip_grad.json'), 'utf8'));
const shapes = [[3, 4], [5], [2, 2, 2], [2]];

function params(grads: Grads): nn.Parameter[] {
  return shapes.map((s, i) => {
    const p = new nn.Parameter(torch.zeros(s));
    const g = grads[i];
    if (g) p.grad = torch.tensor(flat(g), { shape: s });
    return p;
  });
}

function expectGrads(ps: nn.Parameter[], after: Grads): void {
  ps.forEach((p, i) => {
    if (after[i] === null) expect(p.grad).toBeNull();
    else expectClose(p.grad as Tensor, flat(after[i]), 1e-5, 1e-6, `grad ${i}`);
  });
}

describe('clipGradNorm_', () => {
  for (const c of fx.norm) {
    test(`maxNorm ${c.maxNorm}, normType ${c.normType}: total norm and clipped grads as PyTorch`, () => {
      const ps = params(c.grads);
      const normType = c.normType === 'inf' ? Infinity : c.normType;
      const total = nn.utils.clipGradNorm_(ps, c.maxNorm, normType);
      expect(total.shape).toEqual([]);
      expectClose(total, [c.total], 1e-5, 1e-6, 'total norm');
      expectGrads(ps, c.after);
    });
  }

  test('a single tensor is accepted', () => {
    const [p] = params([fx.single.grad]);
    expectClose(nn.utils.clipGradNorm_(p, 1.0), [fx.single.total]);
    expectClose(p.grad as Tensor, flat(fx.single.after));
  });

  test('a generator of parameters is walked once (model.parameters())', () => {
    const m = new nn.Linear(3, 2);
    m(torch.ones(4, 3).mul(10)).sum().backward();
    const before = nn.utils.clipGradNorm_(m.parameters(), 1e9).item();
    expect(before).toBeGreaterThan(1);
    nn.utils.clipGradNorm_(m.parameters(), 1.0);
    expect(nn.utils.clipGradNorm_(m.parameters(), 1e9).item()).toBeCloseTo(1.0, 5);
  });

  test('no grads at all: total norm 0, nothing changes', () => {
    const p = new nn.Parameter(torch.ones(3));
    const total = nn.utils.clipGradNorm_([p], 1.0);
    expect(total.item()).toBe(0);
    expect(p.grad).toBeNull();
  });

  test('errorIfNonfinite: a NaN gradient is refused with PyTorch\'s message; without it the grads become NaN', () => {
    expect(fx.nonfinite.error).toContain('is non-finite, so it cannot be clipped');
    const ps = params(fx.nonfinite.grads);
    const [pi, ei] = fx.nonfinite.nanAt;
    ps[pi].grad!.storage[ei] = NaN;
    expect(() => nn.utils.clipGradNorm_(ps, 1.0, 2, { errorIfNonfinite: true })).toThrow(
      /The total norm of order 2 for gradients from `parameters` is non-finite, so it cannot be clipped/,
    );
    expect(Number.isNaN(nn.utils.clipGradNorm_(ps, 1.0).item())).toBe(true);
    expect(Number.isNaN(ps[0].grad!.storage[0])).toBe(true);
  });

  test('bad arguments name the problem', () => {
    const p = new nn.Parameter(torch.ones(2));
    expect(() => nn.utils.clipGradNorm_(42 as never, 1)).toThrow(/clipGradNorm_: parameters must be a Tensor or an iterable of Tensors, got number/);
    expect(() => nn.utils.clipGradNorm_([p, 'x' as never], 1)).toThrow(/clipGradNorm_: parameters must be Tensors, got string/);
    expect(() => nn.utils.clipGradNorm_([p], 'big' as never)).toThrow(/clipGradNorm_: maxNorm must be a number, got string/);
    expect(() => nn.utils.clipGradNorm_([p], 1, NaN)).toThrow(/normType must be a number/);
  });
});

describe('clipGradValue_', () => {
  for (const c of fx.value) {
    test(`clipValue ${c.clipValue}: grads clamped as PyTorch`, () => {
      const ps = params(c.grads);
      expect(nn.utils.clipGradValue_(ps, c.clipValue)).toBeUndefined();
      expectGrads(ps, c.after);
    });
  }

  test('bad arguments name the problem', () => {
    expect(() => nn.utils.clipGradValue_(null as never, 1)).toThrow(/clipGradValue_: parameters must be/);
    expect(() => nn.utils.clipGradValue_([], undefined as never)).toThrow(/clipGradValue_: clipValue must be a number, got undefined/);
  });
});
