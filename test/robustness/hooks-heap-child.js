'use strict';
// Register/remove module hooks N times per kind; print the heap retained after a full GC, per kind,
// at N/4 and N cycles (bytes). A leak grows with the cycle count; V8's high-water noise does not.
// Usage: node --expose-gc hooks-heap-child.js [cycles=100000]
const path = require('path');
const ts = require(path.join(__dirname, '..', '..', 'node_modules', 'typescript'));
const fs = require('fs');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
}).outputText, f);
const torch = require(path.join(__dirname, '..', '..', 'lib', 'index.ts'));
const { nn } = torch;
const n = Number(process.argv[2] || 100000);
const m = new nn.Linear(4, 4);
const x = torch.randn(2, 4);
const kinds = {
  forward: () => m.registerForwardHook(() => {}),
  forwardPre: () => m.registerForwardPreHook(() => {}, { withKwargs: true }),
  forwardAlways: () => m.registerForwardHook(() => {}, { alwaysCall: true, withKwargs: true }),
  fullBackward: () => m.registerFullBackwardHook(() => {}),
  globalForward: () => nn.registerModuleForwardHook(() => {}),
};
const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
const out = {};
for (const [k, reg] of Object.entries(kinds)) {
  const cycle = (c) => { for (let i = 0; i < c; i++) { const h = reg(); if (i % 100 === 0) m.forward(x); h.remove(); } };
  cycle(Math.min(20000, n));
  const h0 = heap();
  cycle(n / 4);
  const h1 = heap();
  cycle((3 * n) / 4);
  out[k] = { quarter: h1 - h0, full: heap() - h0, rss: process.memoryUsage().rss };
}
console.log(JSON.stringify(out));
