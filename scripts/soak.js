#!/usr/bin/env node
'use strict';
// Soak test (issue 14; not in CI): trains a small CNN and serves async inference under load for N
// minutes in one process, printing RSS over time, then says whether RSS stayed flat (within 5%)
// after warm-up. Each iteration is one training step (Conv2d, BatchNorm2d, ReLU, MaxPool2d,
// Dropout, Linear, cross-entropy, Adam) followed by a wave of --concurrency inference requests,
// each a two-layer MLP whose matmuls run on libuv threads (matmulAsync), all in flight at once.
//
//   node scripts/soak.js [--minutes N=10] [--sample-seconds S] [--concurrency K=8] [--warmup F=0.2]
//                        [--live] [--dispose] [--json]
//
// --live also reports live memory (heap + ArrayBuffers right after a full GC, at each sample; the
// script re-runs itself with --expose-gc): RSS includes garbage not yet collected, and V8 lets
// ArrayBuffer garbage grow before collecting it, so RSS can step up while nothing leaks. A leak shows
// in live memory. --dispose frees each inference request's tensors with dispose(), as a server would.
//
// Uses the built package (dist/, so run `npm run build:ts` first). Exit status 1 when RSS grew
// more than 5% after warm-up or a loss went non-finite. The machine running it should be quiet:
// a shared machine's memory pressure can move RSS by itself.
const path = require('path');
const torch = require(path.join(__dirname, '..'));
const { nn, optim } = torch;

function parse(argv) {
  const o = { minutes: 10, sampleSeconds: 0, concurrency: 8, warmup: 0.2, json: false, live: false, dispose: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = () => {
      const v = Number(argv[++k]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`soak: ${a} must be a positive number, got ${argv[k]}`);
      return v;
    };
    if (a === '--minutes') o.minutes = num();
    else if (a === '--sample-seconds') o.sampleSeconds = num();
    else if (a === '--concurrency') o.concurrency = Math.floor(num());
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--json') o.json = true;
    else if (a === '--live') o.live = true;
    else if (a === '--dispose') o.dispose = true;
    else throw new Error(`soak: unknown option ${a}`);
  }
  if (!(o.warmup < 1)) throw new Error(`soak: --warmup is a fraction of the run below 1, got ${o.warmup}`);
  // About 30 samples per run, at least one every 2 s.
  if (!o.sampleSeconds) o.sampleSeconds = Math.max(2, (o.minutes * 60) / 30);
  return o;
}

function model() {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Dropout(0.1), new nn.Linear(16 * 7 * 7, 10),
  );
}

const mib = (b) => Math.round((b / 1048576) * 10) / 10;

async function main() {
  const o = parse(process.argv.slice(2));
  if (o.live && typeof global.gc !== 'function') {
    const r = require('child_process').spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status === null ? 2 : r.status);
  }
  torch.manualSeed(0);
  const net = model();
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  // A fresh synthetic batch every step (the class is the brighter quadrant of a noisy image), so
  // each step allocates its inputs as a real data pipeline would and the loss stays informative.
  const batch = 32;
  const makeBatch = () => {
    const xs = torch.rand(batch, 1, 28, 28);
    const ys = Array.from({ length: batch }, () => Math.floor(Math.random() * 4));
    for (let i = 0; i < batch; i++) {
      const q = ys[i], r0 = q < 2 ? 0 : 14, c0 = q % 2 ? 14 : 0;
      xs.narrow(0, i, 1).narrow(2, r0, 14).narrow(3, c0, 14).add_(0.1);
    }
    return [xs, torch.tensor(ys, { dtype: 'int64' })];
  };
  // Inference: a 256 -> 512 -> 10 MLP with its matmuls on worker threads.
  const w1 = torch.randn(256, 512).mul(0.05), w2 = torch.randn(512, 10).mul(0.05);
  const request = async () => {
    const x = torch.randn(64, 256);
    const h0 = await torch.matmulAsync(x, w1);
    const h = h0.relu();
    const y = await torch.matmulAsync(h, w2);
    const cls = y.argmax(1);
    const n = cls.shape[0];
    if (o.dispose) for (const t of [x, h0, h, y, cls]) t.dispose();
    return n;
  };

  const t0 = Date.now(), end = t0 + o.minutes * 60_000, warmEnd = t0 + o.warmup * o.minutes * 60_000;
  const samples = [];
  let steps = 0, served = 0, firstLoss = NaN, loss = NaN, nextSample = t0;
  // The loss reported is a running mean over the last 50 steps (batches are random).
  let recent = [];
  const sample = () => {
    const m = process.memoryUsage();
    const s = {
      t: Math.round((Date.now() - t0) / 100) / 10, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), arraysMiB: mib(m.arrayBuffers),
      steps, served, loss: +loss.toFixed(4),
    };
    if (o.live) {
      global.gc();
      const g = process.memoryUsage();
      s.liveMiB = mib(g.heapUsed + g.arrayBuffers);
    }
    samples.push(s);
    if (!o.json) {
      console.log(`t=${String(s.t).padStart(6)} s  rss ${s.rssMiB} MiB  heap ${s.heapMiB} MiB  arrays ${s.arraysMiB} MiB` +
        `${o.live ? `  live ${s.liveMiB} MiB` : ''}  steps ${steps}  requests ${served}  loss ${s.loss}`);
    }
  };
  net.train();
  while (Date.now() < end) {
    const [xs, yt] = makeBatch();
    opt.zeroGrad();
    const l = lossFn(net(xs), yt);
    l.backward();
    opt.step();
    const li = l.item();
    if (!Number.isFinite(li)) throw new Error(`soak: the loss went non-finite at step ${steps}: ${li}`);
    recent.push(li);
    if (recent.length > 50) recent = recent.slice(-50);
    loss = recent.reduce((x, y) => x + y, 0) / recent.length;
    if (steps === 0) firstLoss = li;
    steps++;
    const done = await torch.noGrad(() => Promise.all(Array.from({ length: o.concurrency }, request)));
    served += done.length;
    if (Date.now() >= nextSample) {
      sample();
      nextSample += o.sampleSeconds * 1000;
    }
  }
  sample();

  const after = samples.filter((s) => s.t * 1000 >= warmEnd - t0);
  const rss = after.map((s) => s.rssMiB);
  const first = rss[0], last = rss[rss.length - 1], lo = Math.min(...rss), hi = Math.max(...rss);
  const growth = (last - first) / first, spread = (hi - lo) / lo;
  const flat = after.length >= 2 && Math.abs(growth) <= 0.05 && spread <= 0.05;
  const live = o.live ? after.map((s) => s.liveMiB) : null;
  const liveGrowth = live ? (live[live.length - 1] - live[0]) / live[0] : null;
  const summary = {
    minutes: o.minutes, steps, requests: served, concurrency: o.concurrency, firstLoss: +firstLoss.toFixed(4), lastLoss: +loss.toFixed(4),
    warmupSeconds: Math.round((warmEnd - t0) / 1000), samplesAfterWarmup: after.length,
    rssAfterWarmupMiB: { first, last, min: lo, max: hi }, growthPct: +(growth * 100).toFixed(2), spreadPct: +(spread * 100).toFixed(2), flat,
    ...(live ? {
      liveAfterWarmupMiB: { first: live[0], last: live[live.length - 1], min: Math.min(...live), max: Math.max(...live) },
      liveGrowthPct: +(liveGrowth * 100).toFixed(2),
    } : {}),
    dispose: o.dispose,
  };
  if (o.json) console.log(JSON.stringify({ samples, summary }));
  else {
    console.log(`after ${summary.warmupSeconds} s of warm-up: RSS ${first} -> ${last} MiB (min ${lo}, max ${hi}): ` +
      `growth ${summary.growthPct}%, spread ${summary.spreadPct}%: ${flat ? 'flat within 5%' : 'NOT flat within 5%'}`);
    if (live) console.log(`live memory after GC: ${live[0]} -> ${live[live.length - 1]} MiB (min ${summary.liveAfterWarmupMiB.min}, max ${summary.liveAfterWarmupMiB.max}): growth ${summary.liveGrowthPct}%`);
    console.log(`${steps} training steps (loss ${summary.firstLoss} -> ${summary.lastLoss}), ${served} async inference requests, ${o.concurrency} in flight at a time`);
  }
  if (!flat || !(loss < firstLoss)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e && /^soak: /.test(e.message) ? e.message : e && e.stack ? e.stack : e);
  process.exit(2);
});
