/**
 * Typed view of the nn native functions (native/binding/ops_nn.cc). Every function re-validates
 * buffer lengths and parameter ranges in C++; the friendly messages come from lib/functional/*.
 * @internal
 */
import { native } from './native';

type F32 = Float32Array;
/** Integer parameters: an Int32Array (fast) or a plain array. */
type P = Int32Array | number[];

export interface NnBinding {
  /** params: packParams('conv2d', ...) */
  conv2d(x: F32, w: F32, bias: F32 | null, params: P, out: F32): void;
  conv2dBackward(x: F32, w: F32, gy: F32, params: P, gx: F32 | null, gw: F32 | null, gb: F32 | null): void;
  /** 'gemm1x1' | 'depthwise' | 'im2col' */
  conv2dAlgorithm(params: P): string;
  /** params: packParams('pool2d', ...) */
  maxPool2d(x: F32, params: P, out: F32, indices: Int32Array | null): void;
  maxPool2dBackward(gy: F32, indices: Int32Array, planes: number, hw: number, gx: F32): void;
  avgPool2d(x: F32, params: P, out: F32): void;
  avgPool2dBackward(gy: F32, params: P, gx: F32): void;
  /** params: packParams('adaptivePool2d', ...) */
  adaptiveAvgPool2d(x: F32, params: P, out: F32): void;
  adaptiveAvgPool2dBackward(gy: F32, params: P, gx: F32): void;
  adaptiveMaxPool2d(x: F32, params: P, out: F32, indices: Int32Array | null): void;
  /** shape: [n, c, hw] */
  batchNorm(x: F32, shape: P, weight: F32 | null, bias: F32 | null, runningMean: F32 | null,
    runningVar: F32 | null, training: boolean, momentum: number, eps: number, out: F32, saveMean: F32,
    saveInvstd: F32): void;
  batchNormBackward(x: F32, gy: F32, shape: P, weight: F32 | null, saveMean: F32, saveInvstd: F32,
    training: boolean, gx: F32 | null, gw: F32 | null, gb: F32 | null): void;
  linear(x: F32, rows: number, inFeatures: number, w: F32, outFeatures: number, bias: F32 | null, out: F32): void;
  linearBackward(x: F32, rows: number, inFeatures: number, w: F32, outFeatures: number, gy: F32, gx: F32 | null,
    gw: F32 | null, gb: F32 | null): void;
  bernoulli(out: F32, p: number, scale: number): void;
}

export const nnNative = native as unknown as NnBinding;

/** The positional params arrays the nn functions take, by name (native/binding/ops_nn.cc). */
export interface ParamLayouts {
  conv2d: 'n' | 'c' | 'h' | 'w' | 'oc' | 'kh' | 'kw' | 'sh' | 'sw' | 'ph' | 'pw' | 'dh' | 'dw' | 'groups' | 'oh' | 'ow';
  pool2d: 'planes' | 'h' | 'w' | 'oh' | 'ow' | 'kh' | 'kw' | 'sh' | 'sw' | 'ph' | 'pw' | 'dh' | 'dw' |
    'count_include_pad' | 'divisor_override';
  adaptivePool2d: 'planes' | 'h' | 'w' | 'oh' | 'ow';
}

const layouts = (native as unknown as { paramLayouts: { [K in keyof ParamLayouts]: readonly string[] } }).paramLayouts;

/**
 * @internal Packs named integer parameters into the params array of `layout`, in the order the addon
 * declares (its exported `paramLayouts` is the one index; the key types above are checked against it
 * by test/native/param-layouts.test.ts). Called once per geometry, not per element.
 */
export function packParams<K extends keyof ParamLayouts>(layout: K, values: Record<ParamLayouts[K], number>): Int32Array {
  const names = layouts[layout];
  const out = new Int32Array(names.length);
  const v = values as Record<string, number>;
  for (let i = 0; i < names.length; i++) out[i] = v[names[i]];
  return out;
}
