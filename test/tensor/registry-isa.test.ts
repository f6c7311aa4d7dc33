/**
 * The cross-ISA check the registry drives: every registered unary op, forward and backward, under
 * each ISA this machine supports (TORCHLET_ISA per child process) agrees with the scalar path. A
 * new registry entry is covered without being listed here.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import '../../lib';  // loads the package first (the registry module is part of its import graph)
import { native } from '../../lib/native';
import { registeredUnaryOps } from '../../lib/ops/unary-registry';

const script = join(__dirname, 'registry-isa-child.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, TORCHLET_ISA: isa }, maxBuffer: 1 << 26 })
    .toString()) as { isa: string; results: Record<string, number[]> };

describe('unary registry: every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run covered every registered op', () => {
    expect(scalar.isa).toBe('scalar');
    const names = registeredUnaryOps().flatMap((op) => [`${op.def.name}.fwd`, `${op.def.name}.grad`]);
    expect(Object.keys(scalar.results)).toEqual(names);
  });
  for (const isa of native.backend().isaSupported.filter((i) => i !== 'scalar')) {
    test(isa, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      expect(Object.keys(r.results)).toEqual(Object.keys(scalar.results));
      for (const [k, ref] of Object.entries(scalar.results)) {
        const got = r.results[k];
        expect(got.length).toBe(ref.length);
        // The backward's products run through the per-ISA binary kernels (FMA contraction differs).
        for (let i = 0; i < ref.length; i++) {
          const tol = 4e-7 * Math.abs(ref[i]) + 1e-7;
          if (!(Math.abs(got[i] - ref[i]) <= tol)) throw new Error(`${isa} ${k}[${i}] = ${got[i]}, scalar gives ${ref[i]}`);
        }
      }
    });
  }
});
