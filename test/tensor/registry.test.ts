/**
 * The unary-op registry (lib/ops/unary-registry.ts): every registered op is a torch.X function, a
 * t.X() method, has a PyTorch fixture case and passes a gradcheck, so an op cannot be half-registered.
 */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';
import { registeredUnaryOps } from '../../lib/ops/unary-registry';
import { TypedUnaryOp } from '../../lib/native';
import { gradcheck } from '../helpers/gradcheck';
import fixtures from '../fixtures/tensor/ops.json';

const ops = registeredUnaryOps();
const cases = (fixtures as unknown as { cases: Record<string, unknown> }).cases;

describe('unary-op registry', () => {
  test('has the ops', () => {
    expect(ops.map((o) => o.def.name)).toEqual(expect.arrayContaining(['sin', 'cos', 'erf', 'erfinv', 'log1p', 'expm1', 'rsqrt', 'logSigmoid']));
  });

  for (const op of ops) {
    const { name, domain } = op.def;
    describe(name, () => {
      test('is torch.X and t.X(), with the same result', () => {
        const x = torch.linspace(domain[0], domain[1], 7);
        const fn = (torch as unknown as Record<string, (t: Tensor) => Tensor>)[name];
        expect(fn).toBe(op);
        const m = (x as unknown as Record<string, () => Tensor>)[name]();
        expect(m.toArray()).toEqual(fn(x).toArray());
      });

      test('has a native kernel and a PyTorch fixture case', () => {
        expect(TypedUnaryOp[name]).toEqual(expect.any(Number));
        expect(cases[name]).toBeDefined();
      });

      test('gradcheck over its domain', () => {
        const [lo, hi] = domain;
        const x = torch.rand(3, 4).mul(hi - lo).add(lo);
        expect(() => gradcheck(op, [x], { eps: 1e-3 * Math.max(1, hi - lo) })).not.toThrow();
      });

      test('int64 input promotes to float32', () => {
        expect(op(torch.tensor([1], { dtype: 'int64' })).dtype).toBe('float32');
      });
    });
  }
});
