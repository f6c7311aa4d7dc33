'use strict';
/**
 * Bench rows for the layers of issue 13 built on the convolution and interpolation kernels
 * (Conv1d, ConvTranspose2d, F.interpolate), beside PyTorch when /usr/bin/python3 has torch:
 *   node bench/layers-conv.js [--threads N] [--no-peer] [--only id1,id2] [--smoke]
 * Timing policy from workloads.json via common.js (as bench/run.js); the PyTorch side is
 * bench/layers_conv_peer.py with the same rows. --smoke runs each row once (checks it works).
 * Shapes are typical of the models that use these layers: a DCGAN/U-Net decoder step, an audio
 * Conv1d, an FPN 2x upsampling.
 */
const path = require('path');
const { execFileSync } = require('child_process');
const C = require('./common');
const torch = require(path.join(__dirname, '..'));
const F = torch.nn.functional;

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const threads = Number(opt('--threads', 2));
const only = opt('--only', '').split(',').filter(Boolean);
const smoke = argv.includes('--smoke');
torch.setNumThreads(threads);

const T = (shape, seed, scale = 1, grad = false) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(C.randF32(n, seed, scale), { shape, requiresGrad: grad });
};

// Each row: [id, title, build] where build returns the timed closure. Must match the peer's ids.
const rows = [
  ['convT_fwd', 'ConvTranspose2d(64,32,4,s=2,p=1) fwd, 8x64x28x28', () => {
    const x = T([8, 64, 28, 28], 1), w = T([64, 32, 4, 4], 2, 1 / 32), b = T([32], 3);
    return () => torch.noGrad(() => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }));
  }],
  ['convT_fwd_bwd', 'ConvTranspose2d(64,32,4,s=2,p=1) fwd+bwd (dX,dW,db), 8x64x28x28', () => {
    const x = T([8, 64, 28, 28], 1, 1, true), w = T([64, 32, 4, 4], 2, 1 / 32, true), b = T([32], 3, 1, true);
    const gy = T([8, 32, 56, 56], 4);
    return () => {
      x.grad = null; w.grad = null; b.grad = null;
      F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }).backward(gy);
    };
  }],
  ['conv1d_fwd', 'Conv1d(64,64,5,p=2) fwd, 8x64x4000', () => {
    const x = T([8, 64, 4000], 5), w = T([64, 64, 5], 6, 1 / 18), b = T([64], 7);
    return () => torch.noGrad(() => F.conv1d(x, w, b, { padding: 2 }));
  }],
  ['conv1d_fwd_bwd', 'Conv1d(64,64,5,p=2) fwd+bwd (dX,dW,db), 8x64x4000', () => {
    const x = T([8, 64, 4000], 5, 1, true), w = T([64, 64, 5], 6, 1 / 18, true), b = T([64], 7, 1, true);
    const gy = T([8, 64, 4000], 8);
    return () => {
      x.grad = null; w.grad = null; b.grad = null;
      F.conv1d(x, w, b, { padding: 2 }).backward(gy);
    };
  }],
  ['upsample_nearest2x', 'interpolate nearest x2 fwd, 8x64x56x56', () => {
    const x = T([8, 64, 56, 56], 9);
    return () => torch.noGrad(() => F.interpolate(x, { scaleFactor: 2 }));
  }],
  ['upsample_bilinear2x', 'interpolate bilinear x2 fwd, 8x64x56x56', () => {
    const x = T([8, 64, 56, 56], 9);
    return () => torch.noGrad(() => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false }));
  }],
  ['upsample_bilinear2x_bwd', 'interpolate bilinear x2 fwd+bwd, 8x64x56x56', () => {
    const x = T([8, 64, 56, 56], 9, 1, true), gy = T([8, 64, 112, 112], 10);
    return () => {
      x.grad = null;
      F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false }).backward(gy);
    };
  }],
];

const selected = rows.filter(([id]) => only.length === 0 || only.includes(id));
const ours = {};
for (const [id, , build] of selected) {
  const fn = build();
  if (smoke) { fn(); ours[id] = { median_ms: NaN }; continue; }
  ours[id] = C.bench(fn);
}
let peer = {};
if (!argv.includes('--no-peer')) {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'layers_conv_peer.py'), '--threads', String(threads),
      '--only', selected.map(([id]) => id).join(','), ...(smoke ? ['--smoke'] : [])], { maxBuffer: 1 << 24 });
    peer = JSON.parse(out.toString());
  } catch (e) {
    console.error(`PyTorch peer unavailable: ${String(e.message).split('\n')[0]}`);
  }
}
if (smoke) {
  console.log(`smoke: every row ran once (torchlet${peer._torch ? `, PyTorch ${peer._torch}` : ''})`);
  process.exit(0);
}
console.log(`threads ${threads}; median ms (PyTorch ${peer._torch || 'n/a'})`);
for (const [id, title] of selected) {
  const a = ours[id].median_ms, p = peer[id] && peer[id].median_ms != null ? peer[id].median_ms : NaN;
  console.log(`${title.padEnd(66)} torchlet ${a.toFixed(2).padStart(8)}  torch ${p.toFixed(2).padStart(8)}  ratio ${(a / p).toFixed(2)}`);
}
