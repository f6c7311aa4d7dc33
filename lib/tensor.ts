/**
 * Tensor: a strided view of a typed storage array (float32, int64 or bool), plus the autograd
 * bookkeeping PyTorch keeps on `torch.Tensor` (requiresGrad, grad, gradFn, hooks). The maths lives in
 * `lib/ops/*`; the methods here delegate so that `x.add(y)` and `torch.add(x, y)` are one
 * implementation.
 *
 * Views (transpose, narrow, select, expand, ...) share their base's storage array, so an in-place
 * write through one is seen by all, as in PyTorch. Storage is a plain typed array allocated by V8, so
 * the garbage collector sees its size and a loop that drops tensors holds steady memory; `dispose()`
 * returns it at once.
 */
import { inspect } from 'util';
import { runBackward, BackwardOptions } from './autograd/engine';
import { Node, TensorHook } from './autograd/node';
import { native } from './native';
import { fmtShape, numel, sameShape } from './shape';
import { allocArray, bigToNumber, DType, dtypeOfArray, StorageArray } from './dtype';
import { isBusy, pinRange } from './storage';
import * as E from './ops/elementwise';
import * as R from './ops/reduce';
import * as S from './ops/shape';
import * as L from './ops/linalg';
import * as A from './ops/activation';
import * as I from './ops/indexing';
import * as M from './ops/more';
import * as W from './ops/inplace';
import { installUnaryMethods, RegisteredUnaryMethods } from './ops/unary-registry';
import { formatTensor } from './format';

export type { DType, StorageArray } from './dtype';
type VersionedStorage = StorageArray & { _tlVersion?: number };
export type NestedArray = number | boolean | NestedArray[];
export type TensorOrNumber = Tensor | number;
/** One index spec of `t.index(...)`: see {@link Tensor.index}. */
export type IndexSpec = number | null | readonly [number | null, (number | null)?, (number | null)?] | Tensor | '...';

/** C-contiguous strides of `shape`. @internal */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= Math.max(shape[i], 1);
  }
  return st;
}

function isContiguousLayout(shape: readonly number[], strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

// Merged with the interface below, which types the registry's methods installed on the prototype.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor {
  /** @internal The whole storage array, shared by every view of it. */
  _storage: StorageArray | null;
  /** The tensor's dimensions. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** @internal Element offset of this view into `_storage`. */
  readonly _offset: number;
  /** @internal Strides given at construction (null: contiguous, computed on first use). */
  private _stridesOrNull: readonly number[] | null;
  /** @internal True when the elements are row-major and dense from `_offset`. */
  readonly _contig: boolean;
  /** @internal For a view: the tensor whose storage it views (never itself a view), else null. */
  _base: Tensor | null = null;
  /** @internal For a view: rebuilds this view from (a tensor laid out like) its base. */
  _viewFn: ((base: Tensor) => Tensor) | null = null;
  private _grad: Tensor | null = null;
  /** @internal */ _gradFn: Node | null = null;
  /** @internal */ _outputIndex = 0;
  /** @internal */ _hooks: TensorHook[] = [];
  private _requiresGrad = false;
  private readonly _numel: number;
  private readonly _bufLen: number;
  private _dense: StorageArray | null = null;

  /**
   * @internal Use `torch.tensor`, `torch.zeros`, ... to create tensors. Wraps `storage` (no copy):
   * contiguous when `strides` is omitted (then `storage` holds exactly the elements), else a view.
   */
  constructor(storage: StorageArray, shape: readonly number[], strides?: readonly number[], offset = 0) {
    const dtype = dtypeOfArray(storage);
    if (dtype === null) throw new TypeError('Tensor: storage must be a Float32Array, BigInt64Array or Uint8Array');
    const n = numel(shape);
    this._storage = storage;
    this.dtype = dtype;
    this._numel = n;
    this._bufLen = storage.length;
    this.shape = Object.freeze([...shape]);
    if (strides === undefined) {
      // The common case (every op output): no stride array until something asks for one.
      if (storage.length !== n) {
        throw new RangeError(`Tensor: ${storage.length} values cannot have shape ${fmtShape(shape)}`);
      }
      this._offset = 0;
      this._stridesOrNull = null;
      this._contig = true;
      return;
    }
    if (strides.length !== shape.length) throw new RangeError(`Tensor: ${strides.length} strides for shape ${fmtShape(shape)}`);
    let last = offset;
    for (let i = 0; i < shape.length; i++) {
      if (!Number.isInteger(strides[i]) || strides[i] < 0) throw new RangeError(`Tensor: invalid stride ${strides[i]}`);
      last += (shape[i] - 1) * strides[i];
    }
    if (n > 0 && (offset < 0 || last >= storage.length)) {
      throw new RangeError(`Tensor: a view of shape ${fmtShape(shape)} at offset ${offset} overruns its storage of ${storage.length}`);
    }
    this._offset = offset;
    this._stridesOrNull = Object.freeze([...strides]);
    this._contig = isContiguousLayout(shape, strides);
  }

  /** @internal Element strides of this view. */
  get _strides(): readonly number[] {
    return (this._stridesOrNull ??= Object.freeze(contiguousStrides(this.shape)));
  }

  /**
   * @internal Bumped by every in-place change; the graph checks it at backward. The counter lives on
   * the storage array, so every view of it shares it, as PyTorch's views do.
   */
  get _version(): number {
    const s = this._storage as VersionedStorage | null;
    return s ? s._tlVersion ?? 0 : -1;
  }

  set _version(v: number) {
    const s = this._storage as VersionedStorage | null;
    if (s) s._tlVersion = v;
  }

  /** @internal Element range [first, end) of `_storage` that this tensor can reach. */
  _span(): [number, number] {
    if (this._numel === 0) return [this._offset, this._offset];
    let last = this._offset;
    for (let i = 0; i < this.shape.length; i++) last += (this.shape[i] - 1) * this._strides[i];
    return [this._offset, last + 1];
  }

  /**
   * @internal Marks this tensor's memory as read or written by a native operation in flight
   * (matmulAsync) until the returned release is called. Kept per ArrayBuffer byte range, so no
   * other tensor over the same memory (a view, a second typed array on the buffer) can be written or
   * disposed meanwhile.
   */
  _pin(): () => void {
    const s = this._live();
    const [a, b] = this._span();
    return pinRange(s, a, b);
  }

  /** @internal True while a native operation in flight uses memory this tensor can reach. */
  get _busy(): boolean {
    const s = this._storage;
    if (!s || this._disposed) return false;
    const [a, b] = this._span();
    return isBusy(s, a, b);
  }

  /** @internal The storage array, or the disposed error. */
  _live(): StorageArray {
    const s = this._storage;
    // A detached buffer (dispose of this tensor or of a view sharing its storage) reads as length 0.
    if (s === null || s.length !== this._bufLen) {
      throw new Error(`Tensor of shape ${fmtShape(this.shape)} has been disposed`);
    }
    return s;
  }

  /**
   * @internal The elements in row-major order as one dense array of the tensor's dtype: the storage
   * itself (or a subarray of it) when contiguous, so writes to it are writes to the tensor; a copy
   * otherwise.
   */
  _data(): StorageArray {
    const s = this._live();
    if (this._contig) {
      if (this._offset === 0 && this._numel === s.length) return s;
      if (this._dense === null) this._dense = s.subarray(this._offset, this._offset + this._numel);
      return this._dense;
    }
    const out = allocArray(this.dtype, this._numel);
    if (this._numel > 0) native.copyStrided(s, this._offset, this._strides, out, 0, contiguousStrides(this.shape), this.shape);
    return out;
  }

  /**
   * The float32 values in row-major order. Shared with the tensor when it is contiguous (writes go
   * through); a copy for a non-contiguous view. Throws for other dtypes and once disposed.
   */
  get storage(): Float32Array {
    if (this.dtype !== 'float32') {
      throw new TypeError(`expected a float32 tensor, got ${this.dtype} (shape ${fmtShape(this.shape)}); convert with .float()`);
    }
    return this._data() as Float32Array;
  }

  /** @internal True once this tensor's storage (or a view's sharing it) has been disposed. */
  get _disposed(): boolean {
    return this._storage === null || this._storage.length !== this._bufLen;
  }

  /** A tensor sharing this one's storage, detached from the graph (PyTorch's `.data`). */
  get data(): Tensor {
    return this._alias();
  }

  /** @internal A new tensor object over the same elements (same storage, strides and offset). */
  _alias(): Tensor {
    // Not a differentiable view (PyTorch's detach()): writes through it follow no graph rules.
    return new Tensor(this._live(), this.shape, this._strides, this._offset);
  }

  /** @internal */
  _isView(): boolean {
    return this._base !== null;
  }

  /** Size of one dim (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[S.dimArg('size', dim, this.shape.length)];
  }

  /** Element strides of each dim, or of one dim (PyTorch's `stride()`). */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    if (dim === undefined) return [...this._strides];
    return this._strides[S.dimArg('stride', dim, this.shape.length)];
  }

  /** Offset of the first element in the storage, in elements (PyTorch's `storage_offset()`). */
  storageOffset(): number {
    return this._offset;
  }

  /** True when the elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return this._contig;
  }

  /** This tensor if contiguous, else a contiguous copy (differentiable). */
  contiguous(): Tensor {
    return this._contig ? this : S.clone(this);
  }

  dim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    this._live();
    return this._numel;
  }

  /** Bytes per element (PyTorch's `element_size()`). */
  elementSize(): number {
    return this.dtype === 'float32' ? 4 : this.dtype === 'int64' ? 8 : 1;
  }

  /** True for floating dtypes (PyTorch's `is_floating_point()`). */
  isFloatingPoint(): boolean {
    return this.dtype === 'float32';
  }

  // ---- dtype conversion -------------------------------------------------------------------------

  /** A tensor of `dtype` (this tensor itself when it already is; differentiable between floats). */
  to(dtype: DType | 'long' | 'float'): Tensor {
    return E.toDType(this, dtype);
  }

  /** `to('int64')` */
  long(): Tensor { return E.toDType(this, 'int64'); }
  /** `to('float32')` */
  float(): Tensor { return E.toDType(this, 'float32'); }
  /** `to('bool')` */
  bool(): Tensor { return E.toDType(this, 'bool'); }

  // ---- autograd ---------------------------------------------------------------------------------

  /** Gradient accumulated by `backward()` (leaves only, as in PyTorch); assignable (null clears it). */
  get grad(): Tensor | null {
    return this._grad;
  }

  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined) {
      if (!(g instanceof Tensor)) throw new TypeError(`grad: assigned grad must be a Tensor or null, got ${typeof g}`);
      if (!sameShape(g.shape, this.shape)) {
        throw new RangeError(`grad: assigned grad has shape ${fmtShape(g.shape)}, but the tensor has shape ${fmtShape(this.shape)}`);
      }
      if (g.dtype !== this.dtype) throw new TypeError(`grad: assigned grad has dtype ${g.dtype}, but the tensor is ${this.dtype}`);
    }
    this._grad = g ?? null;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(b: boolean) {
    this.requiresGrad_(b);
  }

  /** Sets requiresGrad in place (leaves only) and returns this tensor. */
  requiresGrad_(b = true): this {
    if (!b && this._gradFn !== null) {
      throw new Error(
        'requiresGrad_: you can only change requiresGrad flags of leaf variables. If you want to use a ' +
          'computed variable in a subgraph that does not require differentiation use detach().',
      );
    }
    if (b && this.dtype !== 'float32') {
      throw new TypeError(`requiresGrad_: only Tensors of floating point dtype can require gradients, got ${this.dtype}`);
    }
    this._requiresGrad = !!b;
    return this;
  }

  /** The node that produced this tensor (PyTorch's `grad_fn`), or null for leaves. */
  get gradFn(): Node | null {
    return this._gradFn;
  }

  /** True for tensors not produced by a recorded op (user-created, or requiresGrad false). */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }

  /** @internal Takes over `from`'s place in the graph (in-place ops rebase history this way). */
  _adoptHistory(from: Tensor): void {
    this._gradFn = from._gradFn;
    this._outputIndex = from._outputIndex;
    this._requiresGrad = from._requiresGrad;
  }

  /** @internal */
  _setGradFn(node: Node, index: number): void {
    this._gradFn = node;
    this._outputIndex = index;
    this._requiresGrad = true;
  }

  /**
   * Computes gradients of this tensor with respect to the graph's leaves, accumulating into their
   * `.grad`. A scalar needs no `gradient`; a non-scalar needs one of the same shape.
   */
  backward(gradient?: Tensor | null, opts: BackwardOptions = {}): void {
    if (!this._requiresGrad) {
      throw new Error('backward: element 0 of tensors does not require grad and does not have a gradFn');
    }
    let g: Tensor;
    if (gradient === undefined || gradient === null) {
      if (this.numel() !== 1) {
        throw new Error(`backward: grad can be implicitly created only for scalar outputs (got shape ${fmtShape(this.shape)}); pass a gradient of the same shape`);
      }
      g = new Tensor(new Float32Array([1]), this.shape);
    } else {
      if (!(gradient instanceof Tensor)) throw new TypeError('backward: gradient must be a Tensor');
      if (!sameShape(gradient.shape, this.shape)) {
        throw new RangeError(`backward: gradient has shape ${fmtShape(gradient.shape)}, expected ${fmtShape(this.shape)}`);
      }
      g = gradient.dtype === 'float32' ? gradient : gradient.float();
    }
    runBackward(this, g, opts);
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; it may return a
   * replacement. Returns a handle whose `remove()` unregisters it (PyTorch's `register_hook`).
   */
  registerHook(hook: TensorHook): { remove(): void } {
    if (!this._requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    const list = this._gradFn ? this._gradFn.outputHooks[this._outputIndex] : this._hooks;
    list.push(hook);
    return {
      remove() {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  /** A new tensor sharing storage (a view of the same elements), cut from the graph. */
  detach(): Tensor {
    return this._alias();
  }

  /** A contiguous copy with its own storage; differentiable. */
  clone(): Tensor {
    return S.clone(this);
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** The value of a one-element tensor as a number (bool gives 0 or 1; int64 beyond 2^53 is an error). */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(`item: a Tensor with ${this.numel()} elements cannot be converted to a number (shape ${fmtShape(this.shape)})`);
    }
    const v = this._live()[this._offset];
    return typeof v === 'bigint' ? bigToNumber('item', v) : v;
  }

  /** A copy of the values as a flat Float32Array (converted from int64/bool). */
  toFloat32Array(): Float32Array {
    const d = this._data();
    if (d instanceof Float32Array) return d.slice();
    const out = new Float32Array(d.length);
    if (d.length) native.copyStrided(d, 0, [1], out, 0, [1], [d.length]);
    return out;
  }

  /** A copy of the values as a flat BigInt64Array (int64 exactly; float32 truncated toward zero). */
  toBigInt64Array(): BigInt64Array {
    const d = this._data();
    if (d instanceof BigInt64Array) return d.slice();
    const out = new BigInt64Array(d.length);
    if (d.length) native.copyStrided(d, 0, [1], out, 0, [1], [d.length]);
    return out;
  }

  /**
   * The values as nested arrays (a single value for a 0-d tensor): numbers for float32 and int64
   * (an int64 beyond 2^53 is an error, not a silent rounding), booleans for bool.
   */
  toArray(): NestedArray {
    const s = this._data();
    const conv: (v: number | bigint) => number | boolean =
      this.dtype === 'int64' ? (v) => bigToNumber('toArray', v as bigint) : this.dtype === 'bool' ? (v) => v !== 0 : (v) => v as number;
    const build = (d: number, off: number): NestedArray => {
      if (d === this.shape.length) return conv(s[off]);
      const n = this.shape[d];
      const step = numel(this.shape.slice(d + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(d + 1, off + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** PyTorch's `tolist()`: same as {@link toArray}. */
  tolist(): NestedArray {
    return this.toArray();
  }

  /** Frees the storage now; the tensor (and views sharing its storage) cannot be used afterwards. */
  dispose(): void {
    const s = this._storage;
    const detaches = !!s && s.length > 0 && s.byteOffset === 0 && s.byteLength === s.buffer.byteLength &&
      !(typeof SharedArrayBuffer !== 'undefined' && s.buffer instanceof SharedArrayBuffer);
    if (s && !this._disposed && (this._busy || (detaches && isBusy(s, 0, s.length, true)))) {
      throw new Error('dispose: tensor is in use by a native operation in flight');
    }
    this._storage = null;
    this._dense = null;
    this.grad = null;
    this._gradFn = null;
    // Only a buffer this tensor's storage spans whole is freed: a view into a larger buffer (a file
    // read, a Node Buffer pool slice) must not take its neighbours with it.
    if (s && detaches) native.detachBuffer(s.buffer);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return formatTensor(this);
  }

  [inspect.custom](): string {
    return formatTensor(this);
  }

  // ---- in place ---------------------------------------------------------------------------------

  /**
   * @internal Checks that an in-place write may happen now (grad mode rules, ops in flight) and
   * bumps the version. For the raw writers (nn.init, optimisers) that write through `_data()`.
   */
  _beginWrite(op: string): Float32Array {
    W.checkWritable(op, this, false);
    if (this.dtype !== 'float32' || !this._contig) {
      throw new TypeError(`${op}: needs a contiguous float32 tensor, got ${this.dtype}${this._contig ? '' : ' (non-contiguous)'}`);
    }
    this._version++;
    return this._data() as Float32Array;
  }

  /**
   * @internal As _beginWrite, for any float32 layout: `fill` writes the values in row-major order
   * (into the storage itself when contiguous, else into a buffer copied back in one native call).
   */
  _writeWith(op: string, fill: (s: Float32Array) => void): void {
    if (this._contig) {
      fill(this._beginWrite(op));
      return;
    }
    W.checkWritable(op, this, false);
    if (this.dtype !== 'float32') throw new TypeError(`${op}: needs a float32 tensor, got ${this.dtype}`);
    const tmp = this._data() as Float32Array;
    fill(tmp);
    native.copyStrided(tmp, 0, contiguousStrides(this.shape), this._live(), this._offset, this._strides, this.shape);
    this._version++;
  }

  /** Sets every element to zero. */
  zero_(): this { W.fill_('zero_', this, 0); return this; }
  /** Sets every element to `value`. */
  fill_(value: number | boolean): this { W.fill_('fill_', this, value); return this; }
  /** Copies `src` (broadcastable to this shape; any dtype, cast) into this tensor. */
  copy_(src: Tensor): this { W.copy_(this, src); return this; }
  /** this += alpha * other. */
  add_(other: TensorOrNumber, alpha = 1): this { W.arith_('add_', this, 'add', other, alpha, (x) => E.add(x, other, alpha)); return this; }
  sub_(other: TensorOrNumber, alpha = 1): this { W.arith_('sub_', this, 'sub', other, alpha, (x) => E.sub(x, other, alpha)); return this; }
  mul_(other: TensorOrNumber): this { W.arith_('mul_', this, 'mul', other, 1, (x) => E.mul(x, other)); return this; }
  div_(other: TensorOrNumber): this { W.arith_('div_', this, 'div', other, 1, (x) => E.div(x, other)); return this; }
  pow_(exponent: TensorOrNumber): this { W.binary_('pow_', this, (x) => E.pow(x, exponent)); return this; }
  clamp_(min?: TensorOrNumber | null, max?: TensorOrNumber | null): this { W.binary_('clamp_', this, (x) => M.clamp(x, min, max)); return this; }
  neg_(): this { W.binary_('neg_', this, (x) => E.neg(x)); return this; }
  relu_(): this { W.binary_('relu_', this, (x) => A.relu(x)); return this; }
  sigmoid_(): this { W.binary_('sigmoid_', this, (x) => A.sigmoid(x)); return this; }
  tanh_(): this { W.binary_('tanh_', this, (x) => A.tanh(x)); return this; }
  exp_(): this { W.binary_('exp_', this, (x) => E.exp(x)); return this; }
  sqrt_(): this { W.binary_('sqrt_', this, (x) => E.sqrt(x)); return this; }
  abs_(): this { W.binary_('abs_', this, (x) => E.abs(x)); return this; }
  /** Fills the elements where `mask` is true with `value` (mask broadcasts to this shape). */
  maskedFill_(mask: Tensor, value: TensorOrNumber | boolean): this { W.binary_('maskedFill_', this, (x) => I.maskedFill(x, mask, value)); return this; }
  /** PyTorch's `t[specs] = value`: writes `value` (broadcast) into the indexed elements. */
  indexPut_(specs: readonly IndexSpec[], value: TensorOrNumber | boolean, accumulate = false): this {
    I.indexPut_(this, specs, value, accumulate);
    return this;
  }
  /** `scatter_(dim, index, src | value)` in place. */
  scatter_(dim: number, index: Tensor, src: TensorOrNumber): this { W.binary_('scatter_', this, (x) => I.scatter(x, dim, index, src)); return this; }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { W.binary_('scatterAdd_', this, (x) => I.scatterAdd(x, dim, index, src)); return this; }

  // ---- ops (same as torch.X(t, ...)) --------------------------------------------------------------

  add(other: TensorOrNumber, alpha?: number): Tensor { return E.add(this, other, alpha); }
  sub(other: TensorOrNumber, alpha?: number): Tensor { return E.sub(this, other, alpha); }
  mul(other: TensorOrNumber): Tensor { return E.mul(this, other); }
  div(other: TensorOrNumber, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor { return E.div(this, other, opts); }
  pow(exponent: TensorOrNumber): Tensor { return E.pow(this, exponent); }
  floorDivide(other: TensorOrNumber): Tensor { return E.floorDivide(this, other); }
  remainder(other: TensorOrNumber): Tensor { return E.remainder(this, other); }
  maximum(other: Tensor): Tensor { return E.maximum(this, other); }
  minimum(other: Tensor): Tensor { return E.minimum(this, other); }
  neg(): Tensor { return E.neg(this); }
  exp(): Tensor { return E.exp(this); }
  log(): Tensor { return E.log(this); }
  sqrt(): Tensor { return E.sqrt(this); }
  abs(): Tensor { return E.abs(this); }
  square(): Tensor { return E.square(this); }
  reciprocal(): Tensor { return E.reciprocal(this); }
  sign(): Tensor { return E.sign(this); }
  eq(other: TensorOrNumber | boolean): Tensor { return E.eq(this, other); }
  ne(other: TensorOrNumber | boolean): Tensor { return E.ne(this, other); }
  gt(other: TensorOrNumber): Tensor { return E.gt(this, other); }
  lt(other: TensorOrNumber): Tensor { return E.lt(this, other); }
  ge(other: TensorOrNumber): Tensor { return E.ge(this, other); }
  le(other: TensorOrNumber): Tensor { return E.le(this, other); }
  logicalNot(): Tensor { return E.logicalNot(this); }
  logicalAnd(other: Tensor): Tensor { return E.logicalAnd(this, other); }
  logicalOr(other: Tensor): Tensor { return E.logicalOr(this, other); }
  logicalXor(other: Tensor): Tensor { return E.logicalXor(this, other); }
  isnan(): Tensor { return E.isnan(this); }
  relu(): Tensor { return A.relu(this); }
  sigmoid(): Tensor { return A.sigmoid(this); }
  tanh(): Tensor { return A.tanh(this); }
  softmax(dim: number): Tensor { return A.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return A.logSoftmax(this, dim); }
  matmul(other: Tensor): Tensor { return L.matmul(this, other); }

  clamp(min?: TensorOrNumber | null, max?: TensorOrNumber | null): Tensor { return M.clamp(this, min, max); }
  clip(min?: TensorOrNumber | null, max?: TensorOrNumber | null): Tensor { return M.clamp(this, min, max); }
  clampMin(min: TensorOrNumber): Tensor { return M.clamp(this, min, null); }
  clampMax(max: TensorOrNumber): Tensor { return M.clamp(this, null, max); }
  floor(): Tensor { return M.floor(this); }
  ceil(): Tensor { return M.ceil(this); }
  round(): Tensor { return M.round(this); }
  trunc(): Tensor { return M.trunc(this); }
  frac(): Tensor { return M.frac(this); }
  softplus(opts?: { beta?: number; threshold?: number }): Tensor { return M.softplus(this, opts); }

  sum(dim?: number | number[] | null, keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return M.prod(this, dim, keepdim); }
  var(dim?: number | number[] | null, opts?: M.VarOptions): Tensor { return M.variance(this, dim, opts); }
  std(dim?: number | number[] | null, opts?: M.VarOptions): Tensor { return M.std(this, dim, opts); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return M.logsumexp(this, dim, keepdim); }
  norm(p: number | 'fro' = 2, dim?: number | number[] | null, keepdim = false): Tensor { return M.norm(this, p, dim, keepdim); }
  cumsum(dim: number): Tensor { return M.cumsum(this, dim); }
  cumprod(dim: number): Tensor { return M.cumprod(this, dim); }
  any(dim?: number | null, keepdim = false): Tensor { return M.any(this, dim, keepdim); }
  all(dim?: number | null, keepdim = false): Tensor { return M.all(this, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.max(this, dim as number, keepdim); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.min(this, dim as number, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return R.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return R.argmin(this, dim, keepdim); }
  topk(k: number, dim = -1, opts?: M.TopkOptions): R.ValuesIndices { return M.topk(this, k, dim, opts); }
  sort(dim = -1, opts?: M.SortOptions): R.ValuesIndices { return M.sort(this, dim, opts); }
  argsort(dim = -1, opts?: M.SortOptions): Tensor { return M.sort(this, dim, opts).indices; }

  reshape(...shape: (number | readonly number[])[]): Tensor { return S.reshape(this, shape); }
  view(...shape: (number | readonly number[])[]): Tensor { return S.reshape(this, shape, 'view'); }
  viewAs(other: Tensor): Tensor { return S.reshape(this, [other.shape], 'view'); }
  reshapeAs(other: Tensor): Tensor { return S.reshape(this, [other.shape]); }
  flatten(startDim = 0, endDim = -1): Tensor { return S.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return S.unflatten(this, dim, sizes); }
  transpose(dim0: number, dim1: number): Tensor { return S.transpose(this, dim0, dim1); }
  swapaxes(dim0: number, dim1: number): Tensor { return S.transpose(this, dim0, dim1); }
  /** 2-D transpose (PyTorch's `t()`). */
  t(): Tensor { return S.t(this); }
  /** All dims reversed (PyTorch's `.T`). */
  get T(): Tensor { return S.permute(this, [this.shape.map((_, i) => this.shape.length - 1 - i)]); }
  /** The last two dims swapped (PyTorch's `.mT`). */
  get mT(): Tensor { return S.transpose(this, -2, -1); }
  permute(...dims: (number | readonly number[])[]): Tensor { return S.permute(this, dims); }
  squeeze(dim?: number | readonly number[]): Tensor { return S.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return S.unsqueeze(this, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return S.narrow(this, dim, start, length); }
  /** The slice at `index` along `dim`, without that dim (a view; PyTorch's `select`). */
  select(dim: number, index: number): Tensor { return S.select(this, dim, index); }
  expand(...shape: (number | readonly number[])[]): Tensor { return S.expand(this, shape); }
  expandAs(other: Tensor): Tensor { return S.expand(this, [other.shape]); }
  repeat(...sizes: (number | readonly number[])[]): Tensor { return S.repeat(this, sizes); }
  tile(...sizes: (number | readonly number[])[]): Tensor { return S.tile(this, sizes); }
  chunk(chunks: number, dim = 0): Tensor[] { return S.chunk(this, chunks, dim); }
  split(sizes: number | readonly number[], dim = 0): Tensor[] { return S.split(this, sizes, dim); }
  unbind(dim = 0): Tensor[] { return S.unbind(this, dim); }
  flip(...dims: (number | readonly number[])[]): Tensor { return S.flip(this, dims); }
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return S.roll(this, shifts, dims); }
  tril(k = 0): Tensor { return M.tril(this, k); }
  triu(k = 0): Tensor { return M.triu(this, k); }

  /**
   * PyTorch's `t[...]`: one spec per leading dim — a number selects (drops the dim), `null` keeps the
   * whole dim, `[start, end, step?]` slices (negative and `null` ends allowed), an int64 or bool tensor
   * indexes (advanced indexing), `'...'` stands for the remaining dims. Basic specs give a view;
   * tensor specs a copy. PyTorch's `t[0, :, 1:3]` is `t.index(0, null, [1, 3])`.
   */
  index(...specs: IndexSpec[]): Tensor { return I.index(this, specs); }
  /** Out-of-place {@link indexPut_} (PyTorch's `index_put`): a copy with `value` written at `specs`. */
  indexPut(specs: readonly IndexSpec[], value: TensorOrNumber | boolean, accumulate = false): Tensor {
    return I.indexPut(this, specs, value, accumulate);
  }
  indexSelect(dim: number, index: Tensor): Tensor { return I.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return I.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: TensorOrNumber): Tensor { return I.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return I.scatterAdd(this, dim, index, src); }
  maskedFill(mask: Tensor, value: TensorOrNumber | boolean): Tensor { return I.maskedFill(this, mask, value); }
  maskedSelect(mask: Tensor): Tensor { return I.maskedSelect(this, mask); }
  /** `torch.where(cond, this, other)`. */
  where(condition: Tensor, other: TensorOrNumber): Tensor { return I.where(condition, this, other); }
  nonzero(): Tensor { return I.nonzero(this); }
}

// The registered unary ops (lib/ops/unary-registry.ts) are methods too: t.sin(), t.erf(), ...
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends RegisteredUnaryMethods {}
installUnaryMethods(Tensor);
