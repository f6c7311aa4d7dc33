'use strict';
// Workers that keep plan.runAsync calls in flight are terminated mid-run, `rounds` times, while the
// main thread keeps running its own plan. Must exit 0, print the counts, and the main thread's
// results must stay correct throughout.
// Usage: node plan-teardown.js [rounds=6] [workersPerRound=3]
const { Worker, isMainThread, parentPort } = require('worker_threads');
const path = require('path');
const torch = require(path.join(__dirname, '..', '..'));
const { nn } = torch;

function model() {
  torch.manualSeed(11);
  return new nn.Sequential(new nn.Conv2d(1, 8, 3), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(8 * 13 * 13, 10)).eval();
}

if (isMainThread) {
  const rounds = Number(process.argv[2] || 6), per = Number(process.argv[3] || 3);
  const m = model();
  const plan = torch.jit.trace(m, torch.randn(1, 1, 28, 28));
  const x = torch.randn(16, 1, 28, 28);
  const want = torch.noGrad(() => m(x)).storage;
  let terminated = 0, mainRuns = 0, mainWrong = 0;
  (async () => {
    for (let r = 0; r < rounds; r++) {
      const ws = Array.from({ length: per }, () => new Worker(__filename));
      const mine = (async () => {
        for (let k = 0; k < 4; k++) {
          const got = (await plan.runAsync(x)).storage;
          mainRuns++;
          if (got.some((v, i) => Math.abs(v - want[i]) > 1e-5)) mainWrong++;
        }
      })();
      await Promise.all(ws.map((w, i) => new Promise((resolve) => {
        w.once('message', () => setTimeout(() => w.terminate().then(() => { terminated++; resolve(); }), (r * per + i) % 5));
        w.once('error', (e) => { console.error('worker error', e); process.exitCode = 1; resolve(); });
      })));
      await mine;
    }
    console.log(JSON.stringify({ rounds, terminated, mainRuns, mainWrong }));
  })();
} else {
  const plan = torch.jit.trace(model(), torch.randn(1, 1, 28, 28));
  const x = torch.randn(64, 1, 28, 28);
  let told = false;
  const loop = () => {
    const ps = [0, 1, 2].map(() => plan.runAsync(x));
    if (!told) { told = true; parentPort.postMessage('busy'); }
    Promise.all(ps).then(loop, () => {});
  };
  loop();
}
