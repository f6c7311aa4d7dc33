/** Loss functions against PyTorch 1.13: values and gradients, every reduction and option. */
import * as F from '../../lib/functional/loss';
import { Tensor } from '../../lib/tensor';
import { noGrad } from '../../lib/autograd/grad-mode';
import { expectClose } from '../helpers/close';
import { fixture, FixTensor, T } from './helpers';

interface LossCase {
  name: string;
  fn: string;
  input: FixTensor;
  target: FixTensor;
  opts: Record<string, unknown>;
  out: FixTensor;
  gradOut: FixTensor;
  gradInput: FixTensor;
  gradTarget?: FixTensor;
}

const cases = fixture<LossCase[]>('losses.json');

function opts(c: LossCase): Record<string, unknown> {
  const o: Record<string, unknown> = { ...c.opts };
  if (o.weight) o.weight = T(o.weight as FixTensor);
  if (o.posWeight) o.posWeight = T(o.posWeight as FixTensor);
  return o;
}

const fns: Record<string, (x: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor> = {
  cross_entropy: (x, t, o) => F.crossEntropy(x, t, o),
  nll_loss: (x, t, o) => F.nllLoss(x, t, o),
  mse_loss: (x, t, o) => F.mseLoss(x, t, o as { reduction?: F.Reduction }),
  l1_loss: (x, t, o) => F.l1Loss(x, t, o as { reduction?: F.Reduction }),
  binary_cross_entropy_with_logits: (x, t, o) => F.binaryCrossEntropyWithLogits(x, t, o),
};

describe('losses match PyTorch', () => {
  test('fixture covers every loss', () => {
    expect(new Set(cases.map((c) => c.fn))).toEqual(new Set(Object.keys(fns)));
    expect(cases.length).toBeGreaterThan(60);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = T(c.input, true);
    const t = T(c.target, !!c.gradTarget);
    const out = fns[c.fn](x, t, opts(c));
    expect(out.shape).toEqual(c.out.shape);
    expectClose(out, c.out.data, 1e-5, 1e-5, 'loss');
    out.backward(T(c.gradOut));
    expectClose(x.grad!, c.gradInput.data, 1e-4, 1e-6, 'grad input');
    if (c.gradTarget) expectClose(t.grad!, c.gradTarget.data, 1e-4, 1e-5, 'grad target');
  });
});

describe('class targets', () => {
  const x = new Tensor(Float32Array.from([1, 2, 3, 0.5, -1, 2, 0, 0, 1]), [3, 3]);
  test('number[], Int32Array and tensor targets agree', () => {
    const a = F.crossEntropy(x, [2, 0, 1]).item();
    const b = F.crossEntropy(x, Int32Array.from([2, 0, 1])).item();
    const c = F.crossEntropy(x, new Tensor(Float32Array.from([2, 0, 1]), [3])).item();
    expect(a).toBeCloseTo(b, 6);
    expect(a).toBeCloseTo(c, 6);
  });
  test('out-of-range target names the index', () => {
    expect(() => F.crossEntropy(x, [2, 3, 1])).toThrow(/target 3 at index 1 is out of bounds for 3 classes/);
    expect(() => F.nllLoss(x, [-1, 0, 1])).toThrow(/target -1 at index 0 is out of bounds/);
    expect(() => F.crossEntropy(x, [0, 1.5, 1])).toThrow(/integers.*1\.5 at index 1/);
  });
  test('wrong target length or shape', () => {
    expect(() => F.crossEntropy(x, [0, 1])).toThrow(/expected 3 target values/);
    expect(() => F.crossEntropy(x, new Tensor(new Float32Array(4), [4]))).toThrow(/expected target of shape \[3\]/);
  });
  test('bad options', () => {
    expect(() => F.crossEntropy(x, [0, 1, 2], { reduction: 'avg' as F.Reduction })).toThrow(/reduction must be/);
    expect(() => F.crossEntropy(x, [0, 1, 2], { weight: new Tensor(new Float32Array(2), [2]) })).toThrow(/weight must have shape \[3\]/);
    expect(() => F.crossEntropy(x, [0, 1, 2], { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
  });
  test('all targets ignored: mean is NaN like PyTorch, gradient zero', () => {
    const xi = x.detach().requiresGrad_(true);
    const l = F.crossEntropy(xi, [-100, -100, -100]);
    expect(Number.isNaN(l.item())).toBe(true);
  });
  test('one graph node per loss; nothing recorded under noGrad', () => {
    const xi = x.detach().requiresGrad_(true);
    const l = F.crossEntropy(xi, [0, 1, 2]);
    expect(l.gradFn!.name).toBe('CrossEntropyLossBackward0');
    expect(l.gradFn!.inputs[0]).toBe(xi);
    const m = noGrad(() => F.crossEntropy(xi, [0, 1, 2]));
    expect(m.requiresGrad).toBe(false);
  });
  test('BCE target shape must match', () => {
    expect(() => F.binaryCrossEntropyWithLogits(x, new Tensor(new Float32Array(3), [3]))).toThrow(/target size \[3\] must be the same as input size \[3, 3\]/);
  });
  test('mseLoss broadcasts like PyTorch', () => {
    const a = new Tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]).requiresGrad_(true);
    const b = new Tensor(Float32Array.from([1, 1]), [2]);
    const l = F.mseLoss(a, b);
    expect(l.item()).toBeCloseTo((0 + 1 + 4 + 9) / 4, 6);
    l.backward();
    expectClose(a.grad!, [0, 0.5, 1, 1.5]);
  });
});
