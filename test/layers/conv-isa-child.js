// Child of conv-isa.test.ts: reads jobs (conv1d via conv2d, convTranspose2d) as JSON on stdin,
// runs each forward and backward with the ISA forced by TORCHLET_ISA, prints the results as JSON.
const { readFileSync } = require('fs');
const { join } = require('path');
const native = require('node-gyp-build')(join(__dirname, '..', '..'));

const jobs = JSON.parse(readFileSync(0, 'utf8'));
const f32 = (v) => Float32Array.from(v);
const results = {};
for (const j of jobs) {
  const x = f32(j.x), w = f32(j.w), b = j.b ? f32(j.b) : null, gy = f32(j.gy), p = Int32Array.from(j.params);
  const out = new Float32Array(j.outLen), gx = new Float32Array(x.length), gw = new Float32Array(w.length);
  const gb = b ? new Float32Array(b.length) : null;
  if (j.kind === 'conv1d') {
    native.conv2d(x, w, b, p, out);
    native.conv2dBackward(x, w, gy, p, gx, gw, gb);
  } else {
    native.convTranspose2d(x, w, b, p, out);
    native.convTranspose2dBackward(x, w, gy, p, gx, gw, gb);
  }
  results[j.name] = { out: Array.from(out), gx: Array.from(gx), gw: Array.from(gw), gb: gb ? Array.from(gb) : null };
}
process.stdout.write(JSON.stringify({ isa: native.backend().isa, results }));
