/**
 * Typed view of the native functions of native/binding/ops_layers2.cc (transposed convolution,
 * interpolation). Every function re-validates buffer lengths and parameter ranges in C++; the
 * friendly messages come from lib/functional/{conv-extra,interpolate}.ts.
 * @internal
 */
import { native } from './native';

type F32 = Float32Array;

export interface Layers2Binding {
  /** params: the adjoint conv2d's [n, outC, oh, ow, inC, kh, kw, sh, sw, ph, pw, dh, dw, groups, h, w] */
  convTranspose2d(x: F32, w: F32, bias: F32 | null, params: Int32Array, out: F32): void;
  convTranspose2dBackward(x: F32, w: F32, gy: F32, params: Int32Array, gx: F32 | null, gw: F32 | null,
    gb: F32 | null): void;
  /**
   * params: [planes, h, w, oh, ow, mode (0 nearest, 1 bilinear), alignCorners]; scaleH/scaleW are
   * the user's scale factors (0 when the size was given: the kernels then use in / out).
   */
  interpolate(x: F32, params: Int32Array, scaleH: number, scaleW: number, out: F32): void;
  interpolateBackward(gy: F32, params: Int32Array, scaleH: number, scaleW: number, gx: F32): void;
}

export const layersNative2 = native as unknown as Layers2Binding;
