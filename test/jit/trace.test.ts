/**
 * torch.jit.trace: plans equal the eager eval-mode forward (LeNet, a BatchNorm/ReLU conv net, a
 * ResNet-18 port) at any batch size, sync and async; async runs leave the event loop free, hold
 * their input, abort, and reject clearly; anything a plan cannot replay fails the trace by name.
 */
import * as torch from '../../lib';
import { nn } from '../../lib';
import * as F from '../../lib/functional';
import { Tensor } from '../../lib/tensor';

const maxDiff = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.storage, y = b.storage;
  let d = 0, s = 0;
  for (let i = 0; i < x.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); s = Math.max(s, Math.abs(y[i])); }
  return d / Math.max(s, 1e-6);
};
const eager = (m: nn.Module, x: Tensor) => torch.noGrad(() => m(x) as Tensor);

class LeNet extends nn.Module<[Tensor], Tensor> {
  conv1 = new nn.Conv2d(1, 6, 5);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 4 * 4, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x: Tensor): Tensor {
    x = F.maxPool2d(F.relu(this.conv1(x)), 2);
    x = F.maxPool2d(F.relu(this.conv2(x)), 2);
    x = x.flatten(1);
    return this.fc3(F.relu(this.fc2(F.relu(this.fc1(x)))));
  }
}

/** Randomised running stats and affine params, so the folding is really exercised. */
function randomiseBatchNorms(m: nn.Module): void {
  torch.noGrad(() => {
    for (const mod of m.modules()) {
      if (mod instanceof nn.BatchNorm2d) {
        const c = mod.numFeatures;
        mod.runningMean!.copy_(torch.randn(c).mul(0.2));
        mod.runningVar!.copy_(torch.rand(c).add(0.5));
        mod.weight!.copy_(torch.rand(c).add(0.5));
        mod.bias!.copy_(torch.randn(c).mul(0.1));
      }
    }
  });
}

describe('torch.jit.trace: plans equal the eager forward', () => {
  test('LeNet (functional relu/maxPool2d, flatten), batch 1 traced, batches 1, 3, 17 run', () => {
    torch.manualSeed(1);
    const m = new LeNet().eval();
    const plan = torch.jit.trace(m, torch.randn(1, 1, 28, 28));
    expect(plan.steps).toEqual(['conv2d+relu [3456]', 'maxPool2d [864]', 'conv2d+relu [1024]', 'maxPool2d [256]',
      'linear+relu [120]', 'linear+relu [84]', 'linear [10]']);
    for (const n of [1, 3, 17]) {
      const x = torch.randn(n, 1, 28, 28);
      expect(maxDiff(plan(x), eager(m, x))).toBeLessThan(1e-5);
    }
  });

  test('BatchNorm/ReLU conv net: batch norm folded into the convolutions, avg pools, in-place ReLU', () => {
    torch.manualSeed(2);
    const m = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU({ inplace: true }),
      new nn.AvgPool2d(2), new nn.Conv2d(8, 16, 3, { stride: 2, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU(),
      new nn.BatchNorm2d(16), new nn.Dropout(0.5), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(16, 5));
    randomiseBatchNorms(m);
    m.train();  // the trace runs in eval mode and restores the modes
    const plan = torch.jit.trace(m, torch.randn(2, 3, 20, 20));
    expect(m.training).toBe(true);
    expect([...m.modules()].every((x) => x.training)).toBe(true);
    expect(plan.steps).toEqual(['conv2d+batchNorm+relu [3200]', 'avgPool2d [800]', 'conv2d+batchNorm+relu [256]',
      'batchNorm [256]', 'adaptiveAvgPool2d [16]', 'linear [5]']);
    m.eval();
    const x = torch.randn(4, 3, 20, 20);
    expect(maxDiff(plan(x), eager(m, x))).toBeLessThan(1e-5);
  });

  test('ResNet-18 port (residual add_ + in-place ReLU, strided downsample), batch 2 and 1', async () => {
    torch.manualSeed(3);
    const m = torch.models.resnet18({ numClasses: 10 });
    randomiseBatchNorms(m);
    m.eval();
    const plan = torch.jit.trace(m, torch.randn(2, 3, 64, 64));
    // Every conv takes its batch norm, every block's add takes the ReLU after it.
    expect(plan.steps.filter((s) => s.startsWith('conv2d+batchNorm')).length).toBe(20);
    expect(plan.steps.filter((s) => s.startsWith('add+relu [')).length).toBe(8);
    expect(plan.steps.length).toBe(20 + 8 + 3);
    for (const n of [2, 1]) {
      const x = torch.randn(n, 3, 64, 64);
      const want = eager(m, x);
      expect(maxDiff(plan(x), want)).toBeLessThan(1e-4);
      expect(maxDiff(await plan.runAsync(x), want)).toBeLessThan(1e-4);
    }
    plan.dispose();
  });
});

describe('plan.runAsync', () => {
  torch.manualSeed(4);
  const m = new LeNet().eval();
  const plan = torch.jit.trace(m, torch.randn(1, 1, 28, 28));

  test('the event loop runs while a batch computes', async () => {
    const x = torch.randn(512, 1, 28, 28);
    let ticks = 0;
    let stop = false;
    const spin = () => { if (!stop) { ticks++; setImmediate(spin); } };
    setImmediate(spin);
    const y = await plan.runAsync(x);
    stop = true;
    expect(ticks).toBeGreaterThan(0);
    expect(maxDiff(y, eager(m, x))).toBeLessThan(1e-5);
  });

  test('the input is held: writing it after the call does not change the result', async () => {
    const x = torch.randn(8, 1, 28, 28);
    const want = eager(m, x);
    const p = plan.runAsync(x);
    x.fill_(0);
    expect(maxDiff(await p, want)).toBeLessThan(1e-5);
  });

  test('several runs in flight, each its own result', async () => {
    const xs = [1, 5, 2, 9].map((n) => torch.randn(n, 1, 28, 28));
    const ys = await Promise.all(xs.map((x) => plan.runAsync(x)));
    ys.forEach((y, i) => expect(maxDiff(y, eager(m, xs[i]))).toBeLessThan(1e-5));
  });

  test('AbortSignal: an aborted signal rejects at once, an abort in flight rejects with AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(plan.runAsync(torch.randn(1, 1, 28, 28), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const ac2 = new AbortController();
    const p = plan.runAsync(torch.randn(2048, 1, 28, 28), { signal: ac2.signal });
    ac2.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'plan.runAsync: aborted' });
    // The plan still works afterwards.
    const x = torch.randn(3, 1, 28, 28);
    expect(maxDiff(await plan.runAsync(x), eager(m, x))).toBeLessThan(1e-5);
  });

  test('bad inputs reject or throw with the expected shape named', async () => {
    expect(() => plan(torch.randn(2, 1, 27, 28))).toThrow('plan: expected input of shape [N, 1, 28, 28] (traced with [1, 1, 28, 28]), got [2, 1, 27, 28]');
    await expect(plan.runAsync(torch.randn(1, 28, 28))).rejects.toThrow(/plan.runAsync: expected input of shape \[N, 1, 28, 28\]/);
    expect(() => plan(torch.zeros([2, 1, 28, 28], { dtype: 'int64' }))).toThrow('plan: expected a float32 input, got int64');
    expect(() => plan(null as any)).toThrow('plan: input must be a Tensor, got null');
  });

  test('dispose: runs in flight finish, later calls throw', async () => {
    torch.manualSeed(5);
    const m2 = new LeNet().eval();
    const p2 = torch.jit.trace(m2, torch.randn(1, 1, 28, 28));
    const x = torch.randn(64, 1, 28, 28);
    const inFlight = p2.runAsync(x);
    p2.dispose();
    expect(maxDiff(await inFlight, eager(m2, x))).toBeLessThan(1e-5);
    expect(() => p2(x)).toThrow('plan: the plan has been disposed');
    p2.dispose();  // idempotent
  });
});

describe('torch.jit.trace refuses what a plan cannot replay', () => {
  class Fn extends nn.Module<[Tensor], Tensor> {
    constructor(private readonly f: (x: Tensor) => Tensor) { super(); }
    forward(x: Tensor): Tensor { return this.f(x); }
  }
  const conv = new nn.Conv2d(1, 2, 3);
  const trace = (f: (x: Tensor) => Tensor) => torch.jit.trace(new Fn(f), torch.randn(2, 1, 8, 8));

  test('an unsupported op before a supported one', () => {
    expect(() => trace((x) => conv(x.mul(2)))).toThrow(/torch.jit.trace: conv2d reads a tensor of shape \[2, 1, 8, 8\] that was not computed from the traced input/);
  });
  test('an unsupported op the plan would end with', () => {
    expect(() => trace((x) => conv(x).sigmoid())).toThrow(/the output of forward reads a tensor of shape \[2, 2, 6, 6\] that was not computed/);
  });
  test('an op reported as unsupported is named', () => {
    expect(() => trace((x) => F.relu(conv(x).add(1)))).toThrow(/relu reads a tensor computed by add with a scalar or alpha/);
    expect(() => trace((x) => F.relu(conv(x).add(torch.ones(2, 1, 1))))).toThrow(/computed by an add with broadcasting/);
    expect(() => trace((x) => F.relu(conv(x).add(conv(x), 2)))).toThrow(/computed by add with a scalar or alpha, which plans do not support yet/);
  });
  test('an in-place write a plan cannot follow invalidates the value and its reshapes', () => {
    expect(() => trace((x) => { const y = conv(x); const v = y.flatten(1); y.sub_(1); return v.relu(); }))
      .toThrow(/reads a tensor computed by the in-place sub_/);
    expect(() => trace((x) => { const y = conv(x); y.mul_(2); return F.relu(y); })).toThrow(/computed by the in-place mul_/);
  });
  test('the activations of nn.functional, fused or standalone, in place or not', () => {
    torch.manualSeed(7);
    const c1 = new nn.Conv2d(1, 4, 3), bn = new nn.BatchNorm2d(4), lin = new nn.Linear(4 * 6 * 6, 8);
    randomiseBatchNorms(new nn.Sequential(bn));
    const m = new Fn((x) => {
      let y = F.relu6(bn(c1(x)), true);            // conv + batch norm + relu6, fused
      y = F.hardswish(y.add(F.silu(y)));            // add + hardswish fused, silu standalone
      y = F.leakyRelu(F.gelu(y), 0.2);              // gelu standalone, leakyRelu with its slope
      return F.elu(lin(F.mish(y).flatten(1)), 0.5); // linear + elu(alpha) fused
    });
    m.eval();
    bn.eval();
    const plan = torch.jit.trace(m, torch.randn(2, 1, 8, 8));
    expect(plan.steps).toEqual(['conv2d+batchNorm+relu6 [144]', 'silu [144]', 'add+hardswish [144]', 'gelu [144]',
      'leakyRelu [144]', 'mish [144]', 'linear+elu [8]']);
    const x = torch.randn(3, 1, 8, 8);
    expect(maxDiff(plan(x), eager(m, x))).toBeLessThan(1e-5);
  });
  test('a traced in-place op updates the reshapes of its tensor too', () => {
    const m = new Fn((x) => { const y = conv(x); const v = y.flatten(1); F.relu_(y); return F.relu(v.add(v)); });
    const plan = torch.jit.trace(m, torch.randn(2, 1, 8, 8));
    const x = torch.randn(3, 1, 8, 8);
    expect(maxDiff(plan(x), eager(m, x))).toBeLessThan(1e-6);
  });
  test('a reshape that moves the batch dim, a constant made inside forward, several inputs', () => {
    expect(() => trace((x) => F.relu(conv(x).reshape(-1)))).toThrow(/a reshape to \[144\] \(plans keep dim 0 as the batch of 2\)/);
    expect(() => trace((x) => conv(x).add(torch.ones(2, 2, 6, 6)))).toThrow(/add reads a tensor of shape \[2, 2, 6, 6\] that was not computed/);
    expect(() => torch.jit.trace(conv, [torch.randn(1, 1, 8, 8), torch.randn(1, 1, 8, 8)])).toThrow('torch.jit.trace: plans take exactly one input tensor, got 2 inputs');
    expect(() => torch.jit.trace(new Fn((x) => x), torch.randn(1, 1, 8, 8))).toThrow(/returns its input unchanged/);
  });
  test('batch norm is traced in eval mode even for a model in training mode; training mode stays', () => {
    const bn = new nn.BatchNorm2d(1);
    const m = new nn.Sequential(bn, new nn.ReLU());
    const plan = torch.jit.trace(m, torch.randn(2, 1, 4, 4));
    expect(m.training).toBe(true);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(plan.steps).toEqual(['batchNorm+relu [16]']);
  });
});

describe('plan.batched', () => {
  torch.manualSeed(6);
  const m = new LeNet().eval();
  const plan = torch.jit.trace(m, torch.randn(1, 1, 28, 28));

  test('concurrent requests share runs and each gets its own rows', async () => {
    const run = plan.batched({ maxBatch: 4, maxDelayMs: 5 });
    const xs = [1, 1, 2, 1, 3, 1].map((n) => torch.randn(n, 1, 28, 28));
    const ys = await Promise.all(xs.map((x) => run(x)));
    ys.forEach((y, i) => expect(maxDiff(y, eager(m, xs[i]))).toBeLessThan(1e-5));
  });

  test('bad options and inputs are named', async () => {
    expect(() => plan.batched({ maxBatch: 0 })).toThrow('plan.batched: maxBatch must be a positive integer, got 0');
    expect(() => plan.batched({ maxDelayMs: -1 })).toThrow('plan.batched: maxDelayMs must be a non-negative number, got -1');
    expect(() => plan.batched()(torch.randn(1, 2, 28, 28))).toThrow(/plan.batched: expected input of shape \[N, 1, 28, 28\]/);
  });
});
