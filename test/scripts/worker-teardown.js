'use strict';
// Starts worker_threads that keep matmulAsync calls in flight and terminates them mid-run,
// `rounds` times. A promise settled on a dying environment used to abort the whole process
// ("terminate called after throwing an instance of 'Napi::Error'"); this must exit 0 and print
// how many workers were terminated with work in flight.
// Usage: node worker-teardown.js [rounds=20] [workersPerRound=3]
const { Worker, isMainThread, parentPort } = require('worker_threads');
const path = require('path');

if (isMainThread) {
  const rounds = Number(process.argv[2] || 20), per = Number(process.argv[3] || 3);
  let terminated = 0, busyAtTerminate = 0;
  (async () => {
    for (let r = 0; r < rounds; r++) {
      const ws = Array.from({ length: per }, () => new Worker(__filename));
      // Wait until each worker reports work in flight, then kill it after a varying delay so the
      // teardown lands at different points: queued, executing, settling.
      await Promise.all(ws.map((w, i) => new Promise((resolve) => {
        w.once('message', () => {
          busyAtTerminate++;
          setTimeout(() => w.terminate().then(() => { terminated++; resolve(); }), (r * per + i) % 7);
        });
        w.once('error', (e) => { console.error('worker error', e); process.exitCode = 1; resolve(); });
      })));
    }
    console.log(JSON.stringify({ rounds, terminated, busyAtTerminate }));
  })();
} else {
  const torch = require(path.join(__dirname, '..', '..'));
  const a = torch.randn(160, 160), b = torch.randn(160, 160);
  let told = false;
  const loop = () => {
    // Several calls in flight at once; each settles on this worker's environment.
    const ps = [0, 1, 2, 3].map(() => torch.noGrad(() => torch.matmulAsync(a, b)));
    if (!told) { told = true; parentPort.postMessage('busy'); }
    Promise.all(ps).then(loop, () => {});
  };
  loop();
}
