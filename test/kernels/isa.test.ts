/**
 * Every nn kernel on every ISA path this machine supports (TORCHLET_ISA forces one per child
 * process) agrees with the portable scalar path; the scalar path itself is checked against the JS
 * reference (test/kernels/reference.test.ts) and PyTorch (fixtures.test.ts).
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import { native } from '../../lib/native';

const script = join(__dirname, 'isa-child.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, TORCHLET_ISA: isa }, maxBuffer: 1 << 28 })
    .toString()) as { isa: string; results: Record<string, number[]> };

const supported = native.backend().isaSupported;

describe('nn kernels: every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run used the scalar kernels', () => expect(scalar.isa).toBe('scalar'));
  for (const isa of supported.filter((i) => i !== 'scalar')) {
    test(isa, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      expect(Object.keys(r.results)).toEqual(Object.keys(scalar.results));
      for (const [k, ref] of Object.entries(scalar.results)) {
        const got = r.results[k];
        expect(got.length).toBe(ref.length);
        if (k.endsWith('_idx')) {
          expect([k, got]).toEqual([k, ref]);
          continue;
        }
        // Reductions of length K in a different order: error grows ~ sqrt(K) * eps * sum|terms|.
        let scale = 0;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < ref.length; i++) {
          const tol = 1e-5 * Math.abs(ref[i]) + 2e-6 * Math.max(1, scale);
          if (!(Math.abs(got[i] - ref[i]) <= tol)) throw new Error(`${isa} ${k}[${i}] = ${got[i]}, scalar gives ${ref[i]}`);
        }
      }
    });
  }
});
