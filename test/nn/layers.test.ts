/** Layers over nn.functional: LeNet end to end, train/eval behaviour, default init, nn.init. */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';
import { LeNet } from './models';

describe('LeNet from the design note', () => {
  test('model(x) gives shape [1, 10] and gradients reach every parameter', () => {
    const model = new LeNet();
    const x = torch.randn(1, 3, 32, 32);
    const output = model(x);
    expect(output.shape).toEqual([1, 10]);
    output.sum().backward();
    for (const [name, p] of model.namedParameters()) {
      expect([name, p.grad?.shape]).toEqual([name, p.shape]);
    }
    expect(model.forward(x).toArray()).toEqual(output.toArray());
  });
});

describe('train/eval', () => {
  test('Dropout zeroes and rescales in training, is the identity in eval', () => {
    const d = new nn.Dropout(0.5);
    const x = torch.ones(1000);
    const y = d(x).toFloat32Array();
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(350);
    expect(zeros).toBeLessThan(650);
    expect(y.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    d.eval();
    expect(d(x).toFloat32Array().every((v) => v === 1)).toBe(true);
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });

  test('BatchNorm2d: batch stats and running-stat updates in training, running stats in eval', () => {
    const bn = new nn.BatchNorm2d(2);
    // channel 0 values 1..4, channel 1 constant 5 (N=1, H=W=2)
    const x = torch.tensor([[[[1, 2], [3, 4]], [[5, 5], [5, 5]]]]);
    const y = bn(x);
    const mean0 = 2.5, var0 = 1.25;
    const y0 = (y.toArray() as number[][][][])[0][0].flat();
    [1, 2, 3, 4].forEach((v, i) => expect(y0[i]).toBeCloseTo((v - mean0) / Math.sqrt(var0 + 1e-5), 4));
    expect(bn.num_batches_tracked!.item()).toBe(1);
    const rm = bn.running_mean!.toArray() as number[];
    const rv = bn.running_var!.toArray() as number[];
    expect(rm[0]).toBeCloseTo(0.1 * 2.5, 6);
    expect(rm[1]).toBeCloseTo(0.1 * 5, 6);
    expect(rv[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 5); // unbiased variance 5/3
    expect(rv[1]).toBeCloseTo(0.9, 6);
    bn.eval();
    const z = bn(x);
    expect(bn.num_batches_tracked!.item()).toBe(1);
    const z0 = (z.toArray() as number[][][][])[0][0][0][0];
    expect(z0).toBeCloseTo((1 - rm[0]) / Math.sqrt(rv[0] + 1e-5), 4);
    expect(() => bn(torch.ones(2, 2))).toThrow('expected 4D input (got 2D input)');
  });

  test('BatchNorm2d with momentum null uses the cumulative average', () => {
    const bn = new nn.BatchNorm2d(1, { momentum: null });
    bn(torch.tensor([[[[2]]], [[[4]]]]));
    bn(torch.tensor([[[[6]]], [[[8]]]]));
    expect(bn.num_batches_tracked!.item()).toBe(2);
    expect((bn.running_mean!.toArray() as number[])[0]).toBeCloseTo(5, 5); // (3 + 7) / 2
  });

  test('BatchNorm2d without running stats always normalises with batch statistics', () => {
    const bn = new nn.BatchNorm2d(1, { trackRunningStats: false, affine: false }).eval();
    const y = bn(torch.tensor([[[[1, 3]]]]));
    expect((y.toArray() as number[][][][])[0][0][0][0]).toBeCloseTo(-1, 3);
    expect([...bn.namedBuffers()]).toEqual([]);
    expect([...bn.parameters()]).toEqual([]);
  });
});

describe('layers forward through nn.functional', () => {
  test('shapes of conv/pool layers', () => {
    const x = torch.randn(2, 3, 9, 9);
    expect(new nn.Conv2d(3, 4, 3)(x).shape).toEqual([2, 4, 7, 7]);
    expect(new nn.Conv2d(3, 6, [3, 5], { stride: 2, padding: [1, 2], groups: 3 })(x).shape).toEqual([2, 6, 5, 5]);
    expect(new nn.Conv2d(3, 4, 3, { padding: 'same', bias: false })(x).shape).toEqual([2, 4, 9, 9]);
    expect(new nn.MaxPool2d(2)(x).shape).toEqual([2, 3, 4, 4]);
    expect(new nn.MaxPool2d(2, { ceilMode: true })(x).shape).toEqual([2, 3, 5, 5]);
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1 })(x).shape).toEqual([2, 3, 5, 5]);
    expect(new nn.AdaptiveAvgPool2d([2, 3])(x).shape).toEqual([2, 3, 2, 3]);
    expect(new nn.AdaptiveMaxPool2d(1)(x).shape).toEqual([2, 3, 1, 1]);
    expect(new nn.Flatten()(x).shape).toEqual([2, 243]);
    expect(new nn.Flatten(0, 1)(x).shape).toEqual([6, 9, 9]);
    const [v, idx] = new nn.MaxPool2d(3, { returnIndices: true })(x) as [Tensor, Tensor];
    expect(v.shape).toEqual([2, 3, 3, 3]);
    expect(idx.shape).toEqual([2, 3, 3, 3]);
  });

  test('activations match the tensor ops', () => {
    const x = torch.tensor([[-1, 0, 2]]);
    expect(new nn.ReLU()(x).toArray()).toEqual([[0, 0, 2]]);
    expect(new nn.Sigmoid()(x).toArray()).toEqual(x.sigmoid().toArray());
    expect(new nn.Tanh()(x).toArray()).toEqual(x.tanh().toArray());
    expect(new nn.Softmax(1)(x).toArray()).toEqual(x.softmax(1).toArray());
    expect(new nn.LogSoftmax(-1)(x).toArray()).toEqual(x.logSoftmax(-1).toArray());
    expect(new nn.Softmax()(x).toArray()).toEqual(x.softmax(1).toArray()); // PyTorch's implicit dim for 2-D
    expect(new nn.Identity(1, 'ignored')(x)).toBe(x);
  });

  test('Linear computes x Wᵀ + b', () => {
    const l = new nn.Linear(2, 1);
    torch.noGrad(() => {
      l.weight.copy_(torch.tensor([[2, 3]]));
      l.bias!.fill_(1);
    });
    expect(l(torch.tensor([[1, 1], [0, 2]])).toArray()).toEqual([[6], [7]]);
  });

  test('argument validation of Conv2d', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 3, 3, { groups: 2 })).toThrow('out_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 4, 3, { padding: 'same', stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(4, 4, 3, { padding: 'full' as any })).toThrow("Invalid padding string 'full'");
  });
});

describe('initialisation', () => {
  const stats = (t: Tensor) => {
    const a = t.toFloat32Array();
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    return { min: Math.min(...a), max: Math.max(...a), mean, std };
  };

  test('default Linear/Conv2d init: kaiming-uniform(a=√5) weight and U(±1/√fanIn) bias', () => {
    const l = new nn.Linear(400, 120);
    const bound = 1 / Math.sqrt(400); // gain √(2/6) · √(3/fanIn) = 1/√fanIn
    const w = stats(l.weight);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeGreaterThan(bound * 0.98);
    const b = stats(l.bias!);
    expect(b.max).toBeLessThanOrEqual(bound);
    const c = new nn.Conv2d(6, 16, 5);
    const cb = 1 / Math.sqrt(6 * 25);
    expect(stats(c.weight).max).toBeLessThanOrEqual(cb);
    expect(stats(c.weight).max).toBeGreaterThan(cb * 0.95);
    expect(stats(c.bias!).max).toBeLessThanOrEqual(cb);
    const bn = new nn.BatchNorm2d(3);
    expect(bn.weight!.toArray()).toEqual([1, 1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0, 0]);
  });

  test('torch.manualSeed makes module init reproducible', () => {
    torch.manualSeed(7);
    const a = new nn.Linear(5, 3).weight.toArray();
    torch.manualSeed(7);
    const b = new nn.Linear(5, 3).weight.toArray();
    expect(a).toEqual(b);
  });

  test('nn.init functions: fans, gains, bounds, in place without autograd', () => {
    const { init } = nn;
    const w = new nn.Parameter(torch.empty(64, 32, 3, 3));
    expect(init.calculateFanInAndFanOut(w)).toEqual([288, 576]);
    expect(() => init.calculateFanInAndFanOut(torch.empty(3))).toThrow(
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
    );
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(2 / 6), 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(init.calculateGain('conv2d')).toBe(1);

    expect(init.kaimingUniform_(w, 0, 'fan_out', 'relu')).toBe(w);
    let s = stats(w);
    const kb = Math.SQRT2 * Math.sqrt(3 / 576);
    expect(s.max).toBeLessThanOrEqual(kb);
    expect(s.max).toBeGreaterThan(kb * 0.98);
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);

    init.kaimingNormal_(w, { mode: 'fan_in', nonlinearity: 'relu' });
    expect(stats(w).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(288), 2);

    const v = torch.empty(200, 300);
    init.xavierUniform_(v, 2);
    const xb = 2 * Math.sqrt(6 / 500);
    s = stats(v);
    expect(s.max).toBeLessThanOrEqual(xb);
    expect(s.max).toBeGreaterThan(xb * 0.98);
    init.xavierNormal_(v, { gain: 1 });
    expect(stats(v).std).toBeCloseTo(Math.sqrt(2 / 500), 2);

    init.uniform_(v, -3, -2);
    s = stats(v);
    expect(s.min).toBeGreaterThanOrEqual(-3);
    expect(s.max).toBeLessThanOrEqual(-2);
    init.normal_(v, { mean: 5, std: 0.5 });
    s = stats(v);
    expect(s.mean).toBeCloseTo(5, 1);
    expect(s.std).toBeCloseTo(0.5, 1);
    init.constant_(v, 0.25);
    expect(stats(v).min).toBe(0.25);
    init.ones_(v);
    expect(stats(v).mean).toBe(1);
    init.zeros_(v);
    expect(stats(v).max).toBe(0);
    expect(() => init.kaimingUniform_(w, { mode: 'fan_avg' as any })).toThrow('Mode fan_avg not supported, please use one of fan_in, fan_out');
  });
});
