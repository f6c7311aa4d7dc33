// Child of attention-isa.test.ts: the fused attention forward and backward on the sdpa fixture's
// multi-tile cases with the ISA forced by TORCHLET_ISA; prints the results as JSON.
const { readFileSync } = require('fs');
const { join } = require('path');
const native = require('node-gyp-build')(join(__dirname, '..', '..'));

const cases = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'attention', 'sdpa.json'), 'utf8')).cases;
const f = (t) => Float32Array.from(t.data.map(Number));
const results = {};
for (const c of cases.filter((x) => x.name.startsWith('several tiles'))) {
  const q = f(c.q), k = f(c.k), v = f(c.v), gy = f(c.gy);
  const [l, e] = c.q.shape.slice(-2), [s, ev] = c.v.shape.slice(-2);
  const batch = q.length / (l * e);
  let mask = null;
  if (c.mask) mask = Float32Array.from(c.mask.data, (b) => (b ? 0 : -Infinity));
  const geom = [batch, l, s, e, ev, mask ? 1 : 0, l];
  const out = new Float32Array(batch * l * ev), lse = new Float32Array(batch * l);
  const gq = new Float32Array(q.length), gk = new Float32Array(k.length), gv = new Float32Array(v.length);
  const sc = 1 / Math.sqrt(e);
  // Dropout too: the kept weights must not depend on the ISA.
  native.attention(q, k, v, mask, geom, sc, c.causal, 0.2, 12, 34, out, lse);
  native.attentionBackward(q, k, v, mask, geom, sc, c.causal, 0.2, 12, 34, out, lse, gy, gq, gk, gv);
  Object.assign(results, { [`${c.name} out`]: Array.from(out), [`${c.name} gq`]: Array.from(gq), [`${c.name} gk`]: Array.from(gk), [`${c.name} gv`]: Array.from(gv) });
}
process.stdout.write(JSON.stringify({ isa: native.backend().isa, results }));
