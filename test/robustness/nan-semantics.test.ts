/**
 * NaN, infinities, signed zeros and denormals through every SIMD path (issue 14 item 5: relu(NaN)
 * gave 0 and tanh(NaN) gave 1 on every ISA). The expected values are PyTorch 1.13's
 * (scripts/fixtures/gen_robustness.py); each ISA this CPU supports runs in its own child process
 * (TORCHLET_ISA). Special values must match exactly (NaN is NaN, infinities and the sign of zero
 * agree), finite values to float32 rounding.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { native } from '../../lib/native';

type Enc = number | string;
const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'robustness', 'nan.json'), 'utf8'));
const dec = (v: Enc): number =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === '-0' ? -0 : (v as number);

const expected: Record<string, Enc[]> = {};
for (const [k, v] of Object.entries(fx.unary as Record<string, Enc[]>)) expected[`unary.${k}`] = v;
for (const k of ['relu_backward', 'maximum', 'minimum', 'row_max', 'row_min', 'col_max', 'col_min', 'softmax', 'log_softmax'])
  expected[k] = fx[k];
expected.maximum_bcast = fx.maximum;
expected.minimum_bcast = fx.minimum;
for (const [k, v] of Object.entries(fx.activation as Record<string, { out: Enc[]; grad: Enc[] }>)) {
  expected[`activation.${k}`] = v.out;
  expected[`activation.${k}.grad`] = v.grad;
}
for (const k of ['pool2', 'pool3']) {
  expected[`${k}.out`] = fx[k].out;
  expected[`${k}.idx`] = fx[k].idx;
}

// Float32 rounding of the result, plus 4 units of the smallest denormal so denormal results count.
// log_softmax is x - logsumexp with |x| up to 100: its absolute error is ~eps * 100.
const DENORM = 4 * 2 ** -149;
// The activation kernels (polynomial exp/erf/tanh) get test/layers/layers.test.ts's tolerance for
// finite values (RTOL 1.6e-5, ATOL 2e-6) and their zeros are compared by value, not sign; NaN and
// infinities must still match exactly, which is what this file is about.
const ACT_TOL = { rel: 2e-6 * 8, abs: 2e-6, signedZero: false };
function mismatches(got: Enc[], want: Enc[], abs = 0, tol = { rel: 1e-6, abs: 0, signedZero: true }): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = dec(got[i]), w = dec(want[i]);
    const ok = Number.isNaN(w) ? Number.isNaN(g)
      : !Number.isFinite(w) ? Object.is(g, w)
      : w === 0 && tol.signedZero ? Object.is(g, w)
      : Math.abs(g - w) <= tol.rel * Math.abs(w) + DENORM + abs + tol.abs;
    if (!ok) bad.push(`[${i}]: got ${got[i]}, PyTorch ${want[i]}`);
  }
  return bad;
}

const isas: string[] = native.backend().isaSupported;

describe.each(isas)('NaN semantics on %s', (isa) => {
  const r = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'nan-child.js')], {
    env: { ...process.env, TORCHLET_ISA: isa },
  }).toString()) as { isa: string; results: Record<string, Enc[]> };
  test('the child ran the requested ISA', () => expect(r.isa).toBe(isa));
  test.each(Object.keys(expected))('%s matches PyTorch', (k) => {
    expect(r.results[k]).toHaveLength(expected[k].length);
    expect(mismatches(r.results[k], expected[k], k === 'log_softmax' ? 1e-5 : 0, k.startsWith('activation.') ? ACT_TOL : undefined)).toEqual([]);
  });
});
