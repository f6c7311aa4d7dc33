'use strict';
// Runs the tensor kernels on fixed inputs under whatever TORCHLET_ISA the parent set, and prints
// the results as JSON. test/native/isa-paths.test.ts compares every ISA against the scalar path.
const common = require('./isa-child-common');
const native = common.native;
const rnd = (n, seed, lo = -3, hi = 3) => common.rnd(n, seed, lo, hi);
const { out, put } = common.collector();
const N = 1000 + 37;  // not a multiple of any vector width
const x = rnd(N, 1), y = rnd(N, 2), p = rnd(N, 3, 0.01, 5);
for (let op = 0; op < 11; op++) {
  const o = new Float32Array(N);
  native.unary(op, op === 2 || op === 3 ? p : x, o);
  put(`unary${op}`, o);
  const gx = new Float32Array(N);
  native.unaryBackward(op, op === 2 || op === 3 ? p : x, o, y, gx);
  put(`unaryBackward${op}`, gx);
}
for (let op = 0; op < 13; op++) {
  const o = new Float32Array(N);
  native.binary(op, x, [N], op === 4 ? p : y, [N], o);
  put(`binary${op}`, o);
  const b = new Float32Array(37 * 29);
  native.binary(op, rnd(37 * 29, 4), [37, 29], rnd(29, 5, 0.5, 2), [1, 29], b);
  put(`binaryBroadcast${op}`, b);
}
for (let op = 0; op < 4; op++) {
  const o = new Float32Array(7 * 5);
  native.reduce(op, rnd(7 * 13 * 5, 6), 7, 13, 5, o);
  put(`reduceStrided${op}`, o);
  const r = new Float32Array(3);
  native.reduce(op, rnd(3 * 1001, 7), 3, 1001, 1, r);
  put(`reduceRow${op}`, r);
}
for (const log of [false, true]) {
  const s = new Float32Array(9 * 31);
  native.softmax(rnd(9 * 31, 8, -20, 20), 9, 31, 1, s, log);
  put(`softmax${log}`, s);
  const s2 = new Float32Array(4 * 5 * 6);
  native.softmax(rnd(4 * 5 * 6, 9), 4, 5, 6, s2, log);
  put(`softmaxStrided${log}`, s2);
}
for (const [m, n, k, ta, tb] of [[1, 1, 1, false, false], [17, 13, 7, false, false], [33, 65, 129, true, false],
  [5, 47, 300, false, true], [64, 64, 64, true, true], [1, 100, 37, false, false], [100, 1, 37, false, true]]) {
  const c = new Float32Array(m * n);
  native.gemm(1, ta, tb, m, n, k, rnd(m * k, 10 + m), 0, rnd(k * n, 20 + n), 0, c, m * n, 1, 0);
  put(`gemm${m}x${n}x${k}${ta}${tb}`, c);
}
process.stdout.write(JSON.stringify(out));
