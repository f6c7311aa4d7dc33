/** LR schedulers against PyTorch 1.13: the lr (and momentum) sequence of every step. */
import * as optim from '../../lib/optim';
import { Tensor } from '../../lib/tensor';
import { fixture } from './helpers';

interface SchedCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  optimizerOpts: Record<string, unknown>;
  groupsLr: number[];
  scheduler: 'StepLR' | 'MultiStepLR' | 'CosineAnnealingLR' | 'LinearLR' | 'OneCycleLR';
  opts: Record<string, unknown>;
  steps: number;
  lrs: number[][];
  momentum: (number | null)[][];
}

const cases = fixture<SchedCase[]>('sched.json');

function make(c: SchedCase): { opt: optim.Optimizer; sched: optim.LRScheduler } {
  const groups = c.groupsLr.map((lr) => ({ params: [new Tensor(new Float32Array(1), [1]).requiresGrad_(true)], lr }));
  const opt = c.optimizer === 'SGD' ? new optim.SGD(groups, c.optimizerOpts) : new optim.Adam(groups, c.optimizerOpts);
  const o = { ...c.opts };
  const L = optim.lrScheduler;
  let sched: optim.LRScheduler;
  switch (c.scheduler) {
    case 'StepLR': { const { stepSize, ...r } = o; sched = new L.StepLR(opt, stepSize as number, r); break; }
    case 'MultiStepLR': { const { milestones, ...r } = o; sched = new L.MultiStepLR(opt, milestones as number[], r); break; }
    case 'CosineAnnealingLR': { const { TMax, ...r } = o; sched = new L.CosineAnnealingLR(opt, TMax as number, r); break; }
    case 'LinearLR': sched = new L.LinearLR(opt, o); break;
    case 'OneCycleLR': { const { maxLr, ...r } = o; sched = new L.OneCycleLR(opt, maxLr as number | number[], r); break; }
  }
  return { opt, sched };
}

function momentum(opt: optim.Optimizer): (number | null)[] {
  return opt.paramGroups.map((g) => (g.betas ? g.betas[0] : g.momentum ?? null));
}

describe('LR schedulers match PyTorch', () => {
  test('fixture covers every scheduler', () => {
    expect(new Set(cases.map((c) => c.scheduler)).size).toBe(5);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { opt, sched } = make(c);
    const close = (a: number[], b: number[], what: string) => {
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => {
        if (Math.abs(v - b[i]) > 1e-12 * Math.max(1, Math.abs(b[i]))) throw new Error(`${what}[${i}] = ${v}, PyTorch ${b[i]}`);
      });
    };
    close(sched.getLastLr(), c.lrs[0], 'initial lr');
    close(momentum(opt) as number[], c.momentum[0] as number[], 'initial momentum');
    for (let s = 1; s <= c.steps; s++) {
      opt.step();
      sched.step();
      close(sched.getLastLr(), c.lrs[s], `step ${s} lr`);
      close(opt.paramGroups.map((g) => g.lr), c.lrs[s], `step ${s} group lr`);
      close(momentum(opt) as number[], c.momentum[s] as number[], `step ${s} momentum`);
    }
  });

  test('OneCycleLR refuses to step past totalSteps', () => {
    const c = cases.find((x) => x.name === 'OneCycleLR no momentum')!;
    const { opt, sched } = make(c);
    for (let s = 0; s < 10; s++) sched.step();
    expect(() => { opt.step(); sched.step(); }).toThrow(/Tried to step 12 times. The specified number of total steps is 10/);
  });

  test('scheduler state round-trips', () => {
    const c = cases.find((x) => x.name === 'CosineAnnealingLR')!;
    const a = make(c), b = make(c);
    for (let s = 0; s < 7; s++) { a.opt.step(); a.sched.step(); }
    b.opt.loadStateDict(a.opt.stateDict());
    b.sched.loadStateDict(a.sched.stateDict());
    for (let s = 0; s < 5; s++) {
      a.opt.step(); a.sched.step(); b.opt.step(); b.sched.step();
      expect(b.sched.getLastLr()).toEqual(a.sched.getLastLr());
    }
    expect(a.opt.stateDict().param_groups[0]).toHaveProperty('initial_lr', c.groupsLr[0]);
  });

  test('lrScheduler namespace and errors', () => {
    expect(optim.lrScheduler.StepLR).toBe(optim.StepLR);
    const opt = new optim.Adam([new Tensor(new Float32Array(1), [1]).requiresGrad_(true)]);
    expect(() => new optim.StepLR(opt, 0)).toThrow(/stepSize must be a positive integer/);
    expect(() => new optim.OneCycleLR(opt, 0.1)).toThrow(/totalSteps OR/);
    expect(() => new optim.LinearLR(opt, { startFactor: 0 })).toThrow(/Starting multiplicative factor/);
  });
});
