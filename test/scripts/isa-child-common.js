'use strict';
// Shared by the per-ISA child scripts (test/scripts/tensor-kernels.js, test/kernels/isa-child.js):
// the raw addon, a seeded uniform generator, and the JSON result collector.
const path = require('path');
const native = require('node-gyp-build')(path.join(__dirname, '..', '..'));

/** n uniform floats in [lo, hi) from a fixed LCG, identical in every process. */
function rnd(n, seed, lo, hi) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return a;
}

/** Collects named results under the ISA in use; the caller prints `out` as JSON. */
function collector() {
  const out = { isa: native.backend().isa, results: {} };
  return { out, put: (k, v) => { out.results[k] = Array.from(v); } };
}

module.exports = { native, rnd, collector };
