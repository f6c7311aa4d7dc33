/** optim.lrScheduler.ReduceLROnPlateau against PyTorch 1.13 (test/fixtures/io/plateau.json, gen_io.py). */
import { readFileSync } from 'fs';
import { join } from 'path';
import { SGD, lrScheduler } from '../../lib/optim';
import { Tensor } from '../../lib/tensor';

const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'io', 'plateau.json'), 'utf8')) as {
  metrics: number[];
  cases: { options: Record<string, unknown>; lrs: number[][]; final: Record<string, number> }[];
};

const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

function setup(opts: Record<string, unknown>) {
  const a = new Tensor(new Float32Array(1), [1]).requiresGrad_(true), b = new Tensor(new Float32Array(1), [1]).requiresGrad_(true);
  const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b], lr: 0.05 }], { lr: 0.1 });
  return { opt, sched: new lrScheduler.ReduceLROnPlateau(opt, camel(opts)) };
}

test.each(fx.cases.map((c) => [JSON.stringify(c.options), c] as const))('%s: the same learning rates as PyTorch after every step', (_n, c) => {
  const { opt, sched } = setup(c.options);
  fx.metrics.forEach((m, i) => {
    sched.step(i % 2 ? new Tensor(Float32Array.from([m]), []).item() : m);
    expect([i, opt.paramGroups.map((g) => g.lr)]).toEqual([i, c.lrs[i]]);
    expect(sched.getLastLr()).toEqual(c.lrs[i]);
  });
  expect({ best: sched.best, num_bad_epochs: sched.numBadEpochs, cooldown_counter: sched.cooldownCounter, last_epoch: sched.lastEpoch }).toEqual(c.final);
});

test('stateDict / loadStateDict resume the schedule', () => {
  const c = fx.cases[1];
  const { sched } = setup(c.options);
  fx.metrics.slice(0, 7).forEach((m) => sched.step(m));
  const saved = sched.stateDict();
  expect(saved).not.toHaveProperty('optimizer');
  const r = setup(c.options);
  r.opt.paramGroups.forEach((g, i) => (g.lr = c.lrs[6][i]));
  r.sched.loadStateDict(saved);
  fx.metrics.slice(7).forEach((m, i) => {
    r.sched.step(m);
    expect(r.opt.paramGroups.map((g) => g.lr)).toEqual(c.lrs[7 + i]);
  });
});

test('bad options are errors', () => {
  expect(() => setup({ factor: 1 })).toThrow(/Factor should be < 1.0/);
  expect(() => setup({ mode: 'up' })).toThrow(/mode up is unknown/);
  expect(() => setup({ minLr: [0.1] })).toThrow(/expected 2 min_lrs, got 1/);
  expect(() => setup({ patience: -1 })).toThrow(/patience must be a non-negative integer/);
  expect(() => setup({}).sched.step('x' as unknown as number)).toThrow(/metric must be a number/);
});
