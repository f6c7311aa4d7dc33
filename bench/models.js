#!/usr/bin/env node
'use strict';
/**
 * Real-network benchmark: torch.models.resnet18 (torchvision's tree) in torchlet, eager and as a
 * traced plan (torch.jit.trace), beside torchvision's ResNet-18 in PyTorch (bench/models_peer.py),
 * same shapes (3x224x224), same timing policy (workloads.json), same thread count. Rounds are
 * interleaved (torchlet, PyTorch, torchlet, ...) and each figure is the median over rounds of the
 * per-round median, so a noisy neighbour hits both sides alike. The load average is printed first:
 * figures taken on a busy machine are not comparisons.
 *
 *   node bench/models.js [--threads 2] [--rounds 3] [--only resnet18_eval_b1,...] [--no-peer]
 */
const { execFileSync } = require('child_process');
const os = require('os');
const path = require('path');

const argv = process.argv.slice(2);
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : d; };
const THREADS = +opt('--threads', '2'), ROUNDS = +opt('--rounds', '3');
const ONLY = opt('--only', '');

if (argv.includes('--worker')) {
  // One round of torchlet measurements, printed as JSON.
  const C = require('./common');
  const torch = require('..');
  torch.setNumThreads(THREADS);
  const only = new Set(ONLY.split(',').filter(Boolean));
  const res = {};
  const want = (k) => only.size === 0 || only.has(k);
  for (const b of [1, 8]) {
    const k = `resnet18_eval_b${b}`;
    if (!want(k) && !want(`${k}_plan`)) continue;
    torch.manualSeed(0);
    const m = torch.models.resnet18().eval();
    const x = torch.randn(b, 3, 224, 224);
    if (want(k)) res[k] = C.bench(() => torch.noGrad(() => m(x))).median_ms;
    if (want(`${k}_plan`) || want(k)) {
      const plan = torch.jit.trace(m, x);
      res[`${k}_plan`] = C.bench(() => plan(x)).median_ms;
      plan.dispose();
    }
  }
  if (want('resnet18_train_b8')) {
    torch.manualSeed(0);
    const m = torch.models.resnet18().train();
    const x = torch.randn(8, 3, 224, 224);
    const y = torch.randint(0, 1000, [8]);
    const sgd = new torch.optim.SGD(m.parameters(), { lr: 0.01 });
    res.resnet18_train_b8 = C.bench(() => {
      sgd.zeroGrad();
      torch.nn.functional.crossEntropy(m(x), y).backward();
      sgd.step();
    }).median_ms;
  }
  process.stdout.write(JSON.stringify(res));
  process.exit(0);
}

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ours = [], peer = [];
let peerInfo = null;
console.log(`bench/models: ${os.cpus().length} CPUs (${os.cpus()[0].model}), ${THREADS} threads, ${ROUNDS} rounds interleaved; ` +
  `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} at start`);
for (let r = 0; r < ROUNDS; r++) {
  ours.push(JSON.parse(execFileSync(process.execPath, [__filename, '--worker', '--threads', String(THREADS), '--only', ONLY],
    { maxBuffer: 1 << 24 }).toString()));
  if (!argv.includes('--no-peer')) {
    try {
      const p = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'models_peer.py'), '--threads', String(THREADS),
        '--only', ONLY.replace(/_plan/g, '')], { maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] }).toString());
      peerInfo = p;
      peer.push(p.results);
    } catch (e) {
      console.log(`  PyTorch peer unavailable (${String(e.message).split('\n')[0]})`);
      argv.push('--no-peer');
    }
  }
}
console.log(`load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} at end`);
const label = { resnet18_eval_b1: 'ResNet-18 eval, batch 1', resnet18_eval_b8: 'ResNet-18 eval, batch 8',
  resnet18_train_b8: 'ResNet-18 train step, batch 8 (fwd+CE+bwd+SGD)' };
console.log(`\n| workload | torchlet eager (ms) | torchlet plan (ms) | PyTorch ${peerInfo ? peerInfo.version : ''} (ms) | speed vs PyTorch (best torchlet) |`);
console.log('|---|---|---|---|---|');
for (const k of Object.keys(label)) {
  const e = ours.map((o) => o[k]).filter((v) => v !== undefined);
  const p = ours.map((o) => o[`${k}_plan`]).filter((v) => v !== undefined);
  const t = peer.map((o) => o[k]).filter((v) => v !== undefined);
  if (!e.length && !p.length) continue;
  const best = Math.min(e.length ? median(e) : Infinity, p.length ? median(p) : Infinity);
  const f = (xs) => (xs.length ? median(xs).toFixed(1) : '–');
  console.log(`| ${label[k]} | ${f(e)} | ${f(p)} | ${f(t)} | ${t.length ? (median(t) / best).toFixed(2) + 'x' : '–'} |`);
}
