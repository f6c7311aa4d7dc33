/**
 * Shape ops. Tensors are contiguous, so reshape/view/flatten/squeeze/unsqueeze share storage
 * (no copy), while transpose/permute/narrow/cat/stack/expand copy in one native call.
 */
import { record } from '../autograd/node';
import { BinaryOp, native } from '../native';
import { fmtShape, normDim, numel, sameShape, splitAt } from '../shape';
import { Tensor } from '../tensor';
import { sumTo } from './elementwise';

export function dimArg(op: string, dim: number, ndim: number): number {
  return normDim(op, dim, ndim);
}

function check(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
}

/** A tensor sharing x's storage with another shape; the gradient is reshaped back. */
function viewAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(x.storage, shape);
  record(`${op}Backward`, [x], [out], ([g]) => [new Tensor(g!.storage, x.shape)]);
  return out;
}

function flatShapeArgs(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
}

export function reshape(x: Tensor, args: readonly (number | readonly number[])[], op = 'reshape'): Tensor {
  check(op, x);
  const shape = flatShapeArgs(args);
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
  return viewAs(op === 'view' ? 'View' : 'Reshape', x, out);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  check('flatten', x);
  if (x.dim() === 0) return viewAs('Flatten', x, [1]);
  const s = normDim('flatten', startDim, x.dim()), e = normDim('flatten', endDim, x.dim());
  if (s > e) throw new RangeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return viewAs('Flatten', x, shape);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  check('squeeze', x);
  if (dim === undefined) return viewAs('Squeeze', x, x.shape.filter((s) => s !== 1));
  const d = normDim('squeeze', dim, x.dim());
  if (x.dim() === 0 || x.shape[d] !== 1) return viewAs('Squeeze', x, x.shape);
  return viewAs('Squeeze', x, x.shape.filter((_, i) => i !== d));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  check('unsqueeze', x);
  const d = normDim('unsqueeze', dim, x.dim() + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return viewAs('Unsqueeze', x, shape);
}

function rawPermute(x: Tensor, perm: number[]): Tensor {
  const out = new Tensor(new Float32Array(x.numel()), perm.map((p) => x.shape[p]));
  native.permute(x.storage, x.shape, perm, out.storage);
  return out;
}

export function permute(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('permute', x);
  const dims = flatShapeArgs(args);
  if (dims.length !== x.dim()) {
    throw new RangeError(`permute: number of dims don't match (input has ${x.dim()} dims, got ${dims.length}: ${fmtShape(dims)})`);
  }
  const perm = dims.map((d) => normDim('permute', d, x.dim()));
  if (new Set(perm).size !== perm.length) throw new RangeError(`permute: repeated dim in ${fmtShape(dims)}`);
  const out = rawPermute(x, perm);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  record('PermuteBackward', [x], [out], ([g]) => [rawPermute(g!, inverse)]);
  return out;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  check('transpose', x);
  if (x.dim() === 0) return viewAs('Transpose', x, x.shape);
  const a = normDim('transpose', dim0, x.dim()), b = normDim('transpose', dim1, x.dim());
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, [perm]);
}

export function t(x: Tensor): Tensor {
  check('t', x);
  if (x.dim() > 2) throw new RangeError(`t: expects a tensor with <= 2 dimensions, but input has ${x.dim()} (shape ${fmtShape(x.shape)})`);
  return x.dim() < 2 ? viewAs('T', x, x.shape) : transpose(x, 0, 1);
}

/** Copies the [outer, len, inner] block starting at `start` along dim between two tensors. */
function copyAlong(src: Tensor, srcStart: number, dst: Tensor, dstStart: number, dim: number, len: number): void {
  const [outer, sn, inner] = splitAt(src.shape, dim);
  const dn = dst.shape[dim];
  native.copy2d(src.storage, srcStart * inner, sn * inner, dst.storage, dstStart * inner, dn * inner, outer, len * inner);
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
  const shape = [...x.shape];
  shape[d] = length;
  const out = new Tensor(new Float32Array(numel(shape)), shape);
  copyAlong(x, s, out, 0, d, length);
  record('NarrowBackward', [x], [out], ([g]) => {
    const gx = new Tensor(new Float32Array(x.numel()), x.shape);
    copyAlong(g!, 0, gx, s, d, length);
    return [gx];
  });
  return out;
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('cat: expected a non-empty list of Tensors');
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`cat: expected Tensor at position ${i}`);
  });
  const ref = tensors[0];
  if (ref.dim() === 0) throw new RangeError('cat: zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim('cat', dim, ref.dim());
  tensors.forEach((t, i) => {
    if (t.dim() !== ref.dim() || t.shape.some((s: number, j: number) => j !== d && s !== ref.shape[j])) {
      throw new RangeError(
        `cat: sizes of tensors must match except in dimension ${d}: expected ${fmtShape(ref.shape)} ` +
          `(any size at dim ${d}) but got ${fmtShape(t.shape)} for tensor number ${i} in the list`,
      );
    }
  });
  const shape = [...ref.shape];
  shape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  const out = new Tensor(new Float32Array(numel(shape)), shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    copyAlong(t, 0, out, at, d, t.shape[d]);
    at += t.shape[d];
  }
  record('CatBackward', tensors, [out], ([g]) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const gt = new Tensor(new Float32Array(t.numel()), t.shape);
      copyAlong(g!, starts[i], gt, 0, d, t.shape[d]);
      return gt;
    }));
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

/** Broadcasts to `shape` (-1 keeps a dim), copying. */
export function expand(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  check('expand', x);
  const req = flatShapeArgs(args);
  if (req.length < x.dim()) {
    throw new RangeError(`expand: the number of sizes provided (${req.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`);
  }
  const off = req.length - x.dim();
  const shape = req.map((s, i) => {
    const have = i >= off ? x.shape[i - off] : 1;
    const want = s === -1 ? have : s;
    if (have !== want && have !== 1) {
      throw new RangeError(`expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}; target sizes ${fmtShape(req)}, tensor sizes ${fmtShape(x.shape)}`);
    }
    return want;
  });
  if (sameShape(shape, x.shape)) return viewAs('Expand', x, shape);
  const out = new Tensor(new Float32Array(numel(shape)), shape);
  native.binary(BinaryOp.add, out.storage, shape, x.storage, x.shape, out.storage);
  record('ExpandBackward', [x], [out], ([g]) => [sumTo(g!, x.shape)]);
  return out;
}

export function clone(x: Tensor): Tensor {
  check('clone', x);
  const out = new Tensor(x.storage.slice(), x.shape);
  record('CloneBackward', [x], [out], ([g]) => [g]);
  return out;
}
