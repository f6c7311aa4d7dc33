'use strict';
// Runs every nn kernel (GEMM incl. odd sizes/transposes/tails, conv2d fwd+bwd per algorithm,
// pools, batch norm, linear) on fixed inputs under the TORCHLET_ISA the parent set, printing the
// results as JSON. test/kernels/isa.test.ts compares each ISA with the scalar path.
const common = require('../scripts/isa-child-common');
const native = common.native;
const rnd = (n, seed, lo = -1, hi = 1) => common.rnd(n, seed, lo, hi);
const { out, put } = common.collector();
let seed = 1;

// GEMM: 1-row, 1-col, primes, k = 1, tails of every tile size, all transposes, alpha/beta.
const shapes = [[1, 1, 1], [1, 37, 5], [29, 1, 13], [7, 11, 1], [14, 32, 16], [15, 33, 17], [6, 16, 8], [13, 47, 97],
  [97, 61, 53], [2, 200, 300], [6, 75, 784], [16, 150, 260], [11, 5, 301], [3, 129, 64], [170, 31, 260], [64, 100, 576]];
for (const [m, n, k] of shapes)
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const a = rnd(m * k, seed++), b = rnd(k * n, seed++), c = rnd(m * n, seed++);
      native.gemm(1, ta, tb, m, n, k, a, 0, b, 0, c, 0, 1.5, 0.5);
      put(`gemm_${m}x${n}x${k}_${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`, c);
    }

// conv2d: params [n, c, h, w, oc, kh, kw, sh, sw, pt, pl, dh, dw, groups, oh, ow]
const convs = {
  im2col: [2, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 9, 11],
  strided: [1, 4, 17, 17, 6, 5, 3, 2, 2, 2, 1, 1, 1, 1, 9, 9],
  dilated: [3, 2, 13, 7, 17, 3, 2, 1, 1, 2, 1, 2, 3, 1, 13, 5],
  gemm1x1: [2, 19, 7, 5, 33, 1, 1, 1, 1, 0, 0, 1, 1, 1, 7, 5],
  grouped: [2, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3, 7, 7],
  depthwise: [2, 8, 11, 9, 16, 3, 3, 2, 1, 1, 1, 1, 1, 8, 6, 9],
  big: [4, 16, 20, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 20, 20],
};
for (const [name, p] of Object.entries(convs)) {
  const [n, c, h, w, oc, kh, kw, , , , , , , g, oh, ow] = p;
  const x = rnd(n * c * h * w, seed++), wt = rnd(oc * (c / g) * kh * kw, seed++), b = rnd(oc, seed++);
  const y = new Float32Array(n * oc * oh * ow);
  native.conv2d(x, wt, b, p, y);
  put(`conv_${name}`, y);
  const gy = rnd(y.length, seed++), gx = new Float32Array(x.length), gw = new Float32Array(wt.length),
    gb = new Float32Array(oc);
  native.conv2dBackward(x, wt, gy, p, gx, gw, gb);
  put(`conv_${name}_gx`, gx);
  put(`conv_${name}_gw`, gw);
  put(`conv_${name}_gb`, gb);
}

// pools: [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, countIncludePad, divisorOverride]
const pools = {
  max2x2: [6, 17, 18, 8, 9, 2, 2, 2, 2, 0, 0, 1, 1, 0, 0],
  max3s2p1: [4, 13, 13, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0],
  maxDil: [3, 11, 9, 4, 3, 3, 2, 2, 3, 1, 1, 2, 2, 0, 0],
  // Wide rows reach the vector loops of the k x k path (full vectors, stride-2 de-interleave, gathers).
  max3s2p1Wide: [3, 9, 77, 5, 39, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0],
  max3s1Wide: [2, 6, 70, 4, 68, 3, 3, 1, 1, 0, 0, 1, 1, 0, 0],
  max3s3Wide: [2, 10, 100, 3, 33, 3, 3, 3, 3, 0, 0, 1, 1, 0, 0],
};
for (const [name, p] of Object.entries(pools)) {
  const x = rnd(p[0] * p[1] * p[2], seed++);
  if (name.endsWith('Wide')) {
    // Ties and NaNs: the first maximum (or NaN) in PyTorch's tap order must win on every path.
    for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 3) / 3;
    for (let i = 5; i < x.length; i += 97) x[i] = NaN;
  }
  const y = new Float32Array(p[0] * p[3] * p[4]), idx = new Int32Array(y.length);
  native.maxPool2d(x, p, y, idx);
  put(`pool_${name}`, y);
  put(`pool_${name}_idx`, idx);
  const gy = rnd(y.length, seed++), gx = new Float32Array(x.length);
  native.maxPool2dBackward(gy, idx, p[0], p[1] * p[2], gx);
  put(`pool_${name}_gx`, gx);
}
{
  const p = [4, 13, 13, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0];
  const x = rnd(4 * 13 * 13, seed++), y = new Float32Array(4 * 49);
  native.avgPool2d(x, p, y);
  put('avgpool', y);
  const gx = new Float32Array(x.length);
  native.avgPool2dBackward(rnd(y.length, seed++), p, gx);
  put('avgpool_gx', gx);
}

// batch norm (train) and linear
{
  const n = 3, c = 5, hw = 37, x = rnd(n * c * hw, seed++, -2, 3), w = rnd(c, seed++), b = rnd(c, seed++);
  const rm = new Float32Array(c), rv = new Float32Array(c).fill(1), y = new Float32Array(x.length);
  const sm = new Float32Array(c), si = new Float32Array(c);
  native.batchNorm(x, [n, c, hw], w, b, rm, rv, true, 0.1, 1e-5, y, sm, si);
  put('bn', y); put('bn_rm', rm); put('bn_rv', rv);
  const gx = new Float32Array(x.length), gw = new Float32Array(c), gb = new Float32Array(c);
  native.batchNormBackward(x, rnd(x.length, seed++), [n, c, hw], w, sm, si, true, gx, gw, gb);
  put('bn_gx', gx); put('bn_gw', gw); put('bn_gb', gb);
}
for (const [rows, inF, outF] of [[1, 400, 120], [3, 33, 17], [64, 120, 84], [5, 1, 7]]) {
  const x = rnd(rows * inF, seed++), w = rnd(outF * inF, seed++), b = rnd(outF, seed++), y = new Float32Array(rows * outF);
  native.linear(x, rows, inF, w, outF, b, y);
  put(`linear_${rows}_${inF}_${outF}`, y);
  const gx = new Float32Array(x.length), gw = new Float32Array(w.length), gb = new Float32Array(outF);
  native.linearBackward(x, rows, inF, w, outF, rnd(y.length, seed++), gx, gw, gb);
  put(`linear_${rows}_${inF}_${outF}_gx`, gx); put(`linear_${rows}_${inF}_${outF}_gw`, gw); put(`linear_${rows}_${inF}_${outF}_gb`, gb);
}

process.stdout.write(JSON.stringify(out));
