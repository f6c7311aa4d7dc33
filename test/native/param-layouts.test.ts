/**
 * The params arrays of the nn binding have one index: the addon's `paramLayouts`. lib packs by
 * name from it; these tests pin the TypeScript key types to it (a field added on one side only
 * fails here) and check that packed params reach the right native fields.
 */
import { native } from '../../lib/native';
import { nnNative, packParams, ParamLayouts } from '../../lib/native-nn';

const layouts = (native as unknown as { paramLayouts: Record<keyof ParamLayouts, readonly string[]> }).paramLayouts;

// Exactly the key types of ParamLayouts (tsc rejects a missing or an extra key).
const conv: Record<ParamLayouts['conv2d'], true> = {
  n: true, c: true, h: true, w: true, oc: true, kh: true, kw: true, sh: true, sw: true, ph: true, pw: true, dh: true,
  dw: true, groups: true, oh: true, ow: true,
};
const pool: Record<ParamLayouts['pool2d'], true> = {
  planes: true, h: true, w: true, oh: true, ow: true, kh: true, kw: true, sh: true, sw: true, ph: true, pw: true,
  dh: true, dw: true, count_include_pad: true, divisor_override: true,
};
const adaptive: Record<ParamLayouts['adaptivePool2d'], true> = { planes: true, h: true, w: true, oh: true, ow: true };

describe('native params layouts', () => {
  test.each([
    ['conv2d', conv],
    ['pool2d', pool],
    ['adaptivePool2d', adaptive],
  ] as const)('%s: the TypeScript keys are the addon\'s names', (name, keys) => {
    expect([...layouts[name]].sort()).toEqual(Object.keys(keys).sort());
    expect(Object.isFrozen(layouts[name])).toBe(true);
  });

  test('packed by name, conv params reach the right fields', () => {
    const base = { n: 1, c: 8, h: 9, w: 9, oc: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 9, ow: 9 };
    // groups == channels selects the depthwise kernel; groups 1 the general one.
    expect(nnNative.conv2dAlgorithm(packParams('conv2d', { ...base, groups: 8 }))).toBe('depthwise');
    expect(nnNative.conv2dAlgorithm(packParams('conv2d', { ...base, groups: 1 }))).toBe('im2col');
    // A 1x1 kernel, no padding: the GEMM path.
    expect(nnNative.conv2dAlgorithm(packParams('conv2d', { ...base, kh: 1, kw: 1, ph: 0, pw: 0, groups: 1 }))).toBe('gemm1x1');
    // The native re-check names the field it got: kernel height from kh.
    expect(() => nnNative.conv2dAlgorithm(packParams('conv2d', { ...base, kh: 0, groups: 1 }))).toThrow(/kernel height must be positive/);
  });

  test('packed by name, pool params reach the right fields', () => {
    const p = { planes: 1, h: 4, w: 4, oh: 2, ow: 2, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 };
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    const y = new Float32Array(4);
    nnNative.maxPool2d(x, packParams('pool2d', { ...p, count_include_pad: 0, divisor_override: 0 }), y, null);
    expect(Array.from(y)).toEqual([5, 7, 13, 15]);
    // divisor_override reaches the average: sums / 2.
    nnNative.avgPool2d(x, packParams('pool2d', { ...p, count_include_pad: 1, divisor_override: 2 }), y);
    expect(Array.from(y)).toEqual([10 / 2, 18 / 2, 42 / 2, 50 / 2]);
    expect(() => nnNative.maxPool2d(x, packParams('pool2d', { ...p, ph: 2, count_include_pad: 0, divisor_override: 0 }), y, null))
      .toThrow(/padding must be at most half the kernel size/);
  });
});
