/**
 * Resumable training: optimizer state through torch.save / torch.load. PyTorch 1.13 trajectories and
 * checkpoints from scripts/fixtures/gen_io.py (grad = c*p + d on both sides).
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { load, save } from '../../lib/io';
import { Adam, AdamW, Optimizer, RMSprop, SGD } from '../../lib/optim';
import type { OptimizerStateDict } from '../../lib/optim';
import { Tensor } from '../../lib/tensor';
import { expectClose } from '../helpers/close';

const FIX = join(__dirname, '..', 'fixtures', 'io');
interface Case { name: string; optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop'; options: Record<string, unknown>; trajectory: number[][][] }
const fx = JSON.parse(readFileSync(join(FIX, 'resume.json'), 'utf8')) as { p0: number[][][] | number[][]; coef: [unknown, unknown][]; cases: Case[] };
const classes = { SGD, Adam, AdamW, RMSprop } as const;
const dir = mkdtempSync(join(tmpdir(), 'torchlet-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
const coef = fx.coef.map(([c, d]) => [Float32Array.from(flat(c)), Float32Array.from(flat(d))]);
const shapes = [[2, 3], [3]];

function snakeOpts(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

function setGrads(ps: Tensor[]): void {
  ps.forEach((p, i) => {
    const v = p.storage, [c, d] = coef[i];
    const g = new Float32Array(v.length);
    for (let k = 0; k < v.length; k++) g[k] = Math.fround(Math.fround(c[k] * v[k]) + d[k]);
    p.grad = new Tensor(g, p.shape);
  });
}

function make(c: Case, ps: Tensor[]): Optimizer {
  return new (classes[c.optimizer] as unknown as new (p: Tensor[], o: unknown) => Optimizer)(ps, snakeOpts(c.options));
}

const fresh = () => [0, 1].map((i) => new Tensor(Float32Array.from(flat(fx.p0[i])), shapes[i]).requiresGrad_(true));

describe.each(fx.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('follows PyTorch for 6 steps', () => {
    const ps = fresh();
    const opt = make(c, ps);
    for (let s = 0; s < 6; s++) {
      setGrads(ps);
      opt.step();
      ps.forEach((p, i) => expectClose(p, c.trajectory[s][i], 1e-5, 1e-6, `step ${s + 1} param ${i}`));
    }
  });

  test("resumes PyTorch's checkpoint (params + optimizer.state_dict()) on PyTorch's trajectory", () => {
    const ck = load<{ params: Record<string, Tensor>; optimizer: OptimizerStateDict; step: number }>(join(FIX, `resume_${c.name}.pth`));
    expect(ck.step).toBe(3);
    const ps = [ck.params['0'], ck.params['1']].map((t) => new Tensor(t.toFloat32Array(), t.shape).requiresGrad_(true));
    const opt = make(c, ps);
    opt.loadStateDict(ck.optimizer);
    for (let s = 3; s < 6; s++) {
      setGrads(ps);
      opt.step();
      ps.forEach((p, i) => expectClose(p, c.trajectory[s][i], 1e-5, 1e-6, `step ${s + 1} param ${i}`));
    }
  });

  test('a torchlet run saved with torch.save and resumed matches the uninterrupted run exactly', () => {
    const a = fresh(), optA = make(c, a);
    const b = fresh(), optB = make(c, b);
    for (let s = 0; s < 3; s++) {
      setGrads(a); optA.step();
      setGrads(b); optB.step();
    }
    const p = join(dir, `${c.name}.pt`);
    save({ params: { 0: b[0], 1: b[1] }, optimizer: optB.stateDict(), step: 3 }, p);
    const ck = load<{ params: Record<string, Tensor>; optimizer: OptimizerStateDict }>(p);
    const r = [ck.params['0'], ck.params['1']].map((t) => new Tensor(t.toFloat32Array(), t.shape).requiresGrad_(true));
    const optR = make(c, r);
    optR.loadStateDict(ck.optimizer);
    for (let s = 3; s < 6; s++) {
      setGrads(a); optA.step();
      setGrads(r); optR.step();
      r.forEach((t, i) => expect(Array.from(t.storage)).toEqual(Array.from(a[i].storage)));
    }
  });
});

test('an optimizer state dict sent through JSON is refused with a clear error, not a crash at step()', () => {
  const ps = fresh();
  const opt = new Adam(ps, { lr: 0.1 });
  setGrads(ps);
  opt.step();
  const viaJson = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
  const other = new Adam(fresh(), { lr: 0.1 });
  expect(() => other.loadStateDict(viaJson)).toThrow(/state "exp_avg" of parameter 0 is an object, not a Tensor or number; save optimizer state with torch.save/);
});

describe('schedulers resume through torch.save / torch.load', () => {
  const { lrScheduler } = require('../../lib/optim') as typeof import('../../lib/optim');
  const makers: [string, (o: Optimizer) => { step(): void; stateDict(): Record<string, unknown>; loadStateDict(s: Record<string, unknown>): void }][] = [
    ['StepLR', (o) => new lrScheduler.StepLR(o, 2, { gamma: 0.5 })],
    ['MultiStepLR', (o) => new lrScheduler.MultiStepLR(o, [2, 4, 4], { gamma: 0.5 })],
    ['CosineAnnealingLR', (o) => new lrScheduler.CosineAnnealingLR(o, 5, { etaMin: 0.001 })],
    ['OneCycleLR', (o) => new lrScheduler.OneCycleLR(o, 0.5, { totalSteps: 10 })],
  ];
  test.each(makers)('%s', (name, mk) => {
    const a = fresh(), optA = new SGD(a, { lr: 0.1, momentum: 0.9 }), sa = mk(optA);
    for (let s = 0; s < 3; s++) { setGrads(a); optA.step(); sa.step(); }
    const p = join(dir, `sched-${name}.pt`);
    save({ optimizer: optA.stateDict(), scheduler: sa.stateDict(), params: { 0: a[0], 1: a[1] } }, p);
    const ck = load<{ optimizer: OptimizerStateDict; scheduler: Record<string, unknown>; params: Record<string, Tensor> }>(p);
    const b = [ck.params['0'], ck.params['1']].map((t) => new Tensor(t.toFloat32Array(), t.shape).requiresGrad_(true));
    const optB = new SGD(b, { lr: 0.1, momentum: 0.9 }), sb = mk(optB);
    optB.loadStateDict(ck.optimizer);
    sb.loadStateDict(ck.scheduler);
    for (let s = 3; s < 7; s++) {
      setGrads(a); optA.step(); sa.step();
      setGrads(b); optB.step(); sb.step();
      expect(optB.paramGroups.map((g) => [g.lr, g.momentum])).toEqual(optA.paramGroups.map((g) => [g.lr, g.momentum]));
      b.forEach((t, i) => expect(Array.from(t.storage)).toEqual(Array.from(a[i].storage)));
    }
  });
});
