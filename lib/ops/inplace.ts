/**
 * In-place ops with PyTorch's autograd rules. Under `noGrad`, or when nothing involved requires
 * grad, an in-place op is a plain write (through a view into its base). Otherwise, as in PyTorch:
 * - a leaf that requires grad (or a view of one) may not be modified;
 * - a non-leaf is "rebased": the op is recorded against a copy of its old value, and the tensor takes
 *   the new node as its history (so `y = x.mul(2); y.add_(1); y.sum().backward()` works);
 * - a view of a non-leaf is written through, and its base takes a CopySlices node whose backward
 *   routes the view's gradient to the op and the rest to the old base.
 * Every write bumps the shared version counter, so a tensor saved for backward and modified
 * afterwards is reported at backward.
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { record } from '../autograd/node';
import { BinaryOpName, native } from '../native';
import { fmtShape, sameShape } from '../shape';
import { DType } from '../dtype';
import { Tensor, TensorOrNumber } from '../tensor';
import { tracer } from '../jit/tracer';
import { broadcastStrides, cast, checkTensor, emptyOf, fastInPlace } from './elementwise';
import { broadcastShapes } from '../shape';

const RANK: Record<DType, number> = { bool: 0, int64: 1, float32: 2 };

/** Throws unless `t` may be written now (not in flight, and PyTorch's leaf rules). @internal */
export function checkWritable(op: string, t: Tensor, _allowGraph = true): void {
  if (tracer.active !== null) tracer.active.op(`write:${op}`, [t], t);
  if (t._disposed) throw new Error(`${op}: Tensor of shape ${fmtShape(t.shape)} has been disposed`);
  if (t._busy) throw new Error(`${op}: tensor is in use by a native operation in flight`);
  if (!isGradEnabled()) return;
  if (t.isLeaf && t.requiresGrad && t._base === null) {
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation; wrap it in torch.noGrad(() => ...) or use the out-of-place op`);
  }
  const b = t._base;
  if (b !== null && b.isLeaf && b.requiresGrad) {
    throw new Error(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation; wrap it in torch.noGrad(() => ...) or use the out-of-place op`);
  }
}

/** Writes `src` (broadcast to t's shape, cast to t's dtype) into t's elements: one native call. */
function writeInto(t: Tensor, src: Tensor): void {
  if (t.numel() === 0) return;
  src._live();  // throws the disposed error
  native.copyStrided(src._storage!, src._offset, broadcastStrides(src, t.shape), t._storage!, t._offset, t._strides, t.shape);
}

function checkResult(op: string, t: Tensor, r: Tensor): void {
  if (!sameShape(r.shape, t.shape)) {
    throw new RangeError(`${op}: output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(r.shape)}`);
  }
  if (RANK[r.dtype] > RANK[t.dtype]) {
    const name = (d: DType) => (d === 'float32' ? 'Float' : d === 'int64' ? 'Long' : 'Bool');
    throw new TypeError(`${op}: result type ${name(r.dtype)} can't be cast to the desired output type ${name(t.dtype)}`);
  }
}

/** A detached copy of `t`'s values that carries t's autograd history. */
function shadowOf(t: Tensor): Tensor {
  const s = rawClone(t);
  s._adoptHistory(t);
  return s;
}

function rawClone(t: Tensor): Tensor {
  const out = emptyOf(t.dtype, t.shape);
  writeInto(out, t);
  return out;
}

function selfTracks(t: Tensor): boolean {
  return isGradEnabled() && (t.requiresGrad || (t._base !== null && t._base.requiresGrad));
}

/**
 * `t = f(t)` in place, where f is the out-of-place op (recorded when grad is tracked). @internal
 */
export function binary_(op: string, t: Tensor, f: (x: Tensor) => Tensor): void {
  checkTensor(op, t);
  checkWritable(op, t);
  if (!selfTracks(t)) {
    const r = f(t.detach());
    if (!r.requiresGrad) {
      checkResult(op, t, r);
      writeInto(t, r);
      t._version++;
      return;
    }
  }
  rebase(op, t, f);
}

/** The tracked path: records f against a copy of t's old value and moves t's history onto it. */
function rebase(op: string, t: Tensor, f: (x: Tensor) => Tensor): void {
  const base = t._base;
  if (base === null) {
    const old = shadowOf(t);
    const r = f(old);
    checkResult(op, t, r);
    writeInto(t, r);
    t._version++;
    t._adoptHistory(r);
    return;
  }
  // A view of a non-leaf: the op sees the view of a copy of the old base; the base's new history is
  // CopySlices(old base, op result).
  const viewFn = t._viewFn!;
  const oldBase = shadowOf(base);
  const r = f(viewFn(oldBase));
  checkResult(op, t, r);
  const newBase = noGrad(() => rawClone(oldBase));
  noGrad(() => writeInto(viewFn(newBase), r));
  record('CopySlices', [oldBase, r], [newBase], ([g]) => {
    const gBase = noGrad(() => rawClone(g!));
    noGrad(() => viewFn(gBase).fill_(0));
    const gr = noGrad(() => rawClone(viewFn(g!)));
    return [gBase, gr];
  }, []);
  writeInto(t, r);
  t._version++;
  base._adoptHistory(newBase);
  t._adoptHistory(viewFn(base));
}

/** Arithmetic in place with the contiguous float32 fast path (optimiser steps take it). @internal */
export function arith_(op: string, t: Tensor, opName: BinaryOpName, other: TensorOrNumber, alpha: number,
  f: (x: Tensor) => Tensor): void {
  checkTensor(op, t);
  if (tracer.active !== null && opName === 'add' && alpha === 1 && other instanceof Tensor) tracer.active.op('add', [t, other], t);
  checkWritable(op, t);
  const otherTracks = other instanceof Tensor && other.requiresGrad && isGradEnabled();
  if (!selfTracks(t) && !otherTracks && (typeof other === 'number' || other instanceof Tensor)) {
    if (other instanceof Tensor && other._busy) throw new Error(`${op}: other is in use by a native operation in flight`);
    if (fastInPlace(t, opName, other, alpha)) {
      t._version++;
      return;
    }
  }
  binary_(op, t, f);
}

export function fill_(op: string, t: Tensor, value: number | boolean): void {
  checkTensor(op, t);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`${op}: value must be a number or boolean, got ${typeof value}`);
  checkWritable(op, t);
  const v = emptyOf(t.dtype, []);
  writeScalar(v, value);
  if (!selfTracks(t)) {
    writeInto(t, v);
    t._version++;
    return;
  }
  rebase(op, t, () => v);
}

function writeScalar(t: Tensor, value: number | boolean): void {
  const n = typeof value === 'boolean' ? Number(value) : value;
  const s = t._storage!;
  if (s instanceof BigInt64Array) {
    if (!Number.isFinite(n)) throw new RangeError(`fill_: value ${n} cannot be converted to int64`);
    s[0] = BigInt(Math.trunc(n));
  } else if (s instanceof Uint8Array) s[0] = n !== 0 ? 1 : 0;
  else s[0] = n;
}

export function copy_(t: Tensor, src: Tensor): void {
  checkTensor('copy_', t);
  checkTensor('copy_', src, 'src');
  checkWritable('copy_', t);
  const shape = broadcastShapes('copy_', t.shape, src.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(`copy_: source of shape ${fmtShape(src.shape)} cannot be broadcast to ${fmtShape(t.shape)}`);
  }
  if (src._busy && src === t) throw new Error('copy_: tensor is in use by a native operation in flight');
  const tracks = selfTracks(t) || (isGradEnabled() && src.requiresGrad);
  if (!tracks) {
    // Overlapping source and destination (a view of itself): copy through a temporary.
    const s = src._storage === t._storage ? rawClone(src) : src;
    writeInto(t, s);
    t._version++;
    return;
  }
  if (t.dtype !== 'float32') throw new TypeError(`copy_: cannot copy a tensor that requires grad into a ${t.dtype} tensor`);
  rebase('copy_', t, () => src.dtype === 'float32' ? src.expand(t.shape).clone() : cast(src, 'float32').expand(t.shape).clone());
}
