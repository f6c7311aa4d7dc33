'use strict';
// Runs the ops of test/fixtures/robustness/nan.json on the raw addon under the TORCHLET_ISA the
// parent set and prints the results, encoded like the fixture ("NaN", "Infinity", "-0").
const path = require('path');
const fs = require('fs');
const N = require('node-gyp-build')(path.join(__dirname, '..', '..'));
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'robustness', 'nan.json'), 'utf8'));

const dec = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === '-0' ? -0 : v);
const enc = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : Object.is(v, -0) ? '-0' : v);
const f32 = (a) => Float32Array.from(a.map(dec));
const res = {};
const put = (k, a) => { res[k] = Array.from(a, enc); };

const UNARY = ['neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'sigmoid', 'tanh', 'square', 'reciprocal', 'sign'];
const x = f32(fx.x), y = f32(fx.y), gy = f32(fx.gy), n = x.length;
UNARY.forEach((name, code) => { const o = new Float32Array(n); N.unary(code, x, o); put(`unary.${name}`, o); });
{
  const r = new Float32Array(n), g = new Float32Array(n);
  N.unary(5, x, r);
  N.unaryBackward(5, x, r, gy, g);
  put('relu_backward', g);
}
for (const [name, code] of [['maximum', 5], ['minimum', 6]]) {
  const o = new Float32Array(n);
  N.binarySame(code, x, y, o);
  put(name, o);
  // The broadcast path runs other loops (one side strided 0 per row).
  const o2 = new Float32Array(n);
  N.binary(code, x, [n], y, [n], o2);
  put(`${name}_bcast`, o2);
}
const rows = f32(fx.rows);
for (const [name, code, outer, inner] of [['row_max', 2, 5, 1], ['row_min', 3, 5, 1], ['col_max', 2, 1, 33], ['col_min', 3, 1, 33]]) {
  const o = new Float32Array(outer * inner);
  if (inner === 1) N.reduce(code, rows, outer, 33, 1, o);
  else N.reduce(code, rows, 1, 5, 33, o);
  put(name, o);
}
const soft = f32(fx.soft_rows);
for (const [name, log] of [['softmax', false], ['log_softmax', true]]) {
  const o = new Float32Array(soft.length);
  N.softmax(soft, 5, 33, 1, o, log);
  put(name, o);
}
const pin = f32(fx.pool_in);
for (const name of ['pool2', 'pool3']) {
  const c = fx[name];
  const o = new Float32Array(2 * c.oh * c.ow), idx = new Int32Array(o.length);
  N.maxPool2d(pin, Int32Array.from([2, 10, 12, c.oh, c.ow, c.k, c.k, c.s, c.s, c.p, c.p, 1, 1, 0, 0]), o, idx);
  put(`${name}.out`, o);
  res[`${name}.idx`] = Array.from(idx);
}
for (const [name, c] of Object.entries(fx.activation)) {
  const o = new Float32Array(n), g = new Float32Array(n);
  N.activation(c.code, x, o, c.a, c.b);
  N.activationBackward(c.code, x, gy, g, c.a, c.b);
  put(`activation.${name}`, o);
  put(`activation.${name}.grad`, g);
}
process.stdout.write(JSON.stringify({ isa: N.backend().isa, results: res }));
