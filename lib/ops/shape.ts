/**
 * Shape ops. As in PyTorch, view/reshape (when the strides allow), transpose, permute, narrow, select,
 * expand, squeeze, unsqueeze, flatten, chunk and split give views sharing their input's storage;
 * cat, stack, repeat and flip copy (one native strided copy per input).
 */
import { noGrad } from '../autograd/grad-mode';
import { record } from '../autograd/node';
import { native } from '../native';
import { tracer } from '../jit/tracer';
import { fmtShape, normDim, numel, sameShape } from '../shape';
import { contiguousStrides, Tensor } from '../tensor';
import { promoteTypes } from '../dtype';
import { emptyOf, sumTo } from './elementwise';

export function dimArg(op: string, dim: number, ndim: number): number {
  return normDim(op, dim, ndim);
}

function check(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
}

/**
 * A view of x with the given layout. `again` re-applies this op to another tensor (shaped like x),
 * which in-place autograd through views needs; `backward` maps the view's gradient to x's.
 * @internal
 */
export function makeView(
  name: string, x: Tensor, shape: readonly number[], strides: readonly number[], offset: number,
  again: (t: Tensor) => Tensor, backward: (g: Tensor) => Tensor,
): Tensor {
  const out = new Tensor(x._live(), shape, strides, offset);
  out._base = x._base ?? x;
  const parent = x._viewFn;
  out._viewFn = parent ? (b) => again(parent(b)) : again;
  record(name, [x], [out], ([g]) => [backward(g!)], []);
  return out;
}

/** The backward of a view that picks a subset of x's elements: zeros with g written into the subset. */
function subsetBackward(x: Tensor, again: (t: Tensor) => Tensor, g: Tensor): Tensor {
  const gx = emptyOf('float32', x.shape);
  noGrad(() => again(gx).copy_(g));
  return gx;
}

function flatShapeArgs(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
}

/** Strides that view (shape, strides) as newShape without copying, or null (PyTorch's computeStride). */
function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (shape.length === 0 || numel(shape) === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1, viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

function inferShape(op: string, x: Tensor, shape: number[]): number[] {
  const n = x.numel();
  let infer = -1, known = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be inferred (shape ${fmtShape(shape)})`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`${op}: invalid shape dimension ${s} in ${fmtShape(shape)}`);
    } else known *= s;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${n} (shape ${fmtShape(x.shape)})`);
    }
    out[infer] = n / known;
  }
  if (numel(out) !== n) {
    throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return out;
}

/** `view` (never copies: an error when the strides do not allow it) and `reshape` (copies then). */
export function reshape(x: Tensor, args: readonly (number | readonly number[])[], op = 'reshape'): Tensor {
  check(op, x);
  const shape = inferShape(op, x, flatShapeArgs(args));
  return reshapeTo(op, x, shape);
}

function reshapeTo(op: string, x: Tensor, shape: number[]): Tensor {
  if (sameShape(shape, x.shape) && op !== 'view') return viewOf(op, x, shape, [...x._strides]);
  const st = viewStrides(x.shape, x._strides, shape);
  if (st === null) {
    if (op === 'view') {
      throw new RangeError(`view: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); shape ${fmtShape(x.shape)} strides ${fmtShape(x._strides)} to ${fmtShape(shape)}. Use .reshape(...) instead.`);
    }
    return reshapeTo(op, clone(x), shape);
  }
  return viewOf(op, x, shape, st);
}

function viewOf(op: string, x: Tensor, shape: number[], strides: number[]): Tensor {
  const name = op === 'view' ? 'ViewBackward0' : op === 'flatten' || op === 'reshape' ? 'ReshapeAliasBackward0' : `${op[0].toUpperCase()}${op.slice(1)}Backward0`;
  const v = makeView(name, x, shape, strides, x._offset, (t) => reshapeTo(op === 'view' ? 'reshape' : op, t, shape),
    (g) => reshapeTo('reshape', g, [...x.shape]));
  if (tracer.active !== null) tracer.active.op('alias', [x], v, { op });
  return v;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  check('flatten', x);
  if (x.dim() === 0) return reshapeTo('flatten', x, [1]);
  const s = normDim('flatten', startDim, x.dim()), e = normDim('flatten', endDim, x.dim());
  if (s > e) throw new RangeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshapeTo('flatten', x, shape);
}

/** Splits dim into `sizes` (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  check('unflatten', x);
  const d = normDim('unflatten', dim, x.dim());
  if (!Array.isArray(sizes) || sizes.length === 0) throw new RangeError('unflatten: sizes must be a non-empty array');
  const inner = inferShape('unflatten', reshapeProbe(x.shape[d]), [...sizes]);
  return reshapeTo('reshape', x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

function reshapeProbe(n: number): Tensor {
  return new Tensor(new Float32Array(n), [n]);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  check('squeeze', x);
  let drop: number[];
  if (dim === undefined || dim === null) drop = x.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0);
  else {
    const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normDim('squeeze', d as number, x.dim()));
    drop = x.dim() === 0 ? [] : dims.filter((d) => x.shape[d] === 1);
  }
  const shape = x.shape.filter((_, i) => !drop.includes(i));
  const strides = x._strides.filter((_, i) => !drop.includes(i));
  return makeView('SqueezeBackward0', x, shape, strides, x._offset, (t) => squeeze(t, dim), (g) => reshapeTo('reshape', g, [...x.shape]));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  check('unsqueeze', x);
  const d = normDim('unsqueeze', dim, x.dim() + 1);
  const shape = [...x.shape], strides = [...x._strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.dim() ? x.shape[d] * x._strides[d] : 1);
  return makeView('UnsqueezeBackward0', x, shape, strides, x._offset, (t) => unsqueeze(t, dim), (g) => reshapeTo('reshape', g, [...x.shape]));
}

export function permute(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('permute', x);
  const dims = flatShapeArgs(args);
  if (dims.length !== x.dim()) {
    throw new RangeError(`permute: number of dims don't match (input has ${x.dim()} dims, got ${dims.length}: ${fmtShape(dims)})`);
  }
  const perm = dims.map((d) => normDim('permute', d, x.dim()));
  if (new Set(perm).size !== perm.length) throw new RangeError(`permute: repeated dim in ${fmtShape(dims)}`);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return makeView('PermuteBackward0', x, perm.map((p) => x.shape[p]), perm.map((p) => x._strides[p]), x._offset,
    (t) => permute(t, [perm]), (g) => permute(g, [inverse]));
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  check('transpose', x);
  if (x.dim() === 0) return permute(x, [[]]);
  const a = normDim('transpose', dim0, x.dim()), b = normDim('transpose', dim1, x.dim());
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, [perm]);
}

export function t(x: Tensor): Tensor {
  check('t', x);
  if (x.dim() > 2) throw new RangeError(`t: expects a tensor with <= 2 dimensions, but input has ${x.dim()} (shape ${fmtShape(x.shape)})`);
  return x.dim() < 2 ? permute(x, [x.shape.map((_, i) => i)]) : transpose(x, 0, 1);
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  check('narrow', x);
  if (x.dim() === 0) throw new RangeError('narrow: cannot be applied to a 0-dim tensor');
  const d = normDim('narrow', dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(start) || start < -size || start > size) {
    throw new RangeError(`narrow: start (${start}) is out of range for dim ${dim} of size ${size}`);
  }
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`narrow: length must be non-negative (an integer), got ${length}`);
  }
  if (s + length > size) {
    throw new RangeError(`narrow: start (${s}) + length (${length}) exceeds dimension size (${size}) of dim ${dim}`);
  }
  return slice(x, d, s, s + length, 1);
}

/** Elements start, start+step, ... < end along dim d (all already normalised): a view. @internal */
export function slice(x: Tensor, d: number, start: number, end: number, step: number): Tensor {
  const len = end > start ? Math.ceil((end - start) / step) : 0;
  const shape = [...x.shape], strides = [...x._strides];
  shape[d] = len;
  strides[d] = x._strides[d] * step;
  const again = (u: Tensor) => slice(u, d, start, end, step);
  return makeView('SliceBackward0', x, shape, strides, x._offset + (len > 0 ? start * x._strides[d] : 0), again,
    (g) => subsetBackward(x, again, g));
}

/** The slice at `index` along `dim`, without that dim: a view. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  check('select', x);
  if (x.dim() === 0) throw new RangeError('select: cannot be applied to a 0-dim tensor');
  const d = normDim('select', dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select: index ${index} is out of bounds for dimension ${d} with size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d), strides = x._strides.filter((_, k) => k !== d);
  const again = (u: Tensor) => select(u, d, i);
  return makeView('SelectBackward0', x, shape, strides, x._offset + i * x._strides[d], again, (g) => subsetBackward(x, again, g));
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('cat: expected a non-empty list of Tensors');
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`cat: expected Tensor at position ${i}`);
  });
  // PyTorch skips 1-D empty tensors (legacy behaviour) when concatenating.
  const parts = tensors.filter((t) => !(t.dim() === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0];
  if (ref.dim() === 0) throw new RangeError('cat: zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim('cat', dim, ref.dim());
  parts.forEach((t) => {
    if (t.dim() !== ref.dim() || t.shape.some((s: number, j: number) => j !== d && s !== ref.shape[j])) {
      throw new RangeError(
        `cat: sizes of tensors must match except in dimension ${d}: expected ${fmtShape(ref.shape)} ` +
          `(any size at dim ${d}) but got ${fmtShape(t.shape)} for tensor number ${tensors.indexOf(t)} in the list`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = [...ref.shape];
  shape[d] = parts.reduce((a, t) => a + t.shape[d], 0);
  const out = emptyOf(dtype, shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of parts) {
    starts.push(at);
    if (t.numel() > 0) {
      native.copyStrided(t._live(), t._offset, t._strides, out._storage!, at * out._strides[d], out._strides, t.shape);
    }
    at += t.shape[d];
  }
  record('CatBackward0', parts, [out], ([g]) =>
    parts.map((t, i) => (t.requiresGrad ? slice(g!, d, starts[i], starts[i] + t.shape[d], 1) : null)), []);
  return out;
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('stack: expected a non-empty list of Tensors');
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`stack: expected Tensor at position ${i}`);
    if (!sameShape(t.shape, ref.shape)) {
      throw new RangeError(`stack: expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normDim('stack', dim, ref.dim() + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Broadcasts to `shape` (-1 keeps a dim): a view with stride 0 on the expanded dims. */
export function expand(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('expand', x);
  const req = flatShapeArgs(args);
  if (req.length < x.dim()) {
    throw new RangeError(`expand: the number of sizes provided (${req.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`);
  }
  const off = req.length - x.dim();
  const strides: number[] = [];
  const shape = req.map((s, i) => {
    const have = i >= off ? x.shape[i - off] : 1;
    const want = s === -1 ? have : s;
    if (i < off && s === -1) throw new RangeError(`expand: the expanded size -1 is not allowed in a leading, non-existing dimension ${i}`);
    if (have !== want && have !== 1) {
      throw new RangeError(`expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}; target sizes ${fmtShape(req)}, tensor sizes ${fmtShape(x.shape)}`);
    }
    if (!Number.isInteger(want) || want < 0) throw new RangeError(`expand: invalid size ${s} in ${fmtShape(req)}`);
    strides.push(i < off || (have === 1 && want !== 1) ? 0 : x._strides[i - off]);
    return want;
  });
  if (sameShape(shape, x.shape)) return x;
  return makeView('ExpandBackward0', x, shape, strides, x._offset, (t) => expand(t, [shape]), (g) => sumTo(g.contiguous(), x.shape));
}

/** A contiguous copy (any dtype, any layout); differentiable. */
export function clone(x: Tensor): Tensor {
  check('clone', x);
  const out = emptyOf(x.dtype, x.shape);
  if (x.numel() > 0) native.copyStrided(x._live(), x._offset, x._strides, out._storage!, 0, out._strides, x.shape);
  record('CloneBackward0', [x], [out], ([g]) => [g], []);
  return out;
}

/** PyTorch's `repeat`: tiles the tensor `sizes[i]` times along each dim (sizes may add leading dims). */
export function repeat(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('repeat', x);
  const reps = flatShapeArgs(args);
  if (reps.length < x.dim()) {
    throw new RangeError(`repeat: number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${x.dim()})`);
  }
  reps.forEach((r) => {
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`repeat: repeats must be non-negative integers, got ${fmtShape(reps)}`);
  });
  const padded = [...new Array(reps.length - x.dim()).fill(1), ...x.shape];
  // [r0, s0, r1, s1, ...] by expanding [1, s0, 1, s1, ...], then folding each pair.
  const inter: number[] = [], expandTo: number[] = [];
  padded.forEach((s, i) => {
    inter.push(1, s);
    expandTo.push(reps[i], s);
  });
  const y = expand(reshapeTo('reshape', x, inter), [expandTo]);
  return reshapeTo('reshape', y, padded.map((s, i) => s * reps[i]));
}

/** PyTorch's `tile`: `repeat` with fewer sizes than dims padded with leading 1s. */
export function tile(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('tile', x);
  const reps = flatShapeArgs(args);
  const full = reps.length < x.dim() ? [...new Array(x.dim() - reps.length).fill(1), ...reps] : reps;
  return repeat(x, [full]);
}

/** Views of (almost) equal size along dim: `chunks` pieces of ceil(size / chunks). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  check('chunk', x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  if (x.dim() === 0) throw new RangeError('chunk: expects at least a 1-dimensional tensor');
  const d = normDim('chunk', dim, x.dim());
  const each = Math.ceil(x.shape[d] / chunks) || 0;
  return split(x, each === 0 ? x.shape[d] || 1 : each, d);
}

/** Views along dim: pieces of `sizes` each (a number: equal pieces, the last smaller). */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  check('split', x);
  if (x.dim() === 0) throw new RangeError('split: expects at least a 1-dimensional tensor');
  const d = normDim('split', dim, x.dim());
  const n = x.shape[d];
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new RangeError(`split: split_size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let at = 0; at < n; at += sizes) parts.push(Math.min(sizes, n - at));
    if (parts.length === 0) parts.push(0);
  } else {
    parts = [...sizes];
    const total = parts.reduce((a, b) => a + b, 0);
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || total !== n) {
      throw new RangeError(`split: split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(parts)}`);
    }
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const p of parts) {
    out.push(slice(x, d, at, at + p, 1));
    at += p;
  }
  return out;
}

/** The slices along dim as views, without that dim. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  check('unbind', x);
  const d = normDim('unbind', dim, x.dim());
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

/** Reverses the order along the given dims (a copy, as in PyTorch). */
export function flip(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('flip', x);
  const dims = flatShapeArgs(args).map((d) => normDim('flip', d, x.dim()));
  if (new Set(dims).size !== dims.length) throw new RangeError(`flip: dims has duplicates: ${fmtShape(dims)}`);
  let y = x;
  for (const d of dims) {
    const n = y.shape[d];
    if (n <= 1) continue;
    // Reversed pieces of one element each, concatenated: one strided copy per element along d.
    const idx = new BigInt64Array(n);
    for (let i = 0; i < n; i++) idx[i] = BigInt(n - 1 - i);
    y = indexSelectRaw(y, d, idx);
  }
  return y === x ? clone(x) : y;
}

let indexSelectImpl: ((x: Tensor, d: number, idx: Tensor) => Tensor) | null = null;
/** @internal Set by ops/indexing.ts (which imports this file) to break the import cycle. */
export function setIndexSelect(fn: (x: Tensor, d: number, idx: Tensor) => Tensor): void {
  indexSelectImpl = fn;
}
function indexSelectRaw(x: Tensor, d: number, idx: BigInt64Array): Tensor {
  return indexSelectImpl!(x, d, new Tensor(idx, [idx.length]));
}

/** Rolls elements along dims (or over the flattened tensor when dims is omitted). */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  check('roll', x);
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (dims === undefined || dims === null) {
    if (sh.length !== 1) throw new RangeError('roll: shifts must be a single number when dims is omitted');
    return reshapeTo('reshape', roll(flatten(x), sh, [0]), [...x.shape]);
  }
  const ds = (typeof dims === 'number' ? [dims] : [...dims]).map((d) => normDim('roll', d, x.dim()));
  if (ds.length !== sh.length) throw new RangeError(`roll: shifts (${sh.length}) and dims (${ds.length}) must align`);
  let y = x;
  ds.forEach((d, i) => {
    const n = y.shape[d];
    if (n === 0) return;
    const s = ((sh[i] % n) + n) % n;
    if (s === 0) return;
    y = cat([slice(y, d, n - s, n, 1), slice(y, d, 0, n - s, 1)], d);
  });
  return y === x ? clone(x) : y;
}
