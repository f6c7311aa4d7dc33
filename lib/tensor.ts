/**
 * Tensor: a contiguous float32 array with a shape, plus the autograd bookkeeping PyTorch keeps on
 * `torch.Tensor` (requiresGrad, grad, gradFn, hooks). The maths lives in `lib/ops/*`; the methods
 * here delegate so that `x.add(y)` and `torch.add(x, y)` are one implementation.
 *
 * Storage is a plain `Float32Array` allocated by V8, so the garbage collector sees its size and a
 * loop that drops tensors holds steady memory; `dispose()` returns it at once.
 */
import { inspect } from 'util';
import { runBackward, BackwardOptions } from './autograd/engine';
import { isGradEnabled } from './autograd/grad-mode';
import { Node, TensorHook } from './autograd/node';
import { native } from './native';
import { fmtShape, numel, sameShape } from './shape';
import * as E from './ops/elementwise';
import * as R from './ops/reduce';
import * as S from './ops/shape';
import * as L from './ops/linalg';
import * as A from './ops/activation';
import { formatTensor } from './format';

export type DType = 'float32';
type VersionedStorage = Float32Array & { _tlVersion?: number; _tlBusy?: number };
export type NestedArray = number | NestedArray[];
export type TensorOrNumber = Tensor | number;

export class Tensor {
  /** @internal */ _storage: Float32Array | null;
  /** The tensor's dimensions. */
  readonly shape: readonly number[];
  private _grad: Tensor | null = null;
  /** @internal */ _gradFn: Node | null = null;
  /** @internal */ _outputIndex = 0;
  /** @internal */ _hooks: TensorHook[] = [];
  private _requiresGrad = false;
  private readonly _numel: number;

  /** @internal Use `torch.tensor`, `torch.zeros`, ... to create tensors. */
  constructor(storage: Float32Array, shape: readonly number[]) {
    if (storage.length !== numel(shape)) {
      throw new RangeError(`Tensor: ${storage.length} values cannot have shape ${fmtShape(shape)}`);
    }
    this._storage = storage;
    this._numel = storage.length;
    this.shape = Object.freeze([...shape]);
  }

  /**
   * @internal Bumped by every in-place change; the graph checks it at backward. The counter lives on
   * the storage, so views (reshape, detach, .data) share it as PyTorch's views do.
   */
  get _version(): number {
    const s = this._storage as VersionedStorage | null;
    return s ? s._tlVersion ?? 0 : -1;
  }

  set _version(v: number) {
    const s = this._storage as VersionedStorage | null;
    if (s) s._tlVersion = v;
  }

  /**
   * @internal Native operations in flight that read or write this storage (matmulAsync). Kept on
   * the storage, like the version, so a view cannot be written or disposed under a running op.
   */
  get _busy(): number {
    const s = this._storage as VersionedStorage | null;
    return s ? s._tlBusy ?? 0 : 0;
  }

  set _busy(v: number) {
    const s = this._storage as VersionedStorage | null;
    if (s) s._tlBusy = v;
  }

  /** The contiguous float32 values (shared, not a copy). Throws once the tensor is disposed. */
  get storage(): Float32Array {
    const s = this._storage;
    // A detached buffer (dispose of this tensor or of a view sharing its storage) reads as length 0.
    if (s === null || s.length !== this._numel) {
      throw new Error(`Tensor of shape ${fmtShape(this.shape)} has been disposed`);
    }
    return s;
  }

  /** @internal True once this tensor's storage (or a view's sharing it) has been disposed. */
  get _disposed(): boolean {
    return this._storage === null || this._storage.length !== this._numel;
  }

  /** A tensor sharing this one's storage, detached from the graph (PyTorch's `.data`). */
  get data(): Tensor {
    return new Tensor(this.storage, this.shape);
  }

  get dtype(): DType {
    return 'float32';
  }

  /** Size of one dim (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[S.dimArg('size', dim, this.shape.length)];
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this.storage.length;
  }

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
      g = gradient;
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

  /** A new tensor sharing storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape);
  }

  /** A copy with its own storage; differentiable. */
  clone(): Tensor {
    return S.clone(this);
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(`item: a Tensor with ${this.numel()} elements cannot be converted to a number (shape ${fmtShape(this.shape)})`);
    }
    return this.storage[0];
  }

  /** A copy of the values as a flat Float32Array. */
  toFloat32Array(): Float32Array {
    return this.storage.slice();
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const s = this.storage;
    const build = (d: number, off: number): NestedArray => {
      if (d === this.shape.length) return s[off];
      const n = this.shape[d];
      const step = numel(this.shape.slice(d + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(d + 1, off + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** Frees the storage now; the tensor (and views sharing its storage) cannot be used afterwards. */
  dispose(): void {
    if (this._busy > 0) throw new Error('dispose: tensor is in use by a native operation in flight');
    const s = this._storage;
    this._storage = null;
    this.grad = null;
    this._gradFn = null;
    // Only a buffer this tensor's storage spans whole is freed: a view into a larger buffer (a file
    // read, a Node Buffer pool slice) must not take its neighbours with it.
    if (s && s.length > 0 && s.byteOffset === 0 && s.byteLength === s.buffer.byteLength &&
        !(typeof SharedArrayBuffer !== 'undefined' && s.buffer instanceof SharedArrayBuffer)) {
      native.detachBuffer(s.buffer);
    }
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

  // ---- in place (not recorded: only on tensors that need no grad, or under noGrad) ----------------

  /** @internal Guards an in-place write; returns the storage. */
  _beginWrite(op: string): Float32Array {
    if (isGradEnabled() && this._requiresGrad) {
      throw new Error(
        `${op}: a ${this.isLeaf ? 'leaf Variable' : 'tensor'} that requires grad is being used in an in-place ` +
          'operation; wrap it in torch.noGrad(() => ...) or use the out-of-place op',
      );
    }
    if (this._busy > 0) throw new Error(`${op}: tensor is in use by a native operation in flight`);
    this._version++;
    return this.storage;
  }

  zero_(): this {
    this._beginWrite('zero_').fill(0);
    return this;
  }

  fill_(value: number): this {
    this._beginWrite('fill_').fill(value);
    return this;
  }

  /** Copies `src` (broadcastable to this shape) into this tensor. */
  copy_(src: Tensor): this {
    E.copyInto('copy_', this, src);
    return this;
  }

  /** this += alpha * other. */
  add_(other: TensorOrNumber, alpha = 1): this {
    E.inPlace('add_', this, 'add', other, alpha);
    return this;
  }

  sub_(other: TensorOrNumber, alpha = 1): this {
    E.inPlace('sub_', this, 'sub', other, alpha);
    return this;
  }

  mul_(other: TensorOrNumber): this {
    E.inPlace('mul_', this, 'mul', other, 1);
    return this;
  }

  div_(other: TensorOrNumber): this {
    E.inPlace('div_', this, 'div', other, 1);
    return this;
  }

  // ---- ops (same as torch.X(t, ...)) --------------------------------------------------------------

  add(other: TensorOrNumber, alpha?: number): Tensor { return E.add(this, other, alpha); }
  sub(other: TensorOrNumber, alpha?: number): Tensor { return E.sub(this, other, alpha); }
  mul(other: TensorOrNumber): Tensor { return E.mul(this, other); }
  div(other: TensorOrNumber): Tensor { return E.div(this, other); }
  pow(exponent: TensorOrNumber): Tensor { return E.pow(this, exponent); }
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
  eq(other: TensorOrNumber): Tensor { return E.eq(this, other); }
  ne(other: TensorOrNumber): Tensor { return E.ne(this, other); }
  gt(other: TensorOrNumber): Tensor { return E.gt(this, other); }
  lt(other: TensorOrNumber): Tensor { return E.lt(this, other); }
  ge(other: TensorOrNumber): Tensor { return E.ge(this, other); }
  le(other: TensorOrNumber): Tensor { return E.le(this, other); }
  relu(): Tensor { return A.relu(this); }
  sigmoid(): Tensor { return A.sigmoid(this); }
  tanh(): Tensor { return A.tanh(this); }
  softmax(dim: number): Tensor { return A.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return A.logSoftmax(this, dim); }
  matmul(other: Tensor): Tensor { return L.matmul(this, other); }

  sum(dim?: number | number[] | null, keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.max(this, dim as number, keepdim); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.min(this, dim as number, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return R.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return R.argmin(this, dim, keepdim); }

  reshape(...shape: (number | readonly number[])[]): Tensor { return S.reshape(this, shape); }
  view(...shape: (number | readonly number[])[]): Tensor { return S.reshape(this, shape, 'view'); }
  flatten(startDim = 0, endDim = -1): Tensor { return S.flatten(this, startDim, endDim); }
  transpose(dim0: number, dim1: number): Tensor { return S.transpose(this, dim0, dim1); }
  /** 2-D transpose (PyTorch's `t()`). */
  t(): Tensor { return S.t(this); }
  permute(...dims: (number | readonly number[])[]): Tensor { return S.permute(this, dims); }
  squeeze(dim?: number): Tensor { return S.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return S.unsqueeze(this, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return S.narrow(this, dim, start, length); }
  expand(...shape: (number | readonly number[])[]): Tensor { return S.expand(this, shape); }
  contiguous(): Tensor { return this; }
}
