/**
 * Conv1d and ConvTranspose2d run on the conv2d kernels, whose GEMM and dot-product kernels have a
 * path per ISA: on every path this machine supports (TORCHLET_ISA forces one per child process)
 * they agree with the portable scalar path, which conv-extra.test.ts checks against PyTorch.
 * (The interpolation kernels, native/core/interpolate.cc, have one portable path only.)
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import { native } from '../../lib/native';
import { conv1dParams, convTranspose2dParams } from '../../lib/functional/conv-extra';
import { expectClose } from '../helpers/close';

const FIX = join(__dirname, '..', 'fixtures', 'layers-conv');
const load = (name: string) => JSON.parse(readFileSync(join(FIX, name), 'utf8')).cases;
const T = (v: ArrayLike<number>, shape: readonly number[]) => new Tensor(Float32Array.from(v), shape);

interface Job { name: string; kind: string; x: number[]; w: number[]; b: number[] | null; gy: number[]; params: number[]; outLen: number }

function job(name: string, kind: 'conv1d' | 'convTranspose2d', x: Tensor, w: Tensor, b: Tensor | null, opts: any): Job {
  const { params, outShape } = kind === 'conv1d' ? conv1dParams(x, w, opts) : convTranspose2dParams(x, w, opts);
  const outLen = outShape.reduce((a, v) => a * v, 1);
  const gy = torch.randn(outLen);
  return {
    name, kind, x: Array.from(x.storage), w: Array.from(w.storage), b: b ? Array.from(b.storage) : null,
    gy: Array.from(gy.storage), params: Array.from(params), outLen,
  };
}

function jobs(): Job[] {
  torch.manualSeed(77);
  const out: Job[] = [];
  load('conv1d.json').forEach((c: any, i: number) =>
    out.push(job(`conv1d ${i}`, 'conv1d', T(c.x, c.xShape), T(c.w, c.wShape), c.b ? T(c.b, [c.b.length]) : null, c.opts)));
  load('conv_transpose2d.json').forEach((c: any, i: number) =>
    out.push(job(`convT ${i}`, 'convTranspose2d', T(c.x, c.xShape), T(c.w, c.wShape), c.b ? T(c.b, [c.b.length]) : null, c.opts)));
  // Sizes where the vector kernels run full-width blocks.
  out.push(job('conv1d wide', 'conv1d', torch.randn(2, 32, 67), torch.randn(48, 32, 5), torch.randn(48), { padding: 2 }));
  out.push(job('convT wide s2', 'convTranspose2d', torch.randn(2, 32, 9, 9), torch.randn(32, 24, 4, 4), torch.randn(24),
    { stride: 2, padding: 1 }));
  out.push(job('convT wide s1', 'convTranspose2d', torch.randn(2, 32, 9, 9), torch.randn(32, 24, 3, 3), null, { padding: 1 }));
  return out;
}

const input = JSON.stringify(jobs());
const script = join(__dirname, 'conv-isa-child.js');
const run = (isa: string) =>
  JSON.parse(execFileSync(process.execPath, [script], { input, env: { ...process.env, TORCHLET_ISA: isa }, maxBuffer: 1 << 27 })
    .toString()) as { isa: string; results: Record<string, Record<string, number[] | null>> };

const supported: string[] = (native as any).backend().isaSupported.filter((i: string) => i !== 'neon');

describe('conv1d / convTranspose2d: every ISA path matches the scalar path', () => {
  const scalar = run('scalar');
  test('the scalar run used the scalar kernels', () => expect(scalar.isa).toBe('scalar'));
  for (const isa of supported.filter((i) => i !== 'scalar')) {
    test(isa, () => {
      const r = run(isa);
      expect(r.isa).toBe(isa);
      // Different summation orders (vector lanes, FMA) of sums of up to 800 products: float rounding.
      for (const [k, ref] of Object.entries(scalar.results)) {
        for (const f of ['out', 'gx', 'gw', 'gb']) {
          if (ref[f]) expectClose(r.results[k][f]!, ref[f]!, 1e-5, 1e-5, `${k} ${f}`);
        }
      }
    });
  }
});
