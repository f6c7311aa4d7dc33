/**
 * Indexing: PyTorch's `t[...]` (basic specs give views; tensor specs gather), `t[...] = v`
 * (indexPut_), indexSelect, gather/scatter, maskedFill/maskedSelect, where, nonzero.
 *
 * Advanced indexing is one native row gather: the index tensors are broadcast together, turned into
 * storage offsets (`indexOffsets`, which also range-checks them), and each offset starts a row of
 * the dims left unindexed (`gatherRows`); the backward is the matching accumulate-scatter.
 */
import { noGrad, isGradEnabled } from '../autograd/grad-mode';
import { record } from '../autograd/node';
import { native } from '../native';
import { broadcastShapes, fmtShape, normDim, numel, sameShape } from '../shape';
import { DType, promoteTypes, scalarDType, promoteWithScalar, StorageArray } from '../dtype';
import { contiguousStrides, IndexSpec, Tensor, TensorOrNumber } from '../tensor';
import { broadcastStrides, cast, checkTensor, emptyOf, resultType, sumTo } from './elementwise';
import { select, setIndexSelect, slice } from './shape';
import * as W from './inplace';
import { checkWritable } from './inplace';

/** Advanced-index part of an index expression, against the basic view `y`. */
interface Advanced {
  /** Dims of y that are indexed, in the order of `idx`. */
  dims: number[];
  /** One contiguous int64 index array per dim in `dims`, all broadcast to `shape`. */
  idx: BigInt64Array[];
  /** The broadcast index shape (with leading dims of y folded in when the result keeps them first). */
  shape: number[];
  /** Dims of y left unindexed, in order (the row dims of the gather). */
  rest: number[];
}

function sliceBounds(size: number, spec: readonly (number | null | undefined)[]): [number, number, number] {
  const step = spec[2] ?? 1;
  if (!Number.isInteger(step)) throw new TypeError(`index: slice step must be an integer, got ${step}`);
  if (step <= 0) throw new RangeError('index: step must be greater than zero');
  const norm = (v: number | null | undefined, dflt: number): number => {
    if (v === null || v === undefined) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`index: slice bounds must be integers or null, got ${v}`);
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const start = norm(spec[0], 0);
  const end = Math.max(norm(spec[1], size), start);
  return [start, end, step];
}

function isIndexTensor(s: unknown): s is Tensor {
  return s instanceof Tensor;
}

/** An int64 index tensor's values broadcast to `shape`, as one contiguous array. */
function broadcastIndex(t: Tensor, shape: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(numel(shape));
  if (out.length) native.copyStrided(t._live(), t._offset, broadcastStrides(t, shape), out, 0, contiguousStrides(shape), shape);
  return out;
}

/** 0..n-1 as an int64 tensor of `ndim` dims, the values along dim `at`. */
function aranged(n: number, at: number, ndim: number): Tensor {
  const a = new BigInt64Array(n);
  for (let i = 0; i < n; i++) a[i] = BigInt(i);
  const shape = new Array<number>(ndim).fill(1);
  shape[at] = n;
  return new Tensor(a, shape);
}

/** Per-dim coordinates of the true elements of a bool mask (row-major order), as int64 tensors. */
function maskCoords(mask: Tensor): Tensor[] {
  const m = mask._data() as Uint8Array;
  const flat = new BigInt64Array(native.countNonzero(m));
  if (flat.length) native.nonzero(m, flat);
  let rest: Tensor = new Tensor(flat, [flat.length]);
  const coords: Tensor[] = new Array(mask.dim());
  // coord_j = (flat // prod(sizes after j)) % size_j, innermost first: a few native int64 ops.
  for (let j = mask.dim() - 1; j >= 0; j--) {
    const s = mask.shape[j];
    coords[j] = j === 0 ? rest : rest.remainder(s);
    if (j > 0) rest = rest.floorDivide(s);
  }
  return coords;
}

/**
 * Splits an index expression into a basic view of x (numbers select, null keeps, slices narrow) and
 * the advanced part (tensor specs), with PyTorch's placement of the broadcast index dims: where the
 * first indexed dim was when the indexed dims are adjacent, else first.
 */
function resolve(op: string, x: Tensor, specs: readonly IndexSpec[]): { y: Tensor; adv: Advanced | null } {
  let consumed = 0, ellipses = 0;
  for (const s of specs) {
    if (s === '...') ellipses++;
    else if (isIndexTensor(s)) consumed += s.dtype === 'bool' ? Math.max(s.dim(), 1) : 1;
    else consumed++;
  }
  if (ellipses > 1) throw new RangeError(`${op}: an index can only have a single ellipsis ('...')`);
  if (consumed > x.dim()) {
    throw new RangeError(`${op}: too many indices for tensor of dimension ${x.dim()} (got ${consumed})`);
  }
  let y = x;
  let d = 0;  // the current dim of y
  const tensors: { dim: number; t: Tensor }[] = [];
  for (const s of specs) {
    if (s === '...') {
      d += x.dim() - consumed;
    } else if (s === null || s === undefined) {
      d++;
    } else if (typeof s === 'number') {
      if (!Number.isInteger(s)) throw new TypeError(`${op}: a number index must be an integer, got ${s}`);
      const size = y.shape[d];
      if (s < -size || s >= size) throw new RangeError(`${op}: index ${s} is out of bounds for dimension ${d} with size ${size}`);
      y = select(y, d, s);
    } else if (Array.isArray(s)) {
      if (s.length < 1 || s.length > 3) throw new TypeError(`${op}: a slice is [start, end?, step?], got an array of ${s.length}`);
      const [a, b, st] = sliceBounds(y.shape[d], s);
      if (a !== 0 || b !== y.shape[d] || st !== 1) y = slice(y, d, a, b, st);
      d++;
    } else if (isIndexTensor(s)) {
      if (s.dtype === 'float32') {
        throw new TypeError(`${op}: tensors used as indices must be long (int64) or bool tensors, got float32; convert with .long()`);
      }
      if (s.dtype === 'bool') {
        const k = Math.max(s.dim(), 1);
        const m = s.dim() === 0 ? s.reshape(1) : s;
        for (let j = 0; j < k; j++) {
          if (m.shape[j] !== y.shape[d + j]) {
            throw new RangeError(`${op}: the shape of the mask ${fmtShape(m.shape)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(y.shape)} at index ${d + j}`);
          }
        }
        maskCoords(m).forEach((c, j) => tensors.push({ dim: d + j, t: c }));
        d += k;
      } else {
        tensors.push({ dim: d, t: s });
        d++;
      }
    } else {
      throw new TypeError(`${op}: an index must be a number, null, a [start, end, step] slice, a Tensor or '...', got ${typeof s}`);
    }
  }
  if (tensors.length === 0) return { y, adv: null };
  let shape = tensors.map((e) => e.t.shape).reduce((a, b) => broadcastShapes(op, a, b) as number[], [] as number[]) as number[];
  const dims = tensors.map((e) => e.dim);
  let idxTensors = tensors.map((e) => e.t);
  const adjacent = dims.every((v, i) => i === 0 || v === dims[i - 1] + 1);
  // Keeping the index dims in place = indexing the dims before them with aranges too.
  const lead = adjacent ? dims[0] : 0;
  if (lead > 0) {
    const nd = lead + shape.length;
    const leadIdx = Array.from({ length: lead }, (_, j) => aranged(y.shape[j], j, nd));
    idxTensors = [...leadIdx, ...idxTensors];
    dims.unshift(...Array.from({ length: lead }, (_, j) => j));
    shape = [...y.shape.slice(0, lead), ...shape];
  }
  const idx = idxTensors.map((t) => broadcastIndex(t, shape));
  const rest = y.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  return { y, adv: { dims, idx, shape, rest } };
}

/** Storage offsets of the index rows into a tensor laid out as (offset, strides) with y's shape. */
function rowOffsets(y: Tensor, adv: Advanced, offset: number, strides: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(numel(adv.shape));
  if (out.length) {
    native.indexOffsets(adv.idx, adv.dims.map((d) => y.shape[d]), adv.dims.map((d) => strides[d]), offset, out);
  }
  return out;
}

/** PyTorch's `x[specs]`: see {@link Tensor.index}. */
export function index(x: Tensor, specs: readonly IndexSpec[]): Tensor {
  checkTensor('index', x);
  const { y, adv } = resolve('index', x, specs);
  if (adv === null) return y === x ? viewAll(x) : y;
  const restShape = adv.rest.map((d) => y.shape[d]);
  const restStrides = adv.rest.map((d) => y._strides[d]);
  const offsets = rowOffsets(y, adv, y._offset, y._strides);
  const outShape = [...adv.shape, ...restShape];
  const out = emptyOf(y.dtype, outShape);
  if (out.numel() > 0) native.indexGather(y._live(), offsets, restShape, restStrides, out._storage!);
  record('IndexBackward0', [y], [out], ([g]) => {
    const gy = emptyOf('float32', y.shape);
    const gOffsets = rowOffsets(y, adv, 0, gy._strides);
    const gc = g!.contiguous();
    if (gc.numel() > 0) {
      native.indexScatter(gy._storage!, gOffsets, restShape, adv.rest.map((d) => gy._strides[d]), gc._storage!, gc._offset,
        contiguousStrides([gOffsets.length, ...restShape]), true);
    }
    return [gy];
  }, []);
  return out;
}

/** `x[...]` with only nulls: PyTorch returns a view of the whole tensor (an alias). */
function viewAll(x: Tensor): Tensor {
  return x.dim() === 0 ? x.view([]) : slice(x, 0, 0, x.shape[0], 1);
}

function valueTensor(op: string, value: TensorOrNumber | boolean, dtype: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`${op}: value must be a Tensor, a number or a boolean, got ${value === null ? 'null' : typeof value}`);
  }
  const t = emptyOf(dtype, []);
  const s = t._storage!;
  const n = Number(value);
  if (s instanceof BigInt64Array) {
    if (!Number.isFinite(n)) throw new RangeError(`${op}: value ${n} cannot be converted to int64`);
    s[0] = BigInt(Math.trunc(n));
  } else if (s instanceof Uint8Array) s[0] = n !== 0 ? 1 : 0;
  else s[0] = n;
  return t;
}

/** Writes `v` (broadcast to the indexed shape) into the elements `specs` select of `t`, raw. */
function putRaw(op: string, t: Tensor, specs: readonly IndexSpec[], v: Tensor, accumulate: boolean): void {
  const { y, adv } = noGrad(() => resolve(op, t, specs));
  const vc = cast(v, t.dtype);
  if (adv === null) {
    const shape = broadcastShapes(op, y.shape, vc.shape);
    if (!sameShape(shape, y.shape)) {
      throw new RangeError(`${op}: shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(y.shape)}`);
    }
    if (y.numel() === 0) return;
    const src = vc._storage === t._storage ? vc.clone() : vc;
    if (accumulate) {
      const sum = emptyOf(t.dtype, y.shape);
      native.binaryStrided(0, y._live(), y._offset, y._strides, src._live(), src._offset, broadcastStrides(src, y.shape),
        sum._storage!, y.shape);
      native.copyStrided(sum._storage!, 0, sum._strides, y._live(), y._offset, y._strides, y.shape);
    } else {
      native.copyStrided(src._live(), src._offset, broadcastStrides(src, y.shape), y._live(), y._offset, y._strides, y.shape);
    }
    return;
  }
  const restShape = adv.rest.map((d) => y.shape[d]);
  const resShape = [...adv.shape, ...restShape];
  const shape = broadcastShapes(op, resShape, vc.shape);
  if (!sameShape(shape, resShape)) {
    throw new RangeError(`${op}: shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(resShape)}`);
  }
  const offsets = rowOffsets(y, adv, y._offset, y._strides);
  if (numel(resShape) === 0) return;
  const src = vc._storage === t._storage ? vc.clone() : vc;
  // Rows [n, ...rest]: the value broadcast over the index shape collapses to one row dim.
  const bs = broadcastStrides(src, resShape);
  const flat = flattenLeading(bs, adv.shape);
  const srcT = flat === null ? src.expand(resShape).contiguous() : src;
  const strides = flat === null ? contiguousStrides([offsets.length, ...restShape]) : flat.concat(bs.slice(adv.shape.length));
  native.indexScatter(y._live(), offsets, restShape, adv.rest.map((d) => y._strides[d]), srcT._live(),
    srcT._offset, strides, accumulate);
}

/**
 * One stride that walks the leading `shape` dims of `strides` in row-major order (they fold into one
 * dim: all broadcast, or laid out contiguously), else null.
 */
function flattenLeading(strides: readonly number[], shape: readonly number[]): number[] | null {
  const k = shape.length;
  const lead = strides.slice(0, k);
  if (lead.every((v) => v === 0)) return [0];
  const unit = contiguousStrides(shape);
  const inner = lead[k - 1];
  return lead.every((v, i) => shape[i] === 1 || v === unit[i] * inner) ? [inner] : null;
}

/** Out-of-place `indexPut` (recorded): x with `value` written at `specs`. */
export function indexPut(x: Tensor, specs: readonly IndexSpec[], value: TensorOrNumber | boolean, accumulate = false): Tensor {
  checkTensor('indexPut', x);
  const v = valueTensor('indexPut', value, x.dtype);
  const out = x.clone().detach();
  putRaw('indexPut', out, specs, v, accumulate);
  record('IndexPutBackward0', [x, v], [out], ([g]) => {
    let gx: Tensor | null = null, gv: Tensor | null = null;
    if (x.requiresGrad) {
      gx = g!.clone();
      if (!accumulate) putRaw('indexPut', gx, specs, emptyOf('float32', []), false);
    }
    if (v.requiresGrad) gv = sumTo(index(g!, specs).contiguous(), v.shape);
    return [gx, gv];
  }, []);
  return out;
}

/** PyTorch's `t[specs] = value` (`index_put_`). */
export function indexPut_(t: Tensor, specs: readonly IndexSpec[], value: TensorOrNumber | boolean, accumulate = false): void {
  checkTensor('indexPut_', t);
  checkWritable('indexPut_', t);
  const v = valueTensor('indexPut_', value, t.dtype);
  if (v.dtype === 'float32' && t.dtype !== 'float32') {
    throw new TypeError(`indexPut_: Index put requires the source and destination dtypes match, got ${t.dtype} for the destination and float32 for the source`);
  }
  const tracks = isGradEnabled() && (t.requiresGrad || (t._base !== null && t._base.requiresGrad) || v.requiresGrad);
  if (!tracks) {
    putRaw('indexPut_', t, specs, v, accumulate);
    t._version++;
    return;
  }
  // The tracked path goes through the out-of-place op and the in-place rebase rules.
  W.binary_('indexPut_', t, (x) => indexPut(x, specs, v, accumulate));
}

function indexArg(op: string, index: unknown): Tensor {
  if (!(index instanceof Tensor)) throw new TypeError(`${op}: index must be a Tensor, got ${index === null ? 'null' : typeof index}`);
  if (index.dtype !== 'int64') {
    throw new TypeError(`${op}: expected index to be an int64 tensor, got ${index.dtype}; convert with .long()`);
  }
  return index;
}

/** The elements at `index` (1-D int64) along `dim`. */
export function indexSelect(x: Tensor, dim: number, indices: Tensor): Tensor {
  checkTensor('indexSelect', x);
  const idx = indexArg('indexSelect', indices);
  if (idx.dim() > 1) throw new RangeError(`indexSelect: index must be a vector (1-D), got shape ${fmtShape(idx.shape)}`);
  const d = normDim('indexSelect', dim, Math.max(x.dim(), 1));
  if (x.dim() === 0) return index(x.reshape(1), [idx.reshape(1)]).reshape([]);
  const specs: IndexSpec[] = new Array(d).fill(null);
  specs.push(idx.dim() === 0 ? idx.reshape(1) : idx);
  return index(x, specs);
}

setIndexSelect((x, d, idx) => indexSelect(x, d, idx));

function checkGatherShapes(op: string, x: Tensor, d: number, idx: Tensor): void {
  if (idx.dim() !== x.dim() && !(idx.dim() <= 1 && x.dim() <= 1)) {
    throw new RangeError(`${op}: Index tensor must have the same number of dimensions as input tensor (input ${fmtShape(x.shape)}, index ${fmtShape(idx.shape)})`);
  }
  for (let i = 0; i < idx.dim(); i++) {
    if (i !== d && idx.shape[i] > (x.shape[i] ?? 1)) {
      throw new RangeError(`${op}: Size does not match at dimension ${i} expected index ${fmtShape(idx.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d}`);
    }
  }
}

/** out[i][j] = x[index[i][j]][j] for dim 0, and so on (PyTorch's `gather`). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  const idx = indexArg('gather', index);
  const nd = Math.max(x.dim(), 1);
  const d = normDim('gather', dim, nd);
  const xs = x.dim() === 0 ? [1] : [...x.shape], is = idx.dim() === 0 ? [1] : [...idx.shape];
  checkGatherShapes('gather', x.reshape(xs), d, idx.reshape(is));
  const out = emptyOf(x.dtype, idx.shape);
  if (out.numel() > 0) native.gatherDim(x._data(), xs, d, idx._data() as BigInt64Array, is, out._storage!);
  record('GatherBackward0', [x], [out], ([g]) => {
    const gx = emptyOf('float32', x.shape);
    const gc = g!.contiguous();
    if (gc.numel() > 0) native.scatterDim(gx._storage!, xs, d, idx._data() as BigInt64Array, is, gc._data(), is, 0, true);
    return [gx];
  }, []);
  return out;
}

function scatterImpl(op: string, x: Tensor, dim: number, index: Tensor, src: TensorOrNumber, accumulate: boolean): Tensor {
  checkTensor(op, x);
  const idx = indexArg(op, index);
  const nd = Math.max(x.dim(), 1);
  const d = normDim(op, dim, nd);
  const xs = x.dim() === 0 ? [1] : [...x.shape], is = idx.dim() === 0 ? [1] : [...idx.shape];
  checkGatherShapes(op, x.reshape(xs), d, idx.reshape(is));
  let srcT: Tensor | null = null;
  if (src instanceof Tensor) {
    srcT = src;
    if (src.dim() !== idx.dim() && !(src.dim() <= 1 && idx.dim() <= 1)) {
      throw new RangeError(`${op}: Index tensor must have the same number of dimensions as src tensor (index ${fmtShape(idx.shape)}, src ${fmtShape(src.shape)})`);
    }
    for (let i = 0; i < idx.dim(); i++) {
      if (idx.shape[i] > src.shape[i]) {
        throw new RangeError(`${op}: Size does not match at dimension ${i} expected index ${fmtShape(idx.shape)} to be smaller than src ${fmtShape(src.shape)}`);
      }
    }
    if (src.dtype !== x.dtype) {
      throw new TypeError(`${op}: Expected self.dtype to be equal to src.dtype (got ${x.dtype} and ${src.dtype})`);
    }
  } else if (typeof src !== 'number' && typeof src !== 'boolean') {
    throw new TypeError(`${op}: src must be a Tensor or a number, got ${src === null ? 'null' : typeof src}`);
  }
  const out = x.detach().clone();
  const ss = srcT ? (srcT.dim() === 0 ? [1] : [...srcT.shape]) : [];
  if (idx.numel() > 0) {
    native.scatterDim(out._storage!, xs, d, idx._data() as BigInt64Array, is, srcT ? srcT._data() : null, ss,
      srcT ? 0 : Number(src), accumulate);
  }
  record(accumulate ? 'ScatterAddBackward0' : 'ScatterBackward0', [x, srcT], [out], ([g]) => {
    let gx: Tensor | null = null, gs: Tensor | null = null;
    if (x.requiresGrad) gx = accumulate ? g! : scatterImpl(op, g!.detach(), dim, idx, 0, false);
    if (srcT && srcT.requiresGrad) {
      const picked = gather(g!, dim, idx);
      if (sameShape(picked.shape, srcT.shape)) gs = picked;
      else {
        gs = emptyOf('float32', srcT.shape);
        let region: Tensor = gs;
        idx.shape.forEach((s, i) => { region = slice(region, i, 0, s, 1); });
        noGrad(() => region.copy_(picked));
      }
    }
    return [gx, gs];
  }, []);
  return out;
}

/** x with src (or a value) written at index along dim (PyTorch's `scatter`). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorOrNumber): Tensor {
  return scatterImpl('scatter', x, dim, index, src, false);
}

/** x with src added at index along dim; repeated indices accumulate (PyTorch's `scatter_add`). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) throw new TypeError('scatterAdd: src must be a Tensor');
  return scatterImpl('scatterAdd', x, dim, index, src, true);
}

function boolArg(op: string, t: unknown, name: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== 'bool') throw new TypeError(`${op}: expected ${name} to be a bool tensor, got ${t.dtype}; compare first (e.g. x.gt(0))`);
  return t;
}

type WhereOperand = Tensor | number | boolean;

function whereType(a: WhereOperand, b: WhereOperand): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  if (a instanceof Tensor) return resultType(a, b);
  if (b instanceof Tensor) return resultType(b, a);
  return promoteWithScalar(scalarDType(a), scalarDType(b));
}

/** Raw cond ? a : b with broadcasting, in dtype `dt`. */
function rawWhere(cond: Tensor, a: WhereOperand, b: WhereOperand, dt: DType): Tensor {
  const ta = a instanceof Tensor ? cast(a, dt) : valueTensor('where', a, dt);
  const tb = b instanceof Tensor ? cast(b, dt) : valueTensor('where', b, dt);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  const out = emptyOf(dt, shape);
  if (out.numel() > 0) {
    native.where(cond._live() as Uint8Array, cond._offset, broadcastStrides(cond, shape), ta._live(), ta._offset,
      broadcastStrides(ta, shape), tb._live(), tb._offset, broadcastStrides(tb, shape), out._storage!, shape);
  }
  return out;
}

/** `condition ? input : other` elementwise, with broadcasting and type promotion (PyTorch's `where`). */
export function where(condition: Tensor, input: WhereOperand, other: WhereOperand): Tensor {
  const cond = boolArg('where', condition, 'condition');
  if (!(input instanceof Tensor) && typeof input !== 'number' && typeof input !== 'boolean') {
    throw new TypeError(`where: input must be a Tensor or a number, got ${input === null ? 'null' : typeof input}`);
  }
  if (!(other instanceof Tensor) && typeof other !== 'number' && typeof other !== 'boolean') {
    throw new TypeError(`where: other must be a Tensor or a number, got ${other === null ? 'null' : typeof other}`);
  }
  const out = rawWhere(cond, input, other, whereType(input, other));
  const ta = input instanceof Tensor ? input : null, tb = other instanceof Tensor ? other : null;
  record('WhereBackward0', [ta, tb], [out], ([g]) => [
    ta && ta.requiresGrad ? sumTo(rawWhere(cond, g!, 0, 'float32'), ta.shape) : null,
    tb && tb.requiresGrad ? sumTo(rawWhere(cond, 0, g!, 'float32'), tb.shape) : null,
  ], []);
  return out;
}

/** x with `value` where mask is true (mask broadcasts to x's shape; a Tensor value must be 0-dim). */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorOrNumber | boolean): Tensor {
  checkTensor('maskedFill', x);
  const m = boolArg('maskedFill', mask, 'mask');
  const shape = broadcastShapes('maskedFill', x.shape, m.shape);
  if (!sameShape(shape, x.shape)) {
    throw new RangeError(`maskedFill: the mask of shape ${fmtShape(m.shape)} must broadcast to the input's shape ${fmtShape(x.shape)}`);
  }
  if (value instanceof Tensor && value.dim() !== 0) {
    throw new RangeError(`maskedFill: only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s)`);
  }
  if (value instanceof Tensor && value.dtype === 'float32' && x.dtype !== 'float32') {
    throw new TypeError(`maskedFill: cannot fill a ${x.dtype} tensor with a float32 value tensor`);
  }
  const v = value instanceof Tensor ? cast(value, x.dtype) : valueTensor('maskedFill', value, x.dtype);
  const out = rawWhere(m, v, x, x.dtype);
  const tv = value instanceof Tensor ? value : null;
  record('MaskedFillBackward0', [x, tv], [out], ([g]) => [
    x.requiresGrad ? rawWhere(m, 0, g!, 'float32') : null,
    tv && tv.requiresGrad ? sumTo(rawWhere(m, g!, 0, 'float32'), []) : null,
  ], []);
  return out;
}

/** The elements of x where mask is true, as a 1-D tensor (mask and x broadcast together). */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor('maskedSelect', x);
  const m = boolArg('maskedSelect', mask, 'mask');
  const shape = broadcastShapes('maskedSelect', x.shape, m.shape);
  const xb = x.expand(shape), mb = m.expand(shape);
  if (shape.length === 0) return index(xb.reshape(1), [mb.reshape(1)]);
  return index(xb, [mb]);
}

/** Coordinates of the non-zero elements, one row each ([n, dim] int64; PyTorch's `nonzero`). */
export function nonzero(x: Tensor): Tensor {
  checkTensor('nonzero', x);
  const m = x.dtype === 'bool' ? x : x.ne(0);
  if (m.dim() === 0) {
    const n = m.item() ? 1 : 0;
    return new Tensor(new BigInt64Array(0), [n, 0]);
  }
  const coords = maskCoords(m);
  const n = coords[0].shape[0];
  const out = new BigInt64Array(n * m.dim());
  coords.forEach((c, j) => {
    if (n) native.copyStrided(c._data(), 0, [1], out, j, [m.dim()], [n]);
  });
  return new Tensor(out, [n, m.dim()]);
}

export type { StorageArray };
