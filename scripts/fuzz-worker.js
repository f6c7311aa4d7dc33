'use strict';
// Child process of scripts/fuzz.js: runs cases [start, start + count) of one target and seed.
// Before each case it writes "C <i>" to stdout synchronously, so when the process dies the parent
// knows which case killed it. At the end: "R <json summary>".
// Usage: node scripts/fuzz-worker.js <target> <seed> <start> <count> [crashAt]
const fs = require('fs');
const { TARGETS } = require('./fuzz-lib');

const [target, seed, start, count, crashAt] = process.argv.slice(2).map((v, k) => (k === 0 ? v : Number(v)));
const t = TARGETS[target];
const SLOW_MS = Number(process.env.TORCHLET_FUZZ_SLOW_MS) || 5000;
if (!t) { console.error(`fuzz-worker: unknown target ${target}`); process.exit(2); }

(async () => {
  const sum = { cases: 0, ok: 0, threw: 0, findings: [], internal: [] };
  for (let i = start; i < start + count; i++) {
    fs.writeSync(1, `C ${i}\n`);
    // --self-test: prove that a crash is caught and attributed to its case.
    if (i === crashAt) process.abort();
    const c = t.make(seed, i);
    const t0 = Date.now();
    const r = await t.run(c);
    // Every case is tiny: seconds mean a loop bounded by a hostile size rather than by the data.
    const ms = Date.now() - t0;
    if (ms > SLOW_MS) sum.findings.push({ case: i, call: c.text, what: `slow: ${ms} ms` });
    sum.cases++;
    if (r.kind === 'ok') sum.ok++;
    else if (r.kind === 'threw') sum.threw++;
    else if (r.kind === 'internal') sum.internal.push({ case: i, call: c.text, what: r.what });
    else sum.findings.push({ case: i, call: c.text, what: r.what });
  }
  fs.writeSync(1, `R ${JSON.stringify(sum)}\n`);
})().catch((e) => {
  fs.writeSync(2, `fuzz-worker: ${e && e.stack}\n`);
  process.exit(3);
});
