/**
 * Typed view of the loss native functions (native/binding/ops_loss.cc). Each loss crosses into native
 * code once for its forward and once for its backward. Every function re-validates buffer lengths
 * and parameter ranges in C++ (a bad call throws "torchlet.<op>: ..."); the friendly messages come
 * from lib/functional/loss.ts.
 * @internal
 */
import { native } from './native';

type F32 = Float32Array;

/** Reduction codes; must match native/core/loss.h (LossReduction). */
export const LossReduction = { none: 0, mean: 1, sum: 2 } as const;
/** Class-loss modes for classLoss / classLossBackward. */
export const ClassLossMode = { crossEntropy: 0, nll: 1 } as const;
/** Kinds for pointwiseLoss; must match native/core/loss.h (PointwiseLoss). */
export const PointwiseLossKind = { mse: 0, l1: 1 } as const;

export interface LossBinding {
  /**
   * Class-index loss over input viewed as [outer, c, inner]. mode 0: cross-entropy on logits (logp
   * receives log_softmax(input), kept for the backward); mode 1: NLL on log-probabilities (logp: null).
   * target holds outer*inner class indices (Int32Array, Float32Array or Float64Array); they are
   * validated and converted into targetOut (-1 where equal to ignoreIndex). loss: outer*inner values
   * for 'none', else 1. info[0] receives the total weight the backward needs.
   * @returns -1, or the index of the first target that is not an integer in [0, c) nor ignoreIndex
   *   (nothing is computed then).
   */
  classLoss(mode: number, input: F32, outer: number, c: number, inner: number, target: Int32Array | F32 | Float64Array,
    weight: F32 | null, ignoreIndex: number, labelSmoothing: number, reduction: number, targetOut: Int32Array,
    logp: F32 | null, loss: F32, info: Float64Array): number;
  /** gradInput = dL/dinput; target is classLoss's targetOut, totalWeight its info[0]. */
  classLossBackward(mode: number, logp: F32 | null, outer: number, c: number, inner: number, target: Int32Array,
    weight: F32 | null, labelSmoothing: number, reduction: number, totalWeight: number, gradOutput: F32,
    gradInput: F32): void;
  /** Cross-entropy with class-probability targets (same layout as input); logp is saved for the backward. */
  crossEntropyProbs(input: F32, target: F32, outer: number, c: number, inner: number, weight: F32 | null,
    labelSmoothing: number, reduction: number, logp: F32, loss: F32): void;
  crossEntropyProbsBackward(logp: F32, target: F32, outer: number, c: number, inner: number, weight: F32 | null,
    labelSmoothing: number, reduction: number, gradOutput: F32, gradInput: F32 | null, gradTarget: F32 | null): void;
  /** MSE (kind 0) or L1 (kind 1) of same-length input and target. */
  pointwiseLoss(kind: number, input: F32, target: F32, reduction: number, loss: F32): void;
  pointwiseLossBackward(kind: number, input: F32, target: F32, reduction: number, gradOutput: F32,
    gradInput: F32 | null, gradTarget: F32 | null): void;
  /**
   * BCE on logits. weight and posWeight (nullable) are read periodically (item i uses [i % length]:
   * a tensor broadcast over leading dims); each length must divide the input's.
   */
  bceWithLogits(input: F32, target: F32, weight: F32 | null, posWeight: F32 | null, reduction: number, loss: F32): void;
  bceWithLogitsBackward(input: F32, target: F32, weight: F32 | null, posWeight: F32 | null, reduction: number,
    gradOutput: F32, gradInput: F32 | null, gradTarget: F32 | null): void;
  /** out[j] = row indices[j] of src (src: rows x row floats), one memcpy per row. */
  gatherRows(src: F32, rows: number, row: number, indices: Int32Array, out: F32): void;
}

export const lossNative = native as unknown as LossBinding;
