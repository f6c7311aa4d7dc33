#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: times torchlet on the shared workloads (workloads.json: LeNet-5 fwd b1/b64, LeNet
 * train step b64, Conv2d(64,64,3) fwd and bwd, Linear(1024,1024) fwd and fwd+bwd, MaxPool2d), then,
 * when /usr/bin/python3 has torch, runs the PyTorch peer (torch_peer.py) in the same invocation and
 * prints both side by side with ratios. Also the per-op overhead (a tiny op called many times) and
 * the module call overhead.
 *
 * Uses ../shared/bench (workloads, timing policy, peer script) when present, else the copies in
 * this folder. Needs the compiled library (`npm run build`, i.e. dist/ and the addon).
 * When onnxruntime-node can be loaded (installed next to torchlet, or `--ort DIR` / TORCHLET_BENCH_ORT
 * naming a node_modules folder that has it: `npm install --ignore-scripts onnxruntime-node` in a
 * scratch folder), the onnxruntime peer (ort_peer.js, inference workloads) runs too, on graphs
 * exported by torch_peer.py --export-onnx.
 * Options: --threads N (default 2), --no-peer, --only id1,id2, --json FILE, --ort DIR.
 */
const fs = require('fs');
const path = require('path');
const os = require('os');
const { execFileSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const SHARED = path.join(ROOT, '..', 'shared', 'bench');
const HERE = fs.existsSync(path.join(SHARED, 'workloads.json')) && fs.existsSync(path.join(SHARED, 'common.js')) ? SHARED : __dirname;
const C = require(path.join(HERE, 'common.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const THREADS = Number(opt('--threads', 2));
const ONLY = new Set((opt('--only', '') || '').split(',').filter(Boolean));
const NO_PEER = argv.includes('--no-peer');

let torch;
try {
  torch = require(ROOT);
} catch (e) {
  console.error(`bench: cannot load torchlet from ${ROOT} (${e.message.split('\n')[0]}).\nRun \`npm run build\` first.`);
  process.exit(1);
}
const F = torch.nn && torch.nn.functional ? torch.nn.functional : require(path.join(ROOT, 'dist', 'functional'));
const { nnNative } = require(path.join(ROOT, 'dist', 'native-nn'));
torch.setNumThreads(THREADS);

const T = (n, shape, seed, scale = 1) => torch.tensor(C.randF32(n, seed, scale), { shape });
const numel = (s) => s.reduce((a, v) => a * v, 1);

// ---- LeNet-5 as in torch_peer.py: nn modules when the nn layers exist, else the functional ops --------
function lenet() {
  const nn = torch.nn;
  if (nn && nn.Sequential && nn.Conv2d && nn.Linear && nn.MaxPool2d && nn.Sigmoid && nn.Flatten) {
    try {
      torch.manualSeed(0);
      const m = new nn.Sequential(
        new nn.Conv2d(3, 6, 5), new nn.Sigmoid(), new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5), new nn.Sigmoid(), new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(400, 120), new nn.Linear(120, 84), new nn.Linear(84, 10));
      return { kind: 'nn.Sequential', forward: (x) => m(x), params: () => [...m.parameters()], train: (b) => m.train(b) };
    } catch (e) {
      console.error(`  (nn layers not usable: ${String(e.message).split('\n')[0]}; using functional LeNet)`);
    }
  }
  const p = (shape, seed, fanIn) => T(numel(shape), shape, seed, 1 / Math.sqrt(fanIn)).requiresGrad_(true);
  const w = {
    c1: p([6, 3, 5, 5], 11, 75), b1: p([6], 12, 75), c2: p([16, 6, 5, 5], 13, 150), b2: p([16], 14, 150),
    f1: p([120, 400], 15, 400), g1: p([120], 16, 400), f2: p([84, 120], 17, 120), g2: p([84], 18, 120),
    f3: p([10, 84], 19, 84), g3: p([10], 20, 84),
  };
  const forward = (x) => {
    let h = F.maxPool2d(F.sigmoid(F.conv2d(x, w.c1, w.b1)), 2);
    h = F.maxPool2d(F.sigmoid(F.conv2d(h, w.c2, w.b2)), 2);
    h = h.reshape([h.shape[0], 400]);
    return F.linear(F.linear(F.linear(h, w.f1, w.g1), w.f2, w.g2), w.f3, w.g3);
  };
  return { kind: 'functional', forward, params: () => Object.values(w), train: () => {} };
}

function sgd(params, lr) {
  if (torch.optim && torch.optim.SGD) {
    try {
      return new torch.optim.SGD(params, { lr });
    } catch (e) { /* fall through */ }
  }
  return {
    zeroGrad() { for (const q of params) q.grad = null; },
    step() {
      torch.noGrad(() => { for (const q of params) if (!q.grad) continue; else if (q.sub_) q.sub_(q.grad.mul(lr)); else q.add_(q.grad.mul(-lr)); });
    },
  };
}

const workloads = {
  lenet_fwd_b1() {
    const m = lenet(); m.train(false);
    const x = T(3 * 32 * 32, [1, 3, 32, 32], 1);
    return () => torch.noGrad(() => m.forward(x));
  },
  lenet_fwd_b64() {
    const m = lenet(); m.train(false);
    const x = T(64 * 3 * 32 * 32, [64, 3, 32, 32], 2);
    return () => torch.noGrad(() => m.forward(x));
  },
  lenet_train_b64() {
    const m = lenet(); m.train(true);
    const x = T(64 * 3 * 32 * 32, [64, 3, 32, 32], 3);
    const y = C.randInt(64, 10, 4);
    const opt = sgd(m.params(), 0.01);
    return () => {
      opt.zeroGrad();
      const loss = F.crossEntropy(m.forward(x), y);
      loss.backward();
      opt.step();
    };
  },
  conv3x3_fwd() {
    const x = T(8 * 64 * 56 * 56, [8, 64, 56, 56], 5), w = T(64 * 64 * 9, [64, 64, 3, 3], 6, 1 / 24), b = T(64, [64], 7, 1 / 24);
    return () => torch.noGrad(() => F.conv2d(x, w, b, { padding: 1 }));
  },
  conv3x3_bwd() {
    // as the PyTorch peer: the backward kernel alone (dX and dW, no bias grad), grad output precomputed
    const x = C.randF32(8 * 64 * 56 * 56, 5), w = C.randF32(64 * 64 * 9, 6, 1 / 24), gy = C.randF32(8 * 64 * 56 * 56, 8);
    const gx = new Float32Array(x.length), gw = new Float32Array(w.length);
    const params = [8, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 56, 56];
    return () => nnNative.conv2dBackward(x, w, gy, params, gx, gw, null);
  },
  linear_fwd() {
    const x = T(256 * 1024, [256, 1024], 9), w = T(1024 * 1024, [1024, 1024], 10, 1 / 32), b = T(1024, [1024], 11, 1 / 32);
    return () => torch.noGrad(() => F.linear(x, w, b));
  },
  linear_fwd_bwd() {
    const x = T(256 * 1024, [256, 1024], 9).requiresGrad_(true);
    const w = T(1024 * 1024, [1024, 1024], 10, 1 / 32).requiresGrad_(true), b = T(1024, [1024], 11, 1 / 32).requiresGrad_(true);
    const gy = T(256 * 1024, [256, 1024], 12);
    return () => {
      x.grad = null; w.grad = null; b.grad = null;
      F.linear(x, w, b).backward(gy);
    };
  },
  maxpool() {
    const x = T(8 * 64 * 112 * 112, [8, 64, 112, 112], 13);
    return () => torch.noGrad(() => F.maxPool2d(x, 2, { stride: 2 }));
  },
};

function derived(spec, r) {
  if (!r || r.error || r.skipped) return '';
  const s = r.median_ms / 1e3;
  switch (spec.derived) {
    case 'gflops': return `${(spec.flops / s / 1e9).toFixed(1)} GFLOP/s`;
    case 'gbps': return `${(spec.bytes / s / 1e9).toFixed(1)} GB/s`;
    case 'items_per_s': return `${Math.round(spec.items / s)} img/s`;
    case 'steps_per_s': return `${(1 / s).toFixed(1)} steps/s`;
    default: return `${(r.median_ms * 1e3).toFixed(1)} µs`;
  }
}

function overheads() {
  const res = {};
  const a = torch.tensor([1]), b = torch.tensor([2]);
  const N = 200000;
  const time = (fn) => {
    for (let i = 0; i < 2000; i++) fn();
    const t0 = C.now();
    for (let i = 0; i < N; i++) fn();
    return ((C.now() - t0) / N) * 1e6;
  };
  res.op_us = time(() => torch.add(a, b));
  const x4 = torch.tensor(new Float32Array(4), { shape: [1, 1, 2, 2] });
  res.maxpool_tiny_us = time(() => F.maxPool2d(x4, 2));
  try {
    const id = new torch.nn.Identity();
    const lin = new torch.nn.Linear(1, 1);
    const x = torch.tensor([[1]]);
    const direct = time(() => F.linear(x, lin.weight, lin.bias));
    res.module_identity_us = time(() => id(x));
    res.module_linear_us = time(() => lin(x));
    res.module_linear_direct_us = direct;
  } catch (e) {
    res.module_skipped = String(e.message).split('\n')[0];
  }
  return res;
}

// Elementwise throughput on large tensors (32M floats = 128 MiB each, beyond the caches): bytes read + written per second.
// Out-of-place ops include allocating (and first-touching) the output, as PyTorch's do; add_ runs
// in place, so it shows the kernel against the memory system alone.
const BW_N = 32 * 1024 * 1024;
function bandwidth() {
  const a = torch.rand(BW_N), b = torch.rand(BW_N);
  const gbps = (bytes, fn) => (bytes / (C.bench(fn).median_ms / 1e3)) / 1e9;
  const B = BW_N * 4;
  return {
    'add (a + b)': gbps(3 * B, () => a.add(b)),
    'add_ in place (a += b)': gbps(3 * B, () => a.add_(b)),
    'mul by scalar': gbps(2 * B, () => a.mul(1.5)),
    'exp': gbps(2 * B, () => a.exp()),
    'sum (reduction)': gbps(B, () => a.sum()),
  };
}

function bandwidthPeer() {
  const py = '/usr/bin/python3';
  if (NO_PEER || !fs.existsSync(py)) return null;
  const code = `
import torch, time, json, statistics, sys
torch.set_num_threads(${THREADS})
n = ${BW_N}; a = torch.rand(n); b = torch.rand(n); B = n * 4
def gb(nbytes, fn):
    for _ in range(3): fn()
    ts = []
    t_end = time.perf_counter() + 1.0
    while len(ts) < 10 or time.perf_counter() < t_end:
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return nbytes / statistics.median(ts) / 1e9
print(json.dumps({'add (a + b)': gb(3*B, lambda: a + b), 'add_ in place (a += b)': gb(3*B, lambda: a.add_(b)),
  'mul by scalar': gb(2*B, lambda: a * 1.5), 'exp': gb(2*B, lambda: a.exp()), 'sum (reduction)': gb(B, lambda: a.sum())}))
`;
  const r = require('child_process').spawnSync(py, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  try { return JSON.parse(r.stdout.trim().split('\n').pop()); } catch { return null; }
}

function ortDir() {
  const dir = opt('--ort', process.env.TORCHLET_BENCH_ORT || '');
  const tryFrom = (paths) => {
    try {
      return path.dirname(path.dirname(require.resolve('onnxruntime-node/package.json', { paths })));
    } catch (e) {
      return null;
    }
  };
  return dir ? tryFrom([path.resolve(dir), path.resolve(dir, '..')]) : tryFrom([ROOT]);
}

function runOrt() {
  if (NO_PEER) return null;
  const nm = ortDir();
  if (!nm) return { note: 'onnxruntime-node not installed: column skipped (see bench/README.md)' };
  const onnx = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlet-bench-onnx-'));
  const out = path.join(onnx, 'ort.json');
  try {
    execFileSync('/usr/bin/python3', [path.join(HERE, 'torch_peer.py'), '--export-onnx', onnx], { stdio: ['ignore', 'ignore', 'ignore'] });
    console.error(`onnxruntime-node peer (${THREADS} threads):`);
    execFileSync(process.execPath, [path.join(__dirname, 'ort_peer.js'), '--onnx', onnx, '--threads', String(THREADS), '--id', 'ort', '--out', out],
      { env: { ...process.env, NODE_PATH: nm }, stdio: ['ignore', 'ignore', 'inherit'], cwd: __dirname });
    const col = JSON.parse(fs.readFileSync(out, 'utf8')).columns[0];
    return { col };
  } catch (e) {
    return { note: `onnxruntime peer failed: ${String(e.message).split('\n')[0]}` };
  } finally {
    fs.rmSync(onnx, { recursive: true, force: true });
  }
}

function runPeer() {
  if (NO_PEER) return { note: 'skipped (--no-peer)' };
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch (e) {
    return { note: '/usr/bin/python3 with torch not found: PyTorch column skipped' };
  }
  const out = path.join(os.tmpdir(), `torchlet-bench-torch-${process.pid}.json`);
  const env = { ...process.env };
  let blas = 'system libblas.so.3';
  const ob = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
  if (fs.existsSync(path.join(ob, 'libblas.so.3'))) {
    env.LD_LIBRARY_PATH = ob + (env.LD_LIBRARY_PATH ? ':' + env.LD_LIBRARY_PATH : '');
    blas = 'OpenBLAS (pthread)';
  }
  const args = [path.join(HERE, 'torch_peer.py'), '--threads', String(THREADS), '--id', 'torch', '--blas', blas, '--out', out];
  if (ONLY.size) args.push('--only', [...ONLY].join(','));
  console.error(`PyTorch peer (${blas}, ${THREADS} threads):`);
  try {
    execFileSync('/usr/bin/python3', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const col = JSON.parse(fs.readFileSync(out, 'utf8')).columns[0];
    fs.unlinkSync(out);
    return { col, blas };
  } catch (e) {
    return { note: `PyTorch peer failed: ${String(e.message).split('\n')[0]}` };
  }
}

(async () => {
  const b = torch.backend();
  console.error(`torchlet ${require(path.join(ROOT, 'package.json')).version}: isa=${b.isa} threads=${torch.getNumThreads()} ` +
    `(${os.cpus()[0].model}, ${os.cpus().length} cpus, node ${process.version}); workloads from ${path.relative(process.cwd(), HERE) || '.'}`);
  const results = {};
  for (const spec of C.SPEC.workloads) {
    if (ONLY.size && !ONLY.has(spec.id)) continue;
    const build = workloads[spec.id];
    results[spec.id] = await C.run(spec.id, async () => (build ? C.bench(build()) : { skipped: 'no torchlet implementation' }));
  }
  const ov = overheads();
  const bw = ONLY.size ? null : bandwidth();
  const bwPeer = bw ? bandwidthPeer() : null;
  const peer = runPeer();
  const ort = runOrt();
  const tw = peer.col ? peer.col.workloads : {};
  const ow = ort && ort.col ? ort.col.workloads : null;

  const rows = [['workload', 'torchlet', '', 'PyTorch', '', 'vs PyTorch']];
  if (ow) rows[0].push('onnxruntime', '', 'vs ORT');
  for (const spec of C.SPEC.workloads) {
    if (!(spec.id in results)) continue;
    const r = results[spec.id], t = tw[spec.id];
    const fmt = (x) => (!x ? '-' : x.error ? 'error' : x.skipped ? 'n/a' : `${x.median_ms.toFixed(3)} ms`);
    const ratio = (x) => (r && x && r.median_ms && x.median_ms ? `${(x.median_ms / r.median_ms).toFixed(2)}x` : '-');
    const row = [spec.title, fmt(r), derived(spec, r), fmt(t), derived(spec, t), ratio(t)];
    if (ow) row.push(fmt(ow[spec.id]), derived(spec, ow[spec.id]), ratio(ow[spec.id]));
    rows.push(row);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log('');
  console.log(line(rows[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  console.log(`vs X = X's median / torchlet's median (same run, ${THREADS} threads; > 1 means torchlet is faster).` +
    (peer.col ? ` PyTorch ${peer.col.version}, BLAS: ${peer.blas}.` : ` ${peer.note}`) +
    (ort ? (ort.col ? ` ${ort.col.label}.` : ` ${ort.note}`) : ''));
  console.log(`per-op overhead: torch.add on 1-element tensors ${ov.op_us.toFixed(2)} µs/op; ` +
    `F.maxPool2d on 1x1x2x2 ${ov.maxpool_tiny_us.toFixed(2)} µs/op`);
  if (ov.module_skipped) console.log(`module call overhead: skipped (${ov.module_skipped})`);
  else console.log(`module call overhead: nn.Identity()(x) ${ov.module_identity_us.toFixed(2)} µs; nn.Linear(1,1)(x) ` +
    `${ov.module_linear_us.toFixed(2)} µs vs F.linear ${ov.module_linear_direct_us.toFixed(2)} µs ` +
    `(+${(ov.module_linear_us - ov.module_linear_direct_us).toFixed(2)} µs per call)`);
  if (bw) {
    console.log('');
    console.log(`elementwise on ${BW_N / 1048576}M floats (GB/s of memory read + written; machine triad ~23 GB/s):`);
    for (const [k, v] of Object.entries(bw)) {
      const p = bwPeer && bwPeer[k];
      console.log(`  ${k.padEnd(24)} torchlet ${v.toFixed(1).padStart(5)} GB/s` +
        (p ? `   PyTorch ${p.toFixed(1).padStart(5)} GB/s   (${(v / p).toFixed(2)}x)` : ''));
    }
  }
  const jsonOut = opt('--json', '');
  if (jsonOut) {
    fs.writeFileSync(jsonOut, JSON.stringify({ torchlet: results, overheads: ov, bandwidth: bw, bandwidthPeer: bwPeer, torch: peer.col || peer.note,
      ort: ort ? ort.col || ort.note : null }, null, 1));
  }
})();
