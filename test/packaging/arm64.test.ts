/**
 * Run by `npm run test:arm64` only (scripts/prebuild-arm64.js sets TORCHLET_EXPECT_ARCH): proves the
 * subset really ran on an arm64 Node, with the cross-built prebuild, on the NEON kernels; and that
 * prebuild's load-time needs stay within glibc 2.28 / GCC 8 like the x64 one (pack.test.ts).
 */
import { join } from 'path';
import * as torch from '../../lib';
import { loadNeeds, maxVersions, tooNew } from './symbol-versions';

const root = join(__dirname, '..', '..');
const active = process.env.TORCHLET_EXPECT_ARCH === 'arm64';

(active ? describe : describe.skip)('linux-arm64 prebuild under qemu-user', () => {
  test('this is an arm64 Node and the addon came from prebuilds/linux-arm64', () => {
    expect(process.arch).toBe('arm64');
    // lib/native.ts loads what node-gyp-build resolves for the package root
    const resolve = (require('node-gyp-build') as { resolve(dir: string): string }).resolve;
    expect(resolve(root)).toBe(join(root, 'prebuilds', 'linux-arm64', 'torchlet.glibc.node'));
  });

  test('NEON is detected and is the default kernel path', () => {
    const b = torch.backend();
    expect(b.isaSupported).toEqual(['scalar', 'neon']);
    expect(b.isa).toBe('neon');
  });

  test('a NEON matmul and conv give the exact small-integer results', () => {
    const y = torch.ones(5, 17).matmul(torch.ones(17, 3));
    expect(Array.from(y.storage)).toEqual(new Array(15).fill(17));
    const x = torch.ones(1, 2, 5, 5);
    const w = torch.ones(3, 2, 3, 3);
    const c = torch.nn.functional.conv2d(x, w, undefined, { padding: 1 });
    expect(c.shape).toEqual([1, 3, 5, 5]);
    expect(c.storage[0]).toBe(8);    // corner: 2 channels x 2x2 window
    expect(c.storage[12]).toBe(18);  // centre: 2 channels x 3x3 window
  });

  test('the arm64 prebuild needs at most GLIBC_2.28 and no libstdc++ (objdump -T)', () => {
    const needs = loadNeeds(join(root, 'prebuilds', 'linux-arm64', 'torchlet.glibc.node'));
    console.log(`prebuilds/linux-arm64: needs ${JSON.stringify(maxVersions(needs))}, NEEDED ${needs.needed.join(' ')}`);
    expect(tooNew(needs)).toEqual([]);
    expect(needs.versions.GLIBCXX).toBeUndefined();
    expect(needs.versions.CXXABI).toBeUndefined();
  });
});
