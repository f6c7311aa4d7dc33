/**
 * Runtime CPU dispatch: the same kernels run under every ISA this machine supports
 * (TORCHLET_ISA forces one at load, so each runs in its own process) and must agree with the
 * portable scalar path within float tolerance.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import * as torch from '../../lib';

const script = join(__dirname, '..', 'scripts', 'tensor-kernels.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, TORCHLET_ISA: isa } }).toString()) as {
    isa: string;
    results: Record<string, number[]>;
  };

const supported = torch.backend().isaSupported;

describe('every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run really used the scalar kernels', () => {
    expect(scalar.isa).toBe('scalar');
  });
  for (const isa of supported.filter((i) => i !== 'scalar')) {
    test(`${isa}`, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      for (const [k, ref] of Object.entries(scalar.results)) {
        const got = r.results[k];
        expect(got.length).toBe(ref.length);
        for (let i = 0; i < ref.length; i++) {
          const e = ref[i], v = got[i];
          if (Number.isNaN(e) || e === null) {
            expect([k, i, v === null || Number.isNaN(v)]).toEqual([k, i, true]);
            continue;
          }
          const tol = 2e-6 + 1e-5 * Math.abs(e) + (k.startsWith('gemm') ? 1e-5 * Math.sqrt(ref.length) : 0);
          if (Math.abs(v - e) > tol) throw new Error(`${isa} ${k}[${i}] = ${v}, scalar gives ${e}`);
        }
      }
    });
  }

  test('an unsupported or unknown TORCHLET_ISA is reported, not fatal', () => {
    const out = execFileSync(process.execPath, ['-e', "console.log(JSON.stringify(require('node-gyp-build')(process.argv[1]).backend()))", join(__dirname, '..', '..')],
      { env: { ...process.env, TORCHLET_ISA: 'sse9' } }).toString();
    const b = JSON.parse(out);
    expect(b.isaNote).toMatch(/TORCHLET_ISA='sse9' is not one of/);
    expect(b.isa).toBe(b.isaDetected);
  });
});
