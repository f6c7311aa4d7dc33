/** `torch.utils.data`: Dataset, TensorDataset, DataLoader. */
import { native } from '../native';
import { lossNative } from '../native-loss';
import { fmtShape, numel } from '../shape';
import { Tensor } from '../tensor';
import { stack } from '../ops/shape';

/** A map-style dataset: `length` items addressed by index (PyTorch's `__len__`/`__getitem__`). */
export interface Dataset<T> {
  readonly length: number;
  getItem(index: number): T;
}

/**
 * A dataset of tensors sharing their first dimension; item `i` is `[t0[i], t1[i], ...]`, typed as a
 * tuple of as many tensors as were given (so a DataLoader over it yields `[Tensor, Tensor]`).
 * @example const ds = new TensorDataset(images, labels);
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  readonly tensors: T;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new Error('TensorDataset: needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.dim() === 0) throw new RangeError(`TensorDataset: tensor ${i} is a scalar; tensors need a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) {
        throw new RangeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples (shape ${fmtShape(tensors[0].shape)}), tensor ${i} has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): T {
    checkIndex(index, this.length);
    return this.tensors.map((t) => gatherRows(t, [index], false)) as T;
  }

  /** @internal Whole batch at once: one native gather (a memcpy per row) per tensor. */
  _getBatch(indices: Int32Array): Tensor[] {
    return this.tensors.map((t) => gatherRows(t, indices, true));
  }

  /** @internal Items [start, end) as a batch: one bulk copy per tensor. */
  _getRange(start: number, end: number): Tensor[] {
    return this.tensors.map((t) => {
      const rowShape = t.shape.slice(1);
      const row = numel(rowShape);
      return new Tensor(t.storage.slice(start * row, end * row), [end - start, ...rowShape]);
    });
  }
}

function checkIndex(index: number, n: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new RangeError(`index ${index} is out of range for a dataset of ${n} items`);
  }
}

/** Rows `indices` of `t` stacked (batched) or row `indices[0]` alone; indices are in range. */
function gatherRows(t: Tensor, indices: Int32Array | readonly number[], batched: boolean): Tensor {
  const rowShape = t.shape.slice(1);
  const row = numel(rowShape);
  const src = t.storage;
  let out: Float32Array;
  if (indices.length === 1) {
    out = src.slice(indices[0] * row, (indices[0] + 1) * row);
  } else {
    out = new Float32Array(indices.length * row);
    const idx = indices instanceof Int32Array ? indices : Int32Array.from(indices);
    lossNative.gatherRows(src, t.shape[0], row, idx, out);
  }
  return new Tensor(out, batched ? [indices.length, ...rowShape] : rowShape);
}


type Collated = any;

/**
 * PyTorch's default collate: tensors are stacked along a new first dim; numbers become a 1-D tensor;
 * arrays (tuples) and plain objects are collated field by field.
 */
export function defaultCollate(batch: unknown[]): Collated {
  if (batch.length === 0) throw new RangeError('defaultCollate: empty batch');
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[], 0);
  if (typeof first === 'number') {
    batch.forEach((v, i) => {
      if (typeof v !== 'number') {
        throw new TypeError(`default_collate: batch must contain tensors, numbers, arrays or objects; sample ${i} is a ${typeof v}`);
      }
    });
    return new Tensor(Float32Array.from(batch as number[]), [batch.length]);
  }
  if (Array.isArray(first)) {
    const n = first.length;
    for (const b of batch) {
      if (!Array.isArray(b) || b.length !== n) throw new RangeError('defaultCollate: each element in the batch should be of equal size');
    }
    return first.map((_, k) => defaultCollate(batch.map((b) => (b as unknown[])[k])));
  }
  if (typeof first === 'object' && first !== null) {
    const out: Record<string, Collated> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  return batch;
}

export interface DataLoaderOptions<T> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle at every epoch (every new iteration), seeded by `torch.manualSeed`. */
  shuffle?: boolean;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  /** Merges a list of samples into a batch (default: stack tensors). */
  collateFn?: (batch: T[]) => Collated;
}

/**
 * Iterates a dataset in batches: `for (const [x, y] of loader) { ... }`. `loader.length` is the number
 * of batches per epoch. With a TensorDataset and the default collate, each batch is one native gather
 * per tensor (one bulk copy without shuffle); no per-sample tensors.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T = Tensor[], B = T extends Tensor[] ? { [K in keyof T]: Tensor } : T extends Tensor ? Tensor : Collated> implements Iterable<B> {
  readonly dataset: Dataset<T> | readonly T[];
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly collateFn: ((batch: T[]) => Collated) | null;

  constructor(dataset: Dataset<T> | readonly T[], opts: DataLoaderOptions<T> = {}) {
    if (!dataset || typeof (dataset as { length?: unknown }).length !== 'number') {
      throw new TypeError('DataLoader: dataset must have a length and getItem(i) (or be an array)');
    }
    if (!Array.isArray(dataset) && typeof (dataset as Dataset<T>).getItem !== 'function') {
      throw new TypeError('DataLoader: dataset must implement getItem(index)');
    }
    const bs = opts.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs <= 0) throw new RangeError(`DataLoader: batchSize should be a positive integer, got ${bs}`);
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = !!opts.shuffle;
    this.dropLast = !!opts.dropLast;
    this.collateFn = opts.collateFn ?? null;
  }

  /** Number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private item(i: number): T {
    return Array.isArray(this.dataset) ? (this.dataset as readonly T[])[i] : (this.dataset as Dataset<T>).getItem(i);
  }

  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    // Without shuffle the order is the identity: batches are ranges, no index array needed.
    let order: Int32Array | null = null;
    if (this.shuffle) {
      order = new Int32Array(n);
      native.randperm(order);
    }
    const fast = this.collateFn === null && this.dataset instanceof TensorDataset;
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n);
      if (end - start < this.batchSize && this.dropLast) break;
      if (fast) {
        const ds = this.dataset as unknown as TensorDataset;
        yield (order ? ds._getBatch(order.subarray(start, end)) : ds._getRange(start, end)) as unknown as B;
      } else {
        const items: T[] = [];
        for (let i = start; i < end; i++) items.push(this.item(order ? order[i] : i));
        yield (this.collateFn ?? defaultCollate)(items);
      }
    }
  }
}

/** Splits a dataset into non-overlapping subsets of the given lengths (random, seeded by torch.manualSeed). */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[]): Subset<T>[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total !== dataset.length) {
    throw new RangeError(`randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${dataset.length})`);
  }
  const perm = new Int32Array(total);
  native.randperm(perm);
  let off = 0;
  return lengths.map((l) => {
    const s = new Subset(dataset, Array.from(perm.subarray(off, off + l)));
    off += l;
    return s;
  });
}

/** The items of `dataset` at `indices`. */
export class Subset<T> implements Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: number[]) {}

  get length(): number {
    return this.indices.length;
  }

  getItem(i: number): T {
    checkIndex(i, this.indices.length);
    return this.dataset.getItem(this.indices[i]);
  }
}
