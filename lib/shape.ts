/** Shape helpers shared by the tensor ops. @internal */

export type ShapeLike = number | readonly number[];

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Accepts both `f(2, 3)` and `f([2, 3])`, as torch.zeros does. */
export function parseShapeArgs(op: string, args: readonly (number | readonly number[])[]): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
  for (const s of shape) {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
      throw new TypeError(`torch.${op}: shape must be non-negative integers, got ${fmtShapeLoose(args)}`);
    }
  }
  return [...shape];
}

function fmtShapeLoose(args: readonly unknown[]): string {
  try {
    return JSON.stringify(args.length === 1 ? args[0] : args);
  } catch {
    return String(args);
  }
}

/** Normalizes a possibly negative dim against `ndim`, naming the op on error (PyTorch's wording). */
export function normDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim, hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new RangeError(`${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < a.length ? a[a.length - 1 - i] : 1;
    const db = i < b.length ? b[b.length - 1 - i] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast ` +
          `(size ${da} vs ${db} at dim ${n - 1 - i})`,
      );
    }
    out[n - 1 - i] = da === 1 ? db : da;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** [outer, n, inner] view of `shape` around `dim`, for the native reductions. */
export function splitAt(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length ? shape[dim] : 1, inner];
}

/** Largest tensor a Float32Array can hold in V8. */
export const MAX_NUMEL = 2 ** 32;

/**
 * Allocates zeroed storage for `shape`, turning V8's bare "Invalid typed array length" and
 * "Array buffer allocation failed" into errors that name the op, the shape and the size.
 */
export function allocStorage(op: string, shape: readonly number[]): Float32Array {
  const n = numel(shape);
  const gib = ((n * 4) / 2 ** 30).toFixed(1);
  if (!Number.isSafeInteger(n) || n > MAX_NUMEL) {
    throw new RangeError(`${op}: shape ${fmtShape(shape)} has ${n} elements (${gib} GiB); a tensor holds at most 2^32 elements`);
  }
  try {
    return new Float32Array(n);
  } catch (e) {
    throw new RangeError(`${op}: cannot allocate ${gib} GiB for shape ${fmtShape(shape)}: ${(e as Error).message}`);
  }
}
