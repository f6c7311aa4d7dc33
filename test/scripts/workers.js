'use strict';
// Loads torchlet in several worker_threads at once; each seeds its own generator, so all compute
// the same numbers. Prints the per-thread results as JSON.
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const path = require('path');

function work(seed) {
  const torch = require(path.join(__dirname, '..', '..'));
  torch.manualSeed(seed);
  const a = torch.randn(64, 64);
  let s = 0;
  for (let i = 0; i < 50; i++) s += a.matmul(a).relu().sum().item();
  return s;
}

if (isMainThread) {
  const n = Number(process.argv[2] || 4);
  const jobs = Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: 123 });
    w.on('message', resolve);
    w.on('error', reject);
  }));
  const mine = work(123);
  Promise.all(jobs).then((r) => console.log(JSON.stringify({ main: mine, workers: r })));
} else {
  parentPort.postMessage(work(workerData));
}
