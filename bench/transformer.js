#!/usr/bin/env node
/**
 * `node bench/transformer.js [--threads N] [--no-peer] [--only id,...]`: attention and transformer
 * rows beside PyTorch (bench/transformer_peer.py, same shapes, same timing policy as bench/run.js
 * via bench/common.js): scaled-dot-product attention at sequence 128 and 512 (8 heads, d 64),
 * forward and forward+backward; LayerNorm(512); TransformerEncoderLayer(512, 8, ff 2048) forward
 * and forward+backward. Run it on a quiet machine: it takes about a minute.
 */
'use strict';
const path = require('path');
const { execFileSync } = require('child_process');
const C = require('./common');
const torch = require('..');
const { nn } = torch;
const F = nn.functional;

const args = { threads: 2, peer: true, only: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--threads') args.threads = Number(process.argv[++i]);
  else if (a === '--no-peer') args.peer = false;
  else if (a === '--only') args.only = process.argv[++i].split(',');
  else throw new Error(`unknown argument ${a}`);
}
torch.setNumThreads(args.threads);

const rand = (shape, seed) => torch.tensor(C.randF32(shape.reduce((a, b) => a * b, 1), seed), { shape });

/** id -> [title, setup returning the timed function]. Shapes as in transformer_peer.py. */
const W = {
  sdpa128_fwd: ['SDPA fwd, [4, 8, 128, 64]', () => attn([4, 8, 128, 64], false)],
  sdpa128_fwd_bwd: ['SDPA fwd+bwd, [4, 8, 128, 64]', () => attn([4, 8, 128, 64], true)],
  sdpa512_fwd: ['SDPA fwd, [1, 8, 512, 64]', () => attn([1, 8, 512, 64], false)],
  sdpa512_fwd_bwd: ['SDPA fwd+bwd, [1, 8, 512, 64]', () => attn([1, 8, 512, 64], true)],
  sdpa512_causal_fwd_bwd: ['SDPA causal fwd+bwd, [1, 8, 512, 64]', () => attn([1, 8, 512, 64], true, true)],
  layernorm_fwd_bwd: ['LayerNorm(512) fwd+bwd, [1024, 512]', () => {
    const ln = new nn.LayerNorm(512), x = rand([1024, 512], 3).requiresGrad_(true), g = rand([1024, 512], 4);
    return () => { ln(x).backward(g); };
  }],
  encoder_fwd: ['TransformerEncoderLayer(512, 8) fwd, [8, 128, 512]', () => encoder(false)],
  encoder_fwd_bwd: ['TransformerEncoderLayer(512, 8) fwd+bwd, [8, 128, 512]', () => encoder(true)],
};

function attn(shape, backward, causal = false) {
  const q = rand(shape, 1), k = rand(shape, 2), v = rand(shape, 3), g = rand(shape, 4);
  if (!backward) return () => torch.noGrad(() => F.scaledDotProductAttention(q, k, v, { isCausal: causal }));
  [q, k, v].forEach((t) => t.requiresGrad_(true));
  return () => F.scaledDotProductAttention(q, k, v, { isCausal: causal }).backward(g);
}

function encoder(backward) {
  torch.manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(512, 8, { dimFeedforward: 2048, dropout: 0, batchFirst: true });
  const x = rand([8, 128, 512], 5), g = rand([8, 128, 512], 6);
  if (!backward) {
    layer.eval();
    return () => torch.noGrad(() => layer(x));
  }
  return () => layer(x).backward(g);
}

let peer = {};
if (args.peer) {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'transformer_peer.py'), '--threads', String(args.threads),
      ...(args.only ? ['--only', args.only.join(',')] : [])], { maxBuffer: 1 << 24 });
    peer = JSON.parse(out.toString());
  } catch (e) {
    console.error(`(PyTorch peer unavailable: ${String(e.message).split('\n')[0]})`);
  }
}
console.log(`| workload | torchlet | PyTorch ${peer._version ?? ''} | vs PyTorch |`);
console.log('|---|---|---|---|');
for (const [id, [title, setup]] of Object.entries(W)) {
  if (args.only && !args.only.includes(id)) continue;
  const r = C.bench(setup());
  const p = peer[id];
  console.log(`| ${title} | ${r.median_ms.toFixed(2)} ms | ${p ? p.toFixed(2) + ' ms' : 'n/a'} | ${p ? (p / r.median_ms).toFixed(2) + 'x' : ''} |`);
}
