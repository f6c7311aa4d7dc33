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
  /** params: [n, c, h, w, oc, kh, kw, sh, sw, padTop, padLeft, dh, dw, groups, oh, ow] */
  conv2d(x: F32, w: F32, bias: F32 | null, params: P, out: F32): void;
  conv2dBackward(x: F32, w: F32, gy: F32, params: P, gx: F32 | null, gw: F32 | null, gb: F32 | null): void;
  /** 'gemm1x1' | 'depthwise' | 'im2col' */
  conv2dAlgorithm(params: P): string;
  /** params: [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, countIncludePad, divisorOverride] */
  maxPool2d(x: F32, params: P, out: F32, indices: Int32Array | null): void;
  maxPool2dBackward(gy: F32, indices: Int32Array, planes: number, hw: number, gx: F32): void;
  avgPool2d(x: F32, params: P, out: F32): void;
  avgPool2dBackward(gy: F32, params: P, gx: F32): void;
  /** params: [planes, h, w, oh, ow] */
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
