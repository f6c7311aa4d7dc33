/**
 * The activation kernels on every ISA path this machine supports (TORCHLET_ISA forces one per
 * child process) agree with the portable scalar path, which layers.test.ts checks against PyTorch.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import { native } from '../../lib/native';
import { expectClose } from '../helpers/close';

const script = join(__dirname, 'isa-child.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, TORCHLET_ISA: isa }, maxBuffer: 1 << 26 })
    .toString()) as { isa: string; results: Record<string, number[]> };

const supported: string[] = (native as any).backend().isaSupported.filter((i: string) => i !== 'neon');

describe('activation kernels: every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run used the scalar kernels', () => expect(scalar.isa).toBe('scalar'));
  for (const isa of supported.filter((i) => i !== 'scalar')) {
    test(isa, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      // FMA contraction changes the last bits of the polynomials; where 1 + erf(x) cancels
      // (GELU at x < -5) that is ~3e-7 absolute: the same 1e-6 floor the PyTorch comparison uses.
      for (const [k, ref] of Object.entries(scalar.results)) expectClose(r.results[k], ref, 1e-6, 1e-6, k);
    });
  }
});
