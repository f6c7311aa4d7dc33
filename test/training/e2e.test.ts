/**
 * The whole training loop against PyTorch: a small conv net (Conv2d, ReLU, MaxPool2d, Flatten, Linear)
 * trained a few steps with cross-entropy and SGD/Adam/AdamW; losses per step and final weights match.
 * Also: a PyTorch-written state dict loads into the same architecture and gives PyTorch's outputs.
 */
import { join } from 'path';
import * as torch from '../../lib';
import { expectClose } from '../helpers/close';
import { fixture, FIXTURES, FixTensor, T } from './helpers';

const { nn, optim } = torch;

interface E2ECase {
  name: string;
  init: Record<string, FixTensor>;
  x: FixTensor;
  y: number[];
  lossOpts: Record<string, unknown>;
  losses: number[];
  final: Record<string, FixTensor>;
}

function net() {
  return new nn.Sequential(new nn.Conv2d(1, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Linear(3 * 4 * 4, 5));
}

const makeOpt: Record<string, (p: Iterable<torch.Tensor>) => torch.optim.Optimizer> = {
  'sgd momentum': (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
  'adam label smoothing': (p) => new optim.Adam(p, { lr: 0.01 }),
  'adamw weighted': (p) => new optim.AdamW(p, { lr: 0.01, amsgrad: true }),
};

describe('training steps match PyTorch end to end', () => {
  test.each(fixture<E2ECase[]>('e2e.json').map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const model = net();
    const init: Record<string, torch.Tensor> = {};
    for (const [k, v] of Object.entries(c.init)) init[k] = T(v);
    model.loadStateDict(init);
    const opt = makeOpt[c.name](model.parameters());
    const lossOpts: Record<string, unknown> = { ...c.lossOpts };
    if (lossOpts.weight) lossOpts.weight = T(lossOpts.weight as FixTensor);
    const criterion = new nn.CrossEntropyLoss(lossOpts);
    const x = T(c.x);
    c.losses.forEach((expected, step) => {
      const loss = criterion(model(x), c.y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      expectClose([loss.item()], [expected], 1e-4, 1e-5, `loss at step ${step}`);
    });
    const sd = model.stateDict();
    for (const [k, v] of Object.entries(c.final)) expectClose(sd[k], v.data, 1e-3, 1e-5, k);
  });
});

describe('PyTorch state dict in, same outputs out', () => {
  test('safetensors written from a PyTorch Sequential loads with loadStateDict', () => {
    const ref = fixture<{ modelInput: FixTensor; modelOutput: FixTensor }>('safetensors.json');
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const sd = torch.load(join(FIXTURES, 'sample.safetensors'));
    const res = model.loadStateDict(sd, { strict: false });
    expect(res.missingKeys).toEqual([]);
    expect(res.unexpectedKeys).toEqual(['half', 'bf', 'double', 'long', 'int', 'scalar', 'empty']);
    expect(() => model.loadStateDict(sd)).toThrow(/Unexpected key\(s\) in state_dict: "half"/);
    const out = torch.noGrad(() => model(T(ref.modelInput)));
    expectClose(out, ref.modelOutput.data, 1e-5, 1e-6, 'output');
  });

  test('save -> load -> loadStateDict round trip into a fresh model', () => {
    torch.manualSeed(3);
    const a = net(), b = net();
    const file = join(require('os').tmpdir(), `torchlet-e2e-${process.pid}.safetensors`);
    torch.save(a.stateDict(), file);
    b.loadStateDict(torch.load(file));
    require('fs').rmSync(file);
    const x = torch.randn(2, 1, 8, 8);
    expectClose(torch.noGrad(() => b(x)), torch.noGrad(() => a(x)).storage, 0, 0);
  });
});

describe('a tiny model learns with DataLoader + loss + optimiser + scheduler', () => {
  test('two-moons-like problem: loss falls and accuracy rises', () => {
    torch.manualSeed(0);
    const n = 256;
    const x = torch.randn(n, 2);
    const xs = x.storage;
    const y = torch.tensor(Array.from({ length: n }, (_, i) => (xs[2 * i] * xs[2 * i + 1] > 0 ? 1 : 0)));
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
    const opt = new optim.SGD(model.parameters(), { lr: 0.3, momentum: 0.9 });
    const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 40 * loader.length);
    const lossFn = new nn.CrossEntropyLoss();
    const evalLoss = () => torch.noGrad(() => lossFn(model(x), y).item());
    const before = evalLoss();
    for (let e = 0; e < 40; e++) {
      for (const [xb, yb] of loader) {
        const loss = lossFn(model(xb), yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        sched.step();
      }
    }
    const after = evalLoss();
    const acc = torch.noGrad(() => model(x).argmax(1).eq(y).float().mean().item());
    expect(after).toBeLessThan(before / 4);
    expect(acc).toBeGreaterThan(0.9);
  });
});
