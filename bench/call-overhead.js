#!/usr/bin/env node
/*
 * Call overhead of nn.Module, outside jest (jest runs tests in a vm context, which makes Proxy
 * calls several times slower than in plain Node). Usage, after `npm run build:ts`:
 *   node bench/call-overhead.js [path/to/dist]
 */
'use strict';
const path = require('path');
const torch = require(path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist')));
const { nn } = torch;

function nsPerCall(fn, n = 2000000) {
  for (let i = 0; i < 300000; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

class Leaf extends nn.Module {
  forward(x) {
    return x;
  }
}
const x = torch.ones(1);
const plain = { forward: (t) => t };
const m = new Leaf();
const seq = new nn.Sequential(...Array.from({ length: 8 }, () => new Leaf()));
const hooked = new Leaf();
hooked.registerForwardHook(() => undefined);
const rows = [
  ['plain object method', nsPerCall(() => plain.forward(x))],
  ['module.forward(x)', nsPerCall(() => m.forward(x))],
  ['module(x), no hooks (fast path)', nsPerCall(() => m(x))],
  ['Sequential of 8 leaves, per child', nsPerCall(() => seq(x), 300000) / 8],
  ['module(x) with one forward hook', nsPerCall(() => hooked(x), 300000)],
];
for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v.toFixed(1).padStart(8)} ns/call`);
