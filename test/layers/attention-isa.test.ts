/**
 * The fused attention kernel (its dot products go through the per-ISA sgemm_dot) on every ISA
 * path this machine supports (TORCHLET_ISA forces one per child process) agrees with the portable
 * scalar path, which attention-sdpa.test.ts checks against PyTorch.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import { native } from '../../lib/native';
import { expectClose } from '../helpers/close';

const script = join(__dirname, 'attention-isa-child.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, TORCHLET_ISA: isa }, maxBuffer: 1 << 26 })
    .toString()) as { isa: string; results: Record<string, number[]> };

const supported: string[] = (native as any).backend().isaSupported.filter((i: string) => i !== 'neon');

describe('attention kernel: every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run used the scalar kernels', () => expect(scalar.isa).toBe('scalar'));
  for (const isa of supported.filter((i) => i !== 'scalar')) {
    test(isa, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      // Only the summation order of the dot products differs.
      for (const [k, ref] of Object.entries(scalar.results)) expectClose(r.results[k], ref, 1e-5, 1e-6, k);
    });
  }
});
