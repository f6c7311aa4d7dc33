'use strict';
/* eslint-disable @stylistic/max-len -- the signature tables below read best one entry per line */
// Case generators for scripts/fuzz.js. A case is a pure function of (target, seed, index), so any
// finding is replayed with `node scripts/fuzz.js --target T --seed S --case I`.
//
// native: random calls on every function the addon exports. Arguments follow each function's
//   signature most of the time (so calls get past the type checks into the size checks and the
//   kernels), with small dims drawn from one pool per case so lengths often agree; then each
//   argument is replaced, with some probability, by something hostile: huge / negative / NaN /
//   fractional integers, wrong typed arrays, detached, SharedArrayBuffer-backed and misaligned
//   views, non-arrays, shapes with hostile entries. Oracle: the call returns or throws an Error
//   whose message starts with "torchlet." (native code names the op), and the process survives.
// files: mutated safetensors files (bit flips, truncation, header-length and JSON mutations) fed
//   to the loader. Oracle: returns or throws an Error; no crash or hang. Errors that look like
//   internal failures (TypeError "Cannot read properties", allocation failures) are reported.
const path = require('path');
const fs = require('fs');

const ROOT = path.join(__dirname, '..');
let nativeCache = null;
function native() {
  if (!nativeCache) nativeCache = require('node-gyp-build')(ROOT);
  return nativeCache;
}

// lib/ is loaded from the TypeScript sources (transpiled on the fly), so a stale dist/ cannot hide
// or invent findings.
let libCache = null;
function lib() {
  if (libCache) return libCache;
  const ts = require(path.join(ROOT, 'node_modules', 'typescript'));
  if (!require.extensions['.ts']) {
    require.extensions['.ts'] = (m, f) => {
      const out = ts.transpileModule(fs.readFileSync(f, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
      }).outputText;
      m._compile(out, f);
    };
  }
  libCache = { torch: require(path.join(ROOT, 'lib', 'index.ts')), io: require(path.join(ROOT, 'lib', 'io', 'index.ts')) };
  return libCache;
}

// mulberry32: tiny, fast, and the same in every process.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
  return r;
}
const caseSeed = (seed, i) => (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;

// ---- hostile values ----
const EVIL_INTS = [-1, -2, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 50, 2 ** 50 + 1, 2 ** 52, 2 ** 53,
  2 ** 53 + 2, 2 ** 62, 2 ** 63 - 1024, 2 ** 63, 2 ** 64, 1e300, 274177, 67280421310721, -0, 0.5, 1.5, NaN, Infinity, -Infinity];
const EVIL_NUMS = [NaN, Infinity, -Infinity, -0, 1e-40, -1e-40, 3.4e38, -3.4e38, 1e39, 2 ** 31, -1, 0];

function f32(r, n, tag) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.chance(0.02) ? r.pick(EVIL_NUMS) : r.next() * 4 - 2;
  tag.push(`F32(${n})`);
  return a;
}
function i32(r, n, hi, tag) {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.chance(0.05) ? r.pick([-1, -(2 ** 31), 2 ** 31 - 1, hi, hi + 1]) : r.int(0, Math.max(0, hi - 1));
  tag.push(`I32(${n})`);
  return a;
}

// A replacement for any argument: the boundary must survive each of these in any position.
function evil(r, tag) {
  switch (r.int(0, 20)) {
    case 0: { const v = r.pick(EVIL_INTS); tag.push(String(v)); return v; }
    case 1: { const v = r.pick(EVIL_NUMS); tag.push(String(v)); return v; }
    case 2: tag.push('null'); return null;
    case 3: tag.push('undefined'); return undefined;
    case 4: tag.push("'3'"); return '3';
    case 5: tag.push('{}'); return {};
    case 6: { const n = r.int(0, 64); const a = new Float32Array(n); native().detachBuffer(a.buffer); tag.push(`detachedF32(${n})`); return a; }
    case 7: { const n = r.int(1, 64); const a = new Float32Array(new SharedArrayBuffer(4 * n)); tag.push(`sharedF32(${n})`); return a; }
    case 8: {
      // A view 1..15 floats into a larger buffer: not 64-byte aligned, and with live memory around it.
      const off = r.int(1, 15), n = r.int(0, 48);
      tag.push(`viewF32(+${off}, ${n})`);
      return new Float32Array(new ArrayBuffer(4 * (off + n + 16)), 4 * off, n);
    }
    case 9: { const n = r.int(0, 32); tag.push(`F64(${n})`); return new Float64Array(n); }
    case 10: { const n = r.int(0, 32); tag.push(`U8(${n})`); return new Uint8Array(n); }
    case 11: { const n = r.int(0, 8); tag.push(`BigI64(${n})`); return new BigInt64Array(n); }
    case 12: { const n = r.int(0, 64); tag.push(`I32(${n})`); return i32(r, n, 8, []); }
    case 13: {
      const s = Array.from({ length: r.int(0, 6) }, () => (r.chance(0.3) ? r.pick(EVIL_INTS) : r.int(0, 4)));
      tag.push(`[${s.join(', ')}]`);
      return s;
    }
    case 14: { const n = r.int(0, 64); return f32(r, n, tag); }
    case 15: { tag.push('true'); return true; }
    case 17: { const n = r.int(0, 16); const a = new BigInt64Array(new SharedArrayBuffer(8 * n)); a.fill(r.pick([0n, -1n, 2n ** 62n])); return a; }
    case 18: { const n = r.int(0, 16); const a = new BigInt64Array(n); native().detachBuffer(a.buffer); return a; }
    case 19: { const n = r.int(0, 16); return new Uint8Array(new ArrayBuffer(n + 3), 3, n); }
    case 16: { const a = [1, 2]; a.length = 5; tag.push('sparseArray'); return a; }
    default: { tag.push('[]'); return []; }
  }
}

// ---- signatures ----
// Kinds: f F32, fz F32|null, i Int32Array (values < pool dims), iz Int32Array|null, d Float64Array,
// t target (Int32Array/F32/F64 of class indices), n small int (a dim), op(k) an op code below k,
// x float, b bool, s shape array, p(k) k integer params (Int32Array or array).
const SIGS = {
  unary: ['op11', 'f', 'f'], unaryBackward: ['op11', 'fz', 'fz', 'f', 'f'], binary: ['op13', 'f', 's', 'f', 's', 'f'],
  binarySame: ['op13', 'f', 'f', 'f'], binaryScalar: ['op13', 'f', 'x', 'f', 'b'], sumTo: ['f', 's', 'f', 's'],
  reduce: ['op4', 'f', 'n', 'n', 'n', 'f'], argReduce: ['b', 'f', 'n', 'n', 'n', 'f', 'i'],
  scatterAlongDim: ['f', 'i', 'n', 'n', 'n', 'f'], softmax: ['f', 'n', 'n', 'n', 'f', 'b'],
  softmaxBackward: ['f', 'f', 'n', 'n', 'n', 'f', 'b'], permute: ['f', 's', 's', 'f'],
  copy2d: ['f', 'n', 'n', 'f', 'n', 'n', 'n', 'n'],
  gemm: ['n', 'b', 'b', 'n', 'n', 'n', 'f', 'n', 'f', 'n', 'f', 'n', 'x', 'x'],
  gemmAsync: ['n', 'b', 'b', 'n', 'n', 'n', 'f', 'n', 'f', 'n', 'f', 'n'],
  randUniform: ['f', 'x', 'x'], randNormal: ['f', 'x', 'x'], bernoulli: ['f', 'x', 'x'], randperm: ['i'],
  manualSeed: ['x'], getNumThreads: [], backend: [], setFlushDenormal: ['b'], detachBuffer: ['f'],
  conv2d: ['f', 'f', 'fz', 'p16', 'f'], conv2dBackward: ['f', 'f', 'f', 'p16', 'fz', 'fz', 'fz'], conv2dAlgorithm: ['p16'],
  maxPool2d: ['f', 'p15', 'f', 'iz'], maxPool2dBackward: ['f', 'i', 'n', 'n', 'f'], avgPool2d: ['f', 'p15', 'f'],
  avgPool2dBackward: ['f', 'p15', 'f'], adaptiveAvgPool2d: ['f', 'p5', 'f'], adaptiveAvgPool2dBackward: ['f', 'p5', 'f'],
  adaptiveMaxPool2d: ['f', 'p5', 'f', 'iz'],
  batchNorm: ['f', 'p3', 'fz', 'fz', 'fz', 'fz', 'b', 'x', 'x', 'f', 'f', 'f'],
  batchNormBackward: ['f', 'f', 'p3', 'fz', 'f', 'f', 'b', 'fz', 'fz', 'fz'],
  linear: ['f', 'n', 'n', 'f', 'n', 'fz', 'f'], linearBackward: ['f', 'n', 'n', 'f', 'n', 'f', 'fz', 'fz', 'fz'],
  classLoss: ['op2', 'f', 'n', 'n', 'n', 't', 'fz', 'n', 'x', 'op3', 'i', 'fz', 'f', 'd'],
  classLossBackward: ['op2', 'fz', 'n', 'n', 'n', 'i', 'fz', 'x', 'op3', 'x', 'f', 'f'],
  crossEntropyProbs: ['f', 'f', 'n', 'n', 'n', 'fz', 'x', 'op3', 'f', 'f'],
  crossEntropyProbsBackward: ['f', 'f', 'n', 'n', 'n', 'fz', 'x', 'op3', 'f', 'fz', 'fz'],
  pointwiseLoss: ['op2', 'f', 'f', 'op3', 'f'], pointwiseLossBackward: ['op2', 'f', 'f', 'op3', 'f', 'fz', 'fz'],
  bceWithLogits: ['f', 'f', 'fz', 'fz', 'op3', 'f'], bceWithLogitsBackward: ['f', 'f', 'fz', 'fz', 'op3', 'f', 'fz', 'fz'],
  gatherRows: ['f', 'n', 'n', 'i', 'f'],
  // Dtype-generic ops (ops_dtype.cc): T any typed array, L BigInt64Array of indices, u Uint8Array.
  copyStrided: ['T', 'n', 's', 'T', 'n', 's', 's'], binaryStrided: ['op18', 'T', 'n', 's', 'T', 'n', 's', 'T', 's'],
  unaryTyped: ['op40', 'T', 'T'], reduceTyped: ['op6', 'T', 'n', 'n', 'n', 'T'], cumulative: ['b', 'T', 'n', 'n', 'n', 'T'],
  sort: ['T', 'n', 'n', 'n', 'b', 'b', 'T', 'L'], indexOffsets: ['Ls', 's', 's', 'n', 'L'],
  indexGather: ['T', 'L', 's', 's', 'T'], indexScatter: ['T', 'L', 's', 's', 'T', 'n', 's', 'b'],
  gatherDim: ['T', 's', 'n', 'L', 's', 'T'], scatterDim: ['T', 's', 'n', 'L', 's', 'T', 's', 'x', 'b'],
  where: ['u', 'n', 's', 'T', 'n', 's', 'T', 'n', 's', 'T', 's'], countNonzero: ['u'], nonzero: ['u', 'L'],
  activation: ['op12', 'f', 'f', 'x', 'x'], activationBackward: ['op12', 'f', 'f', 'f', 'x', 'x'],
  prelu: ['f', 'f', 'p3', 'f'], preluBackward: ['f', 'f', 'f', 'p3', 'fz', 'fz'],
  layerNorm: ['f', 'p2', 'fz', 'fz', 'x', 'f', 'f', 'f'], layerNormBackward: ['f', 'f', 'p2', 'fz', 'f', 'f', 'fz', 'fz', 'fz'],
  groupNorm: ['f', 'p4', 'fz', 'fz', 'x', 'f', 'f', 'f'], groupNormBackward: ['f', 'f', 'p4', 'fz', 'f', 'f', 'fz', 'fz', 'fz'],
};
// Not fuzzed: setNumThreads would start up to 1024 threads on a 2-core CI machine (its range check
// is covered by test/robustness/native-bounds.test.ts).
const SKIP = new Set(['setNumThreads']);

function nativeFunctions() {
  return Object.keys(native()).filter((k) => typeof native()[k] === 'function' && !SKIP.has(k)).sort();
}

// One argument of kind `k`, drawing sizes from the case's dim pool so that lengths often agree.
function arg(r, k, pool, tag) {
  const dim = () => r.pick(pool);
  const vol = () => {
    let v = 1;
    for (let j = r.int(0, 4); j > 0; j--) v *= dim();
    return v;
  };
  if (k.startsWith('op')) { const v = r.int(0, Number(k.slice(2)) - 1); tag.push(String(v)); return v; }
  if (k.startsWith('p')) {
    const cnt = Number(k.slice(1));
    const v = Array.from({ length: cnt }, () => (r.chance(0.15) ? r.int(0, 1) : dim()));
    if (r.chance(0.5)) { tag.push(`I32[${v.join(',')}]`); return Int32Array.from(v); }
    tag.push(`[${v.join(',')}]`);
    return v;
  }
  switch (k) {
    case 'f': return f32(r, vol(), tag);
    case 'fz': if (r.chance(0.3)) { tag.push('null'); return null; } return f32(r, vol(), tag);
    case 'i': return i32(r, vol(), dim(), tag);
    case 'iz': if (r.chance(0.3)) { tag.push('null'); return null; } return i32(r, vol(), dim(), tag);
    case 'd': { const n = r.int(0, 3); tag.push(`F64(${n})`); return new Float64Array(n); }
    case 'T': return typed(r, r.int(0, 4), vol());
    case 'L': return I64(vol(), dim() + (r.chance(0.1) ? 1 : 0), r.chance(0.1));
    case 'Ls': return Array.from({ length: r.int(0, 3) }, () => I64(dim(), dim()));
    case 'u': return U8(vol());
    case 't': {
      const n = vol(), hi = dim(), kind = r.int(0, 2);
      const src = i32(r, n, hi, []);
      tag.push(`${['I32', 'F32', 'F64'][kind]}target(${n})`);
      return kind === 0 ? src : kind === 1 ? Float32Array.from(src) : Float64Array.from(src);
    }
    case 'n': { const v = r.chance(0.1) ? 0 : dim(); tag.push(String(v)); return v; }
    case 'x': { const v = r.chance(0.5) ? r.pick([0, 1, 0.5, 0.1, 1e-5, 2]) : r.next() * 4 - 2; tag.push(String(v)); return v; }
    case 'b': { const v = r.chance(0.5); tag.push(String(v)); return v; }
    case 's': {
      const s = Array.from({ length: r.int(0, 4) }, dim);
      tag.push(`[${s.join(', ')}]`);
      return s;
    }
    default: throw new Error(`fuzz: unknown kind ${k}`);
  }
}

// Exactly valid calls, built from small dims, so the fuzzer reaches the kernels; mutate() then
// breaks one or two arguments. Each builder returns the argument list for its function.
const F = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = ((i * 2654435761) % 1000) / 250 - 2; return a; };
const I = (n, hi) => { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = hi > 0 ? (i * 7 + 3) % hi : 0; return a; };
// Any element type the dtype-generic binding accepts: 0 f32, 1 i64, 2 u8 (bool), 3 i32, 4 f64.
const TYPES = [Float32Array, BigInt64Array, Uint8Array, Int32Array, Float64Array];
const typed = (r, type, n) => {
  if (type === 0) return F(n);
  if (type === 1) return I64(n, 7, r.chance(0.1));
  const a = new TYPES[type](n);
  for (let i = 0; i < n; i++) a[i] = type === 2 ? (i * 5) % 3 === 0 ? 1 : 0 : ((i * 2654435761) % 17) - 8;
  return a;
};
// Indices below hi; `evil` puts a few out-of-range or negative ones in.
const I64 = (n, hi, evilValues = false) => {
  const a = new BigInt64Array(n);
  for (let i = 0; i < n; i++) a[i] = BigInt(hi > 0 ? (i * 7 + 3) % hi : 0);
  if (evilValues && n) a[n >> 1] = [-1n, BigInt(hi), -(2n ** 63n), 2n ** 63n - 1n, 2n ** 40n][n % 5];
  return a;
};
const U8 = (n) => { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = (i * 5) % 3 === 0 ? 1 : 0; return a; };
const contiguous = (s) => { const st = new Array(s.length); let v = 1; for (let d = s.length - 1; d >= 0; d--) { st[d] = v; v *= s[d]; } return st; };
const perm = (r, n) => { const p = Array.from({ length: n }, (_, k) => k); for (let k = n - 1; k > 0; k--) { const j = r.int(0, k); [p[k], p[j]] = [p[j], p[k]]; } return p; };
const prod = (s) => s.reduce((a, b) => a * b, 1);
const convParams = (r) => {
  const n = r.int(1, 2), g = r.int(1, 2), c = g * r.int(1, 2), oc = g * r.int(1, 2), kh = r.int(1, 3), kw = r.int(1, 3);
  const sh = r.int(1, 2), sw = r.int(1, 2), dh = r.int(1, 2), dw = r.int(1, 2), ph = r.int(0, 1), pw = r.int(0, 1);
  const h = dh * (kh - 1) + 1 + r.int(0, 4), w = dw * (kw - 1) + 1 + r.int(0, 4);
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return [n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g, oh, ow];
};
const poolParams = (r) => {
  const planes = r.int(1, 3), kh = r.int(1, 3), kw = r.int(1, 3), sh = r.int(1, 2), sw = r.int(1, 2), dh = r.int(1, 2), dw = r.int(1, 2);
  const ph = r.int(0, kh >> 1), pw = r.int(0, kw >> 1);
  const h = dh * (kh - 1) + 1 + r.int(0, 5), w = dw * (kw - 1) + 1 + r.int(0, 5);
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, r.int(0, 1), r.chance(0.2) ? r.int(1, 3) : 0];
};
const shp = (r, min = 0) => Array.from({ length: r.int(min, 4) }, () => r.int(min ? 1 : 0, 4));
// A strided view of shape s: [buffer length, offset, strides], contiguous, transposed or broadcast.
const view = (r, s) => {
  let st = contiguous(s);
  const k = r.int(0, 3);
  if (k === 1 && s.length >= 2) { st = contiguous([...s].reverse()).reverse(); } else if (k === 2) st = st.map((v) => (r.chance(0.5) ? 0 : v));
  const off = r.int(0, 3);
  const last = s.some((d) => d === 0) ? 0 : s.reduce((a, d, j) => a + (d - 1) * st[j], 0) + 1;
  return [off + last, off, st];
};
const BUILD = {
  unary: (r) => { const n = r.int(0, 70); return [r.int(0, 10), F(n), F(n)]; },
  unaryBackward: (r) => { const n = r.int(0, 70); return [r.int(0, 10), F(n), F(n), F(n), F(n)]; },
  binary: (r) => {
    const y = Array.from({ length: r.int(0, 4) }, () => r.int(1, 4));
    const a = y.map((d) => (r.chance(0.3) ? 1 : d)), b = y.slice(r.int(0, y.length)).map((d) => (r.chance(0.3) ? 1 : d));
    return [r.int(0, 12), F(prod(a)), a, F(prod(b)), b, F(prod(y))];
  },
  binarySame: (r) => { const n = r.int(0, 70); return [r.int(0, 12), F(n), F(n), F(n)]; },
  binaryScalar: (r) => { const n = r.int(0, 70); return [r.int(0, 12), F(n), r.next() * 4 - 2, F(n), r.chance(0.5)]; },
  sumTo: (r) => { const g = Array.from({ length: r.int(0, 4) }, () => r.int(1, 4)); const o = g.slice(r.int(0, g.length)).map((d) => (r.chance(0.5) ? 1 : d)); return [F(prod(g)), g, F(prod(o)), o]; },
  reduce: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 9), r.int(0, 4)]; return [r.int(0, 3), F(o * n * i), o, n, i, F(o * i)]; },
  argReduce: (r) => { const [o, n, i] = [r.int(0, 4), r.int(1, 9), r.int(0, 4)]; return [r.chance(0.5), F(o * n * i), o, n, i, F(o * i), I(o * i, 1)]; },
  scatterAlongDim: (r) => { const [o, n, i] = [r.int(0, 4), r.int(1, 5), r.int(0, 4)]; return [F(o * i), I(o * i, n), o, n, i, F(o * n * i)]; },
  softmax: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 9), r.int(1, 4)]; return [F(o * n * i), o, n, i, F(o * n * i), r.chance(0.5)]; },
  softmaxBackward: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 9), r.int(1, 4)]; const v = o * n * i; return [F(v), F(v), o, n, i, F(v), r.chance(0.5)]; },
  permute: (r) => { const s = Array.from({ length: r.int(0, 4) }, () => r.int(1, 4)); return [F(prod(s)), s, perm(r, s.length), F(prod(s))]; },
  copy2d: (r) => {
    const rows = r.int(0, 5), cols = r.int(0, 5), ss = cols + r.int(0, 3), ds = cols + r.int(0, 3), so = r.int(0, 3), dO = r.int(0, 3);
    return [F(so + rows * ss), so, ss, F(dO + rows * ds), dO, ds, rows, cols];
  },
  gemm: (r) => {
    const [b, m, n, k] = [r.int(0, 3), r.int(0, 9), r.int(0, 9), r.int(0, 9)], sa = r.chance(0.3) ? 0 : m * k, sb = r.chance(0.3) ? 0 : k * n;
    return [b, r.chance(0.5), r.chance(0.5), m, n, k, F(Math.max(1, b) * m * k), sa, F(Math.max(1, b) * k * n), sb, F(Math.max(1, b) * m * n), m * n, r.next() * 2, r.next()];
  },
  gemmAsync: (r) => BUILD.gemm(r).slice(0, 12),
  conv2d: (r) => { const p = convParams(r); const [n, c, h, w, oc, kh, kw, , , , , , , g, oh, ow] = p; return [F(n * c * h * w), F(oc * (c / g) * kh * kw), r.chance(0.5) ? F(oc) : null, p, F(n * oc * oh * ow)]; },
  conv2dBackward: (r) => {
    const p = convParams(r); const [n, c, h, w, oc, kh, kw, , , , , , , g, oh, ow] = p;
    const z = (v) => (r.chance(0.3) ? null : F(v));
    return [F(n * c * h * w), F(oc * (c / g) * kh * kw), F(n * oc * oh * ow), p, z(n * c * h * w), z(oc * (c / g) * kh * kw), z(oc)];
  },
  conv2dAlgorithm: (r) => [convParams(r)],
  maxPool2d: (r) => { const p = poolParams(r); return [F(p[0] * p[1] * p[2]), p, F(p[0] * p[3] * p[4]), r.chance(0.5) ? I(p[0] * p[3] * p[4], 1) : null]; },
  maxPool2dBackward: (r) => { const [pl, hw, o] = [r.int(1, 3), r.int(1, 12), r.int(1, 6)]; return [F(pl * o), I(pl * o, hw), pl, hw, F(pl * hw)]; },
  avgPool2d: (r) => { const p = poolParams(r); return [F(p[0] * p[1] * p[2]), p, F(p[0] * p[3] * p[4])]; },
  avgPool2dBackward: (r) => { const p = poolParams(r); return [F(p[0] * p[3] * p[4]), p, F(p[0] * p[1] * p[2])]; },
  adaptiveAvgPool2d: (r) => { const v = [r.int(1, 3), r.int(1, 7), r.int(1, 7), r.int(1, 4), r.int(1, 4)]; return [F(v[0] * v[1] * v[2]), v, F(v[0] * v[3] * v[4])]; },
  adaptiveAvgPool2dBackward: (r) => { const v = [r.int(1, 3), r.int(1, 7), r.int(1, 7), r.int(1, 4), r.int(1, 4)]; return [F(v[0] * v[3] * v[4]), v, F(v[0] * v[1] * v[2])]; },
  adaptiveMaxPool2d: (r) => { const v = [r.int(1, 3), r.int(1, 7), r.int(1, 7), r.int(1, 4), r.int(1, 4)]; return [F(v[0] * v[1] * v[2]), v, F(v[0] * v[3] * v[4]), r.chance(0.5) ? I(v[0] * v[3] * v[4], 1) : null]; },
  batchNorm: (r) => {
    const [n, c, hw] = [r.int(1, 3), r.int(1, 4), r.int(1, 6)], tr = r.chance(0.5), run = !tr || r.chance(0.5);
    return [F(n * c * hw), [n, c, hw], r.chance(0.5) ? F(c) : null, r.chance(0.5) ? F(c) : null, run ? F(c) : null, run ? F(c).map(Math.abs) : null, tr, 0.1, 1e-5, F(n * c * hw), F(c), F(c)];
  },
  batchNormBackward: (r) => {
    const [n, c, hw] = [r.int(1, 3), r.int(1, 4), r.int(1, 6)];
    return [F(n * c * hw), F(n * c * hw), [n, c, hw], r.chance(0.5) ? F(c) : null, F(c), F(c).map(Math.abs), r.chance(0.5), F(n * c * hw), F(c), F(c)];
  },
  linear: (r) => { const [m, i, o] = [r.int(0, 5), r.int(0, 9), r.int(0, 9)]; return [F(m * i), m, i, F(o * i), o, r.chance(0.5) ? F(o) : null, F(m * o)]; },
  linearBackward: (r) => { const [m, i, o] = [r.int(0, 5), r.int(0, 9), r.int(0, 9)]; return [F(m * i), m, i, F(o * i), o, F(m * o), F(m * i), F(o * i), F(o)]; },
  pointwiseLoss: (r) => { const n = r.int(0, 40), red = r.int(0, 2); return [r.int(0, 1), F(n), F(n), red, F(red === 0 ? n : 1)]; },
  pointwiseLossBackward: (r) => { const n = r.int(0, 40), red = r.int(0, 2); return [r.int(0, 1), F(n), F(n), red, F(red === 0 ? n : 1), F(n), F(n)]; },
  bceWithLogits: (r) => { const n = r.int(0, 40), red = r.int(0, 2); return [F(n), F(n).map(Math.abs), r.chance(0.5) ? F(n) : null, null, red, F(red === 0 ? n : 1)]; },
  bceWithLogitsBackward: (r) => { const n = r.int(0, 40), red = r.int(0, 2); return [F(n), F(n), null, r.chance(0.5) ? F(n) : null, red, F(red === 0 ? n : 1), F(n), F(n)]; },
  classLoss: (r) => {
    const [o, c, i] = [r.int(1, 4), r.int(1, 5), r.int(1, 3)], red = r.int(0, 2), mode = r.int(0, 1);
    return [mode, F(o * c * i), o, c, i, I(o * i, c), r.chance(0.5) ? F(c).map(Math.abs) : null, -100, mode ? 0 : r.pick([0, 0.1]), red, new Int32Array(o * i), mode ? null : F(o * c * i), F(red === 0 ? o * i : 1), new Float64Array(1)];
  },
  classLossBackward: (r) => {
    const [o, c, i] = [r.int(1, 4), r.int(1, 5), r.int(1, 3)], red = r.int(0, 2), mode = r.int(0, 1);
    const t = I(o * i, c + 1).map((v) => (v === c ? -1 : v));
    return [mode, mode ? null : F(o * c * i), o, c, i, t, r.chance(0.5) ? F(c).map(Math.abs) : null, mode ? 0 : r.pick([0, 0.1]), red, r.pick([1, 0, 3.5]), F(red === 0 ? o * i : 1), F(o * c * i)];
  },
  crossEntropyProbsBackward: (r) => {
    const [o, c, i] = [r.int(1, 4), r.int(1, 5), r.int(1, 3)], red = r.int(0, 2), v = o * c * i;
    return [F(v), F(v), o, c, i, r.chance(0.5) ? F(c) : null, r.pick([0, 0.2]), red, F(red === 0 ? o * i : 1), r.chance(0.8) ? F(v) : null, r.chance(0.5) ? F(v) : null];
  },
  detachBuffer: (r) => [r.chance(0.8) ? new ArrayBuffer(r.int(0, 64)) : new SharedArrayBuffer(r.int(0, 64))],
  crossEntropyProbs: (r) => { const [o, c, i] = [r.int(1, 4), r.int(1, 5), r.int(1, 3)], red = r.int(0, 2); return [F(o * c * i), F(o * c * i), o, c, i, null, 0, red, F(o * c * i), F(red === 0 ? o * i : 1)]; },
  copyStrided: (r) => {
    const s = shp(r), t = r.int(0, 4), [sv, so, ss] = view(r, s), [dv, dO, ds] = view(r, s);
    return [typed(r, t, sv), so, ss, typed(r, t, dv), dO, ds, s];
  },
  binaryStrided: (r) => {
    const s = shp(r), t = r.int(0, 4), [av, ao, as] = view(r, s), [bv, bo, bs] = view(r, s);
    return [r.int(0, 17), typed(r, t, av), ao, as, typed(r, t, bv), bo, bs, typed(r, r.chance(0.7) ? t : r.int(0, 4), prod(s)), s];
  },
  unaryTyped: (r) => {
    // logicalNot (3) and isnan (16) write bool; the others write the input's type.
    const n = r.int(0, 40), op = r.int(0, 20), t = r.pick([0, 0, 1, 2, 3, 4]);
    return [op, typed(r, t, n), typed(r, r.chance(0.9) ? (op === 3 || op === 16 ? 2 : t) : r.int(0, 4), n)];
  },
  reduceTyped: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 6), r.int(0, 4)], t = r.int(0, 4); return [r.int(0, 5), typed(r, t, o * n * i), o, n, i, typed(r, r.chance(0.7) ? t : r.int(0, 4), o * i)]; },
  cumulative: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 6), r.int(0, 4)], t = r.pick([0, 1]); return [r.chance(0.5), typed(r, t, o * n * i), o, n, i, typed(r, t, o * n * i)]; },
  sort: (r) => { const [o, n, i] = [r.int(0, 4), r.int(0, 9), r.int(0, 4)], t = r.int(0, 4), v = o * n * i; return [typed(r, t, v), o, n, i, r.chance(0.5), r.chance(0.5), typed(r, t, v), new BigInt64Array(v)]; },
  indexOffsets: (r) => {
    const k = r.int(0, 3), m = r.int(0, 6), sizes = Array.from({ length: k }, () => r.int(1, 5));
    return [sizes.map((d) => I64(m, d, r.chance(0.15))), sizes, contiguous(sizes), r.int(0, 3), new BigInt64Array(m)];
  },
  indexGather: (r) => {
    const rows = r.int(1, 5), rs = shp(r), rst = contiguous(rs), row = prod(rs), k = r.int(0, 6), t = r.int(0, 4);
    const offs = I64(k, rows, r.chance(0.15)).map((v) => v * BigInt(row));
    return [typed(r, t, rows * row), offs, rs, rst, typed(r, t, k * row)];
  },
  indexScatter: (r) => {
    const rows = r.int(1, 5), rs = shp(r), rst = contiguous(rs), row = prod(rs), k = r.int(0, 6), t = r.int(0, 4);
    const offs = I64(k, rows, r.chance(0.15)).map((v) => v * BigInt(row));
    return [typed(r, t, rows * row), offs, rs, rst, typed(r, t, k * row), 0, contiguous([k, ...rs]), r.chance(0.5)];
  },
  gatherDim: (r) => {
    const xs = shp(r, 1), dim = r.int(0, xs.length - 1), is = xs.map((d, k) => (k === dim ? r.int(0, 4) : r.int(0, d))), t = r.int(0, 4);
    return [typed(r, t, prod(xs)), xs, dim, I64(prod(is), xs[dim], r.chance(0.15)), is, typed(r, t, prod(is))];
  },
  scatterDim: (r) => {
    const ds = shp(r, 1), dim = r.int(0, ds.length - 1), is = ds.map((d, k) => (k === dim ? r.int(0, 4) : r.int(0, d))), t = r.int(0, 4);
    const src = r.chance(0.7);
    return [typed(r, t, prod(ds)), ds, dim, I64(prod(is), ds[dim], r.chance(0.15)), is, src ? typed(r, t, prod(is)) : null, src ? is : [], r.next(), r.chance(0.5)];
  },
  where: (r) => {
    const s = shp(r), t = r.int(0, 4), [cv, co, cs] = view(r, s), [av, ao, as] = view(r, s), [bv, bo, bs] = view(r, s);
    return [U8(cv), co, cs, typed(r, t, av), ao, as, typed(r, t, bv), bo, bs, typed(r, t, prod(s)), s];
  },
  countNonzero: (r) => [U8(r.int(0, 40))],
  nonzero: (r) => { const x = U8(r.int(0, 40)); return [x, new BigInt64Array(x.reduce((a, b) => a + b, 0))]; },
  activation: (r) => { const n = r.int(0, 70), x = F(n); return [r.int(0, 11), x, r.chance(0.3) ? x : F(n), r.next(), r.next() * 20]; },
  activationBackward: (r) => { const n = r.int(0, 70); return [r.int(0, 11), F(n), F(n), F(n), r.next(), r.next() * 20]; },
  prelu: (r) => { const [o, c, i] = [r.int(0, 3), r.int(0, 4), r.int(0, 4)]; return [F(o * c * i), F(r.chance(0.5) ? 1 : c), [o, c, i], F(o * c * i)]; },
  preluBackward: (r) => { const [o, c, i] = [r.int(0, 3), r.int(0, 4), r.int(0, 4)], w = r.chance(0.5) ? 1 : c; return [F(o * c * i), F(w), F(o * c * i), [o, c, i], r.chance(0.7) ? F(o * c * i) : null, r.chance(0.7) ? F(w) : null]; },
  layerNorm: (r) => { const [m, d] = [r.int(0, 4), r.int(0, 9)]; return [F(m * d), [m, d], r.chance(0.5) ? F(d) : null, r.chance(0.5) ? F(d) : null, 1e-5, F(m * d), F(m), F(m)]; },
  layerNormBackward: (r) => { const [m, d] = [r.int(0, 4), r.int(0, 9)], z = (v) => (r.chance(0.3) ? null : F(v)); return [F(m * d), F(m * d), [m, d], z(d), F(m), F(m).map(Math.abs), z(m * d), z(d), z(d)]; },
  groupNorm: (r) => { const g = r.int(1, 3), [n, c, hw] = [r.int(0, 2), g * r.int(1, 3), r.int(0, 5)]; return [F(n * c * hw), [n, c, hw, g], r.chance(0.5) ? F(c) : null, r.chance(0.5) ? F(c) : null, 1e-5, F(n * c * hw), F(n * g), F(n * g)]; },
  groupNormBackward: (r) => {
    const g = r.int(1, 3), [n, c, hw] = [r.int(0, 2), g * r.int(1, 3), r.int(0, 5)], z = (v) => (r.chance(0.3) ? null : F(v));
    return [F(n * c * hw), F(n * c * hw), [n, c, hw, g], z(c), F(n * g), F(n * g).map(Math.abs), z(n * c * hw), z(c), z(c)];
  },
  gatherRows: (r) => { const [rows, row, k] = [r.int(1, 5), r.int(0, 6), r.int(0, 6)]; return [F(rows * row), rows, row, I(k, rows), F(k * row)]; },
};

function describe(v) {
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (ArrayBuffer.isView(v)) {
    const detached = v.buffer.byteLength === 0 && v.length === 0;
    const shared = typeof SharedArrayBuffer !== 'undefined' && v.buffer instanceof SharedArrayBuffer;
    return `${v.constructor.name}(${v.length}${v.byteOffset ? ` @${v.byteOffset}` : ''}${shared ? ' shared' : ''}${detached ? ' detached?' : ''})`;
  }
  return Object.prototype.toString.call(v);
}

// The same elements on a different backing store, so the call passes the length checks and the
// kernel runs on it: SharedArrayBuffer, an unaligned view inside a larger buffer (odd byte offsets
// are impossible for multi-byte typed arrays, so "unaligned" means not 16/32/64-byte aligned), or a
// detached buffer of the right type.
function rebacked(r, v) {
  const C = v.constructor, bpe = C.BYTES_PER_ELEMENT, k = r.int(0, 2);
  if (k === 0) { const a = new C(new SharedArrayBuffer(v.byteLength)); a.set(v); return a; }
  if (k === 1) { const off = r.int(1, 15); const a = new C(new ArrayBuffer(v.byteLength + bpe * (off + 8)), bpe * off, v.length); a.set(v); return a; }
  const a = new C(v.length); native().detachBuffer(a.buffer); return a;
}

// Breaks one argument of a valid call: hostile value, integer nudged or blown up, wrong length.
const isDetached = (v) => {
  try { v.buffer.slice(0, 0); return false; } catch { return true; }
};
function mutate(r, args) {
  if (!args.length) return;
  const k = r.int(0, args.length - 1), v = args[k];
  if (ArrayBuffer.isView(v) && isDetached(v)) return void (args[k] = evil(r, []));
  const m = r.int(0, 4);
  if (m === 0) args[k] = evil(r, []);
  else if (m === 4 && ArrayBuffer.isView(v)) args[k] = rebacked(r, v);
  else if (typeof v === 'number') args[k] = r.pick([v + 1, v - 1, v * 2, 0, -v, v + 2 ** 32, v * 2 ** 31, v + 0.5]);
  else if (v instanceof Float32Array) args[k] = F(Math.max(0, v.length + r.pick([-1, 1, -v.length, 7])));
  else if (v instanceof Int32Array) {
    const a = Int32Array.from(v);
    if (a.length && r.chance(0.7)) a[r.int(0, a.length - 1)] = r.pick([-1, 2 ** 31 - 1, -(2 ** 31), 100, a.length]);
    args[k] = a;
  } else if (v instanceof BigInt64Array) {
    const a = BigInt64Array.from(v);
    if (a.length && r.chance(0.7)) a[r.int(0, a.length - 1)] = r.pick([-1n, 100n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 50n, BigInt(a.length)]);
    else return void (args[k] = new BigInt64Array(Math.max(0, a.length + r.pick([-1, 1, 5]))));
    args[k] = a;
  } else if (ArrayBuffer.isView(v)) {
    args[k] = r.chance(0.5) ? new v.constructor(Math.max(0, v.length + r.pick([-1, 1, 7]))) : evil(r, []);
  } else if (Array.isArray(v)) {
    const a = v.slice();
    if (a.length && r.chance(0.7)) a[r.int(0, a.length - 1)] = r.pick([0, -1, 2 ** 31, 2 ** 53, NaN, 1.5, 100, 2 ** 16]);
    else a.push(r.int(0, 3));
    args[k] = a;
  } else args[k] = evil(r, []);
}

/** The native case `i`: { fn, args, text } (text is the call, for reports). */
function nativeCase(seed, i) {
  const r = rng(caseSeed(seed, i));
  const fns = nativeFunctions();
  const fn = r.pick(fns);
  const mode = r.next();
  let args;
  if (BUILD[fn] && mode < 0.75) {
    // 25% exactly valid, 50% with one or two arguments broken.
    args = BUILD[fn](r);
    if (mode >= 0.25) for (let j = r.int(1, 2); j > 0; j--) mutate(r, args);
  } else {
    // By signature, with random sizes and hostile replacements.
    const sig = SIGS[fn] || Array.from({ length: r.int(0, 8) }, () => r.pick(['f', 'n', 'x', 'b', 's', 'i']));
    const pool = Array.from({ length: 3 }, () => r.int(1, 5));
    const p = r.chance(0.7) ? 0.12 : 0;
    args = sig.map((k) => (r.chance(p) ? evil(r, []) : arg(r, k, pool, [])));
  }
  if (r.chance(0.03)) args.push(evil(r, []));  // an extra argument
  if (args.length && r.chance(0.03)) args.pop();  // a missing one
  return { fn, args, text: `N.${fn}(${args.map(describe).join(', ')})` };
}

/** Runs one native case; resolves to 'ok' | 'threw' or rejects with a finding message. */
async function runNativeCase(c) {
  let ret;
  try {
    ret = native()[c.fn](...c.args);
    if (ret && typeof ret.then === 'function') await ret;
  } catch (e) {
    if (!(e instanceof Error)) return { kind: 'finding', what: `threw a non-Error: ${String(e)}` };
    // Errors name the op: "torchlet.<op>: ..." from the checked helpers, or "<op>: ..." where the
    // native check mirrors the TS layer's message (index values out of range in ops_dtype.cc).
    if (!/^(torchlet\.)?[A-Za-z0-9]+: /.test(e.message)) return { kind: 'finding', what: `unnamed error ${e.constructor.name}: ${e.message}` };
    return { kind: 'threw' };
  }
  return { kind: 'ok' };
}

// ---- safetensors files ----
function baseFiles() {
  const { torch, io } = lib();
  const t = (data, shape) => new torch.Tensor(Float32Array.from(data), shape);
  return [
    io.encode({ w: t([1, 2, 3, 4, 5, 6], [2, 3]), b: t([0.5, -0.5], [2]) }),
    io.encode({ scalar: t([7], []), empty: t([], [0, 3]) }, { metadata: { format: 'pt', note: 'fuzz' } }),
    io.encode({ 'layer.0.weight': t(Array.from({ length: 24 }, (_, k) => k / 7), [2, 3, 4]) }),
  ];
}
let basesCache = null;

const JSON_EDITS = [
  (s, r) => s.replace(/\d+/, () => String(r.pick(['-1', '1e308', '9007199254740993', '18446744073709551616', '0.5', 'NaN', '']))),
  (s, r) => s.replace(/"F32"/, r.pick(['"F16"', '"BF16"', '"F64"', '"I64"', '"BOOL"', '"U8"', '"Q4"', 'null', '7'])),
  (s, r) => s.replace(/"shape":\[[^\]]*\]/, r.pick(['"shape":[-1]', '"shape":[4294967296,4294967296]', '"shape":"x"', '"shape":[1.5]', '"shape":[1e9,1e9,1e9]', '"shape":[]'])),
  (s, r) => s.replace(/"data_offsets":\[[^\]]*\]/, r.pick(['"data_offsets":[0,4294967296]', '"data_offsets":[8,0]', '"data_offsets":[-4,0]', '"data_offsets":[0]', '"data_offsets":null', '"data_offsets":[0,1e400]'])),
  (s) => s.replace(/"__metadata__":\{/, '"__metadata__":{"k":{},'),
  (s) => s.slice(0, Math.max(1, s.length - 3)),
  (s) => `${s.slice(0, -1)},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
  (s) => s.replace(/\{/, '{"__proto__":{"dtype":"F32"},'),
];

/** The file case `i`: { buf, text }. */
function fileCase(seed, i) {
  const r = rng(caseSeed(seed, i) ^ 0x5afe);
  if (!basesCache) basesCache = baseFiles();
  const base = r.pick(basesCache);
  let buf = Buffer.from(base);
  const edits = [];
  for (let e = r.int(1, 3); e > 0; e--) {
    const kind = r.int(0, 6);
    if (kind === 0) {  // bit flips
      for (let j = r.int(1, 8); j > 0; j--) { const at = r.int(0, buf.length - 1); buf[at] ^= 1 << r.int(0, 7); }
      edits.push('flip');
    } else if (kind === 1) {
      const n = r.int(0, buf.length - 1);
      buf = buf.subarray(0, n);
      edits.push(`truncate(${n})`);
    } else if (kind === 2) {
      buf = Buffer.concat([buf, Buffer.alloc(r.int(1, 64), r.int(0, 255))]);
      edits.push('extend');
    } else if (kind === 3 && buf.length >= 8) {  // header length field
      const v = r.pick([0, 1, 7, 2 ** 32 - 1, 2 ** 32, 2 ** 53, buf.length, buf.length - 8, buf.length - 7, 100 * 1024 * 1024 + 1]);
      buf = Buffer.from(buf);
      buf.writeUInt32LE(v % 2 ** 32, 0);
      buf.writeUInt32LE(Math.floor(v / 2 ** 32) % 2 ** 32, 4);
      edits.push(`headerLen(${v})`);
    } else if (buf.length >= 8) {  // rewrite the JSON header
      const n = Number(buf.readBigUInt64LE(0));
      if (n <= buf.length - 8) {
        const json = buf.subarray(8, 8 + n).toString('utf8');
        const edited = r.pick(JSON_EDITS)(json, r);
        const head = Buffer.from(edited, 'utf8');
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(head.length));
        buf = Buffer.concat([len, head, buf.subarray(8 + n)]);
        edits.push('json');
      }
    }
  }
  // Sometimes hand the loader an unaligned view into a larger buffer, as a file read into a pool might be.
  if (r.chance(0.2)) {
    const off = r.int(1, 7);
    const big = Buffer.alloc(buf.length + off);
    buf.copy(big, off);
    buf = big.subarray(off);
    edits.push(`unaligned(+${off})`);
  }
  return { buf, kind: 'safetensors', text: `safetensors ${basesCache.indexOf(base)} ${edits.join(' ')}` };
}

// ---- .pth (zip + pickle) files ----
// test/io/fuzz.test.ts already flips bytes of whole files and of data.pkl in process; these cases
// aim at what those rarely reach: integers inside the pickle (where shapes, strides, storage offsets
// and sizes live) rewritten to hostile values with a valid re-encoding, storage dtype names swapped,
// storage files shortened, lengthened or dropped, all re-zipped with valid CRCs, in a child process.
const PTH_BASES = ['bn_net.pth', 'views.pth', 'checkpoint.pth', 'dtypes.pth', 'legacy.pth'];
let pthCache = null;
function pthBases() {
  if (pthCache) return pthCache;
  lib();  // installs the .ts loader
  const { ZipReader } = require(path.join(ROOT, 'lib', 'io', 'zip.ts'));
  pthCache = PTH_BASES.map((f) => {
    const buf = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'io', f));
    let entries = null;
    try {
      const z = new ZipReader(buf, (m) => { throw new Error(m); });
      entries = [...z.entries.keys()].map((name) => ({ name, data: Buffer.from(z.read(name)) }));
    } catch { /* legacy (non-zip) format: byte mutations only */ }
    return { name: f, buf, entries };
  });
  return pthCache;
}

const HOSTILE_INTS = [-1, 0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 1, 2 ** 62, -(2 ** 62), 2 ** 63 - 1, 7, 1e6];
// A pickle integer opcode encoding v: BININT1 K, BININT2 M, BININT J, or LONG1 (8 bytes).
function pickleInt(v) {
  if (v >= 0 && v < 256) return Buffer.from([0x4b, v]);
  if (v >= 0 && v < 65536) return Buffer.from([0x4d, v & 255, v >> 8]);
  if (v >= -(2 ** 31) && v < 2 ** 31) { const b = Buffer.alloc(5); b[0] = 0x4a; b.writeInt32LE(v, 1); return b; }
  const b = Buffer.alloc(10); b[0] = 0x8a; b[1] = 8; b.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)), 2); return b;
}
// Rewrites the n-th BININT1/BININT2/BININT in a pickle. The scan is heuristic (an argument byte can
// look like an opcode), which is fine: a wrong guess is one more mutation.
function rewriteInt(pkl, r) {
  const at = [];
  for (let i = 0; i < pkl.length; i++) if (pkl[i] === 0x4b || pkl[i] === 0x4d || pkl[i] === 0x4a) at.push(i);
  if (!at.length) return pkl;
  const i = r.pick(at), w = pkl[i] === 0x4b ? 2 : pkl[i] === 0x4d ? 3 : 5;
  return Buffer.concat([pkl.subarray(0, i), pickleInt(r.pick(HOSTILE_INTS)), pkl.subarray(i + w)]);
}
const STORAGE_NAMES = ['FloatStorage', 'LongStorage', 'HalfStorage', 'BFloat16Storage', 'BoolStorage', 'ByteStorage', 'IntStorage', 'DoubleStorage', 'ComplexFloatStorage', 'QInt8Storage'];

function pthCase(seed, i) {
  const r = rng(caseSeed(seed, i) ^ 0x9e37);
  const base = r.pick(pthBases());
  const edits = [];
  if (!base.entries || r.chance(0.1)) {
    const b = Buffer.from(base.buf);
    for (let j = r.int(1, 6); j > 0; j--) b[r.int(0, b.length - 1)] ^= 1 << r.int(0, 7);
    return { buf: b, kind: 'pth', text: `pth ${base.name} flip` };
  }
  let entries = base.entries.map((e) => ({ name: e.name, data: e.data }));
  for (let e = r.int(1, 3); e > 0; e--) {
    const kind = r.int(0, 5);
    const pk = entries.findIndex((x) => x.name.endsWith('data.pkl'));
    const stor = entries.map((x, k) => (/\/data\/\d+$/.test(x.name) ? k : -1)).filter((k) => k >= 0);
    if (kind <= 1 && pk >= 0) {
      entries[pk] = { name: entries[pk].name, data: rewriteInt(entries[pk].data, r) };
      edits.push('int');
    } else if (kind === 2 && pk >= 0) {
      const txt = entries[pk].data.toString('latin1');
      const from = STORAGE_NAMES.filter((n) => txt.includes(n));
      if (from.length) {
        const a = r.pick(from), b = r.pick(STORAGE_NAMES);
        entries[pk] = { name: entries[pk].name, data: Buffer.from(txt.replace(a, b), 'latin1') };
        edits.push(`${a}->${b}`);
      }
    } else if (kind === 3 && stor.length) {
      const k = r.pick(stor), d = entries[k].data;
      const n = r.pick([0, 1, d.length >> 1, Math.max(0, d.length - 1), d.length + 1, d.length * 2 + 3]);
      const nd = Buffer.alloc(n); d.copy(nd, 0, 0, Math.min(n, d.length));
      entries[k] = { name: entries[k].name, data: nd };
      edits.push(`storage(${d.length}->${n})`);
    } else if (kind === 4 && stor.length) {
      const k = r.pick(stor);
      edits.push(`drop(${entries[k].name.split('/').pop()})`);
      entries = entries.filter((_, j) => j !== k);
    } else if (pk >= 0) {  // a few random bytes inside the pickle
      const d = Buffer.from(entries[pk].data);
      for (let j = r.int(1, 3); j > 0; j--) d[r.int(0, d.length - 1)] = r.int(0, 255);
      entries[pk] = { name: entries[pk].name, data: d };
      edits.push('pklbytes');
    }
  }
  const { writeZip } = require(path.join(ROOT, 'lib', 'io', 'zip.ts'));
  return { buf: writeZip(entries), kind: 'pth', text: `pth ${base.name} ${edits.join(' ')}` };
}

const INTERNAL = /Cannot read propert|is not a function|is not iterable|Maximum call stack|Invalid typed array length|Array buffer allocation failed|Offset is outside the bounds/;

// Reads every element of every tensor found, so a tensor whose view lies outside its storage
// would show up as a wrong read (or a crash) rather than pass unnoticed.
function touch(v, seen = new Set()) {
  const { torch } = lib();
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof torch.Tensor) {
    const d = v.contiguous()._data();
    let acc = 0;
    for (let k = 0; k < d.length; k++) acc += typeof d[k] === 'bigint' ? Number(d[k] & 1n) : Number(d[k]) || 0;
    return acc;
  }
  for (const x of v instanceof Map ? v.values() : Object.values(v)) touch(x, seen);
}

async function runFileCase(c) {
  const { torch, io } = lib();
  try {
    if (c.kind === 'pth') touch(torch.load(c.buf));
    else touch(io.decode(c.buf).tensors);
  } catch (e) {
    if (!(e instanceof Error)) return { kind: 'finding', what: `threw a non-Error: ${String(e)}` };
    if (INTERNAL.test(e.message) || !/torch\.load|safetensors/.test(e.message)) return { kind: 'internal', what: `${e.constructor.name}: ${e.message}` };
    return { kind: 'threw' };
  }
  return { kind: 'ok' };
}

const TARGETS = {
  native: { make: nativeCase, run: runNativeCase },
  // One stream of cases over both formats: even cases safetensors, odd ones .pth.
  files: { make: (seed, i) => (i % 2 ? pthCase(seed, i) : fileCase(seed, i)), run: runFileCase },
};

module.exports = { TARGETS, rng, caseSeed, nativeFunctions, SIGS, SKIP };
