// Child of isa.test.ts: runs every activation kernel forward and backward on the fixture inputs
// with the ISA forced by TORCHLET_ISA, and prints the results as JSON.
const { readFileSync } = require('fs');
const { join } = require('path');
const native = require('node-gyp-build')(join(__dirname, '..', '..'));

const cases = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'layers', 'activations.json'), 'utf8')).cases;
const results = {};
for (let op = 0; op < 12; op++) {
  const c = cases[0];
  const x = Float32Array.from(c.x), gy = Float32Array.from(c.gy);
  const y = new Float32Array(x.length), gx = new Float32Array(x.length);
  const [a, b] = op === 10 ? [1.5, 20] : [0.2, 0];
  native.activation(op, x, y, a, b);
  native.activationBackward(op, x, gy, gx, a, b);
  results[`op${op}`] = Array.from(y);
  results[`op${op}_grad`] = Array.from(gx);
}
process.stdout.write(JSON.stringify({ isa: native.activationIsa(), results }));
