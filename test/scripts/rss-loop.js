'use strict';
// Allocate-and-drop loop: prints RSS before and after, in MiB. Tensor storage is V8-allocated, so
// the GC sees it and collects dropped tensors; RSS must stay flat.
const torch = require('../..');
const mode = process.argv[2] || 'alloc';
const iters = Number(process.argv[3] || 100000);
const mib = () => process.memoryUsage().rss / 1048576;

function allocStep() {
  const a = torch.zeros(4096);           // 16 KiB each, 4.8 GB over 100k steps: only collection keeps RSS flat
  const b = a.add(1).mul(2);
  return b.sum().item();
}

torch.manualSeed(0);
const W1 = torch.randn(20, 64).mul(0.1).requiresGrad_(), W2 = torch.randn(64, 10).mul(0.1).requiresGrad_();
const x = torch.randn(32, 20), target = torch.randn(32, 10);
function trainStep() {
  const out = x.matmul(W1).relu().matmul(W2);
  const loss = out.sub(target).pow(2).mean();
  loss.backward();
  torch.noGrad(() => {
    for (const p of [W1, W2]) { p.sub_(p.grad, 0.01); p.grad = null; }
  });
  return loss.item();
}

const step = mode === 'train' ? trainStep : allocStep;
const warm = Math.min(10000, iters / 10);
let first = 0, last = 0;
for (let i = 0; i < warm; i++) first = step();
const before = mib();
let peak = before;
const t0 = Date.now();
for (let i = 0; i < iters; i++) {
  last = step();
  if (i % 5000 === 0) peak = Math.max(peak, mib());
}
const after = mib();
console.log(JSON.stringify({
  mode, iters, beforeMiB: +before.toFixed(1), afterMiB: +after.toFixed(1), peakMiB: +peak.toFixed(1),
  seconds: (Date.now() - t0) / 1000, first, last,
}));
