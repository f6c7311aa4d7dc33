'use strict';
// Worker-teardown fuzzing (issue 14, crash 1 generalised): each round starts worker_threads that run
// random native fuzz cases (scripts/fuzz-lib.js) with gemmAsync work kept in flight, and terminates
// them after a random delay, so teardown lands in sync calls, queued and running async work, and
// promise settlement. The process must exit 0; a crash is caught by scripts/fuzz.js (--target
// teardown), which runs this in a child process and names the round.
// Usage: node scripts/fuzz-teardown.js <seed> <startRound> <rounds> <workersPerRound>
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const fs = require('fs');

if (isMainThread) {
  const [seed, start, rounds, per] = process.argv.slice(2).map(Number);
  const { rng, caseSeed } = require('./fuzz-lib');
  const sum = { rounds: 0, terminated: 0, busyAtTerminate: 0, cases: 0, asyncInFlight: 0 };
  (async () => {
    for (let round = start; round < start + rounds; round++) {
      fs.writeSync(1, `C ${round}\n`);
      const r = rng(caseSeed(seed, round) ^ 0x7ea2);
      await Promise.all(Array.from({ length: per }, (_, i) => new Promise((resolve) => {
        const w = new Worker(__filename, { workerData: { seed, base: (round * per + i) * 100000 } });
        let last = { cases: 0, inFlight: 0 };
        w.on('message', (m) => { last = m; });
        w.once('message', () => {
          sum.busyAtTerminate++;
          setTimeout(() => w.terminate().then(() => {
            sum.terminated++;
            sum.cases += last.cases;
            sum.asyncInFlight += last.inFlight;
            resolve();
          }), r.int(0, 25));
        });
        w.once('error', (e) => { fs.writeSync(2, `worker error: ${e && e.stack}\n`); process.exitCode = 1; resolve(); });
      })));
      sum.rounds++;
    }
    fs.writeSync(1, `R ${JSON.stringify(sum)}\n`);
  })();
} else {
  const { TARGETS } = require('./fuzz-lib');
  const N = require('node-gyp-build')(require('path').join(__dirname, '..'));
  const m = 96, a = new Float32Array(m * m).fill(0.5), b = new Float32Array(m * m).fill(0.25);
  let inFlight = 0, cases = 0;
  // Real work in flight whenever the worker dies: two gemms re-queued as they complete.
  const keep = () => {
    inFlight++;
    N.gemmAsync(1, false, false, m, m, m, a, 0, b, 0, new Float32Array(m * m), 0).then(() => { inFlight--; keep(); }, () => { inFlight--; });
  };
  keep();
  keep();
  (async () => {
    for (let i = workerData.base; ; i++) {
      const c = TARGETS.native.make(workerData.seed, i);
      await TARGETS.native.run(c);
      cases++;
      if (cases === 1 || cases % 8 === 0) parentPort.postMessage({ cases, inFlight });
    }
  })();
}
