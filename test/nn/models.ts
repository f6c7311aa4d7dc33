/** Models shared by the nn tests: translations of those in scripts/fixtures/gen_module.py. */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

export class LeNet extends nn.Module {
  c1: nn.Conv2d;
  s2: nn.MaxPool2d;
  c3: nn.Conv2d;
  flatten: nn.Flatten;
  f5: nn.Linear;
  f6: nn.Linear;
  f7: nn.Linear;
  sig: nn.Sigmoid;
  constructor() {
    super();
    this.c1 = new nn.Conv2d(3, 6, 5);
    this.s2 = new nn.MaxPool2d(2);
    this.c3 = new nn.Conv2d(6, 16, 5);
    this.flatten = new nn.Flatten();
    this.f5 = new nn.Linear(16 * 5 * 5, 120);
    this.f6 = new nn.Linear(120, 84);
    this.f7 = new nn.Linear(84, 10);
    this.sig = new nn.Sigmoid();
  }
  forward(x: Tensor): Tensor {
    x = this.sig(this.c1(x));
    x = this.s2(x);
    x = this.sig(this.c3(x));
    x = this.s2(x);
    x = this.flatten(x);
    x = this.f5(x);
    x = this.f6(x);
    x = this.f7(x);
    return x;
  }
}

export const nested = () =>
  new nn.Sequential(new Map<string, nn.Module>([
    ['features', new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(8),
      new nn.ReLU(true),
      new nn.MaxPool2d(2, { stride: 2 }),
    )],
    ['head', new nn.ModuleDict({ fc: new nn.Linear(8, 4), drop: new nn.Dropout(0.25) })],
    ['blocks', new nn.ModuleList([new nn.Linear(4, 4), new nn.Tanh(), new nn.Softmax(1)])],
  ]));

export const layers = () =>
  new nn.Sequential(
    new nn.Conv2d(3, 6, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, groups: 3 }),
    new nn.Conv2d(4, 4, 3, { padding: 'same' }),
    new nn.Conv2d(4, 4, 3, { padding: 'valid', bias: false }),
    new nn.AvgPool2d(3, { stride: 2, padding: 1 }),
    new nn.AdaptiveAvgPool2d([5, 7]),
    new nn.AdaptiveMaxPool2d(1),
    new nn.BatchNorm2d(3, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
    new nn.BatchNorm2d(5, { momentum: 0.01 }),
    new nn.Dropout({ p: 0.5 }),
    new nn.Identity(),
    new nn.Flatten(0, 2),
    new nn.LogSoftmax(-1),
    new nn.Sigmoid(),
    new nn.MaxPool2d([2, 3], { stride: 1, padding: 1, dilation: 1, ceilMode: true }),
    new nn.Linear(5, 3, { bias: false }),
    new nn.ReLU(),
    new nn.Softmax(),
  );

export class WithExtra extends nn.Module {
  body: nn.Sequential;
  constructor() {
    super();
    this.registerModule('skip', null);
    this.body = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Tanh(), new nn.Linear(2, 1)));
  }
  extraRepr(): string {
    return 'first line\nsecond line';
  }
}

export class Shared extends nn.Module {
  a: nn.Linear;
  b: nn.Linear;
  seq: nn.Sequential;
  empty: nn.Sequential;
  constructor() {
    super();
    this.a = new nn.Linear(2, 2);
    this.b = this.a;
    this.seq = new nn.Sequential(this.a, new nn.ReLU(), new nn.BatchNorm2d(2));
    this.registerBuffer('scale', torch.ones(1));
    this.registerBuffer('cache', torch.zeros(2), false);
    this.empty = new nn.Sequential();
  }
}

export const bnModel = () =>
  new nn.Sequential(new Map<string, nn.Module>([
    ['conv', new nn.Conv2d(1, 2, 3)],
    ['bn', new nn.BatchNorm2d(2)],
    ['block', new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm2d(3, { affine: false }))],
  ]));

export const builders: Record<string, () => nn.Module> = {
  lenet: () => new LeNet(),
  nested,
  layers,
  withExtra: () => new WithExtra(),
  emptySequential: () => new nn.Sequential(),
  moduleListDistinct: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 3)]),
  shared: () => new Shared(),
  bn: bnModel,
};
