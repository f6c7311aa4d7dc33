'use strict';
// Runs every op of the unary registry (forward on a strided view, and backward) under the
// TORCHLET_ISA the parent set, printing the results as JSON. test/tensor/registry-isa.test.ts
// compares each ISA with the scalar path. Reads the compiled package (dist/, built by npm test).
const path = require('path');
const torch = require(path.join(__dirname, '..', '..', 'dist'));
const { registeredUnaryOps } = require(path.join(__dirname, '..', '..', 'dist', 'ops', 'unary-registry'));
const common = require('../scripts/isa-child-common');

const out = { isa: torch.backend().isa, results: {} };
let seed = 7;
for (const op of registeredUnaryOps()) {
  const [lo, hi] = op.def.domain;
  // 37 x 23 (odd sizes: every vector tail), read through a transpose so the strided path runs.
  const base = torch.tensor(common.rnd(37 * 23, seed++, lo, hi), { shape: [23, 37] });
  const x = base.t().contiguous().t().detach().requiresGrad_(true);
  const y = op(x.t());
  const gy = torch.tensor(common.rnd(37 * 23, seed++, -1, 1), { shape: [37, 23] });
  y.backward(gy);
  out.results[`${op.def.name}.fwd`] = Array.from(y.contiguous().storage);
  out.results[`${op.def.name}.grad`] = Array.from(x.grad.contiguous().storage);
}
process.stdout.write(JSON.stringify(out));
