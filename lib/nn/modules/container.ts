/**
 * Containers: `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`
 * (PyTorch's torch/nn/modules/container.py). Python's `seq[i]`/`len`/`del`/`+` map to numeric
 * properties, `at`, `length`, `delete` and `concat`.
 */
import { Tensor } from '../../tensor';
import { Module, _resetModules, addIndent, KeyError, typeName } from '../module';
import { Parameter } from '../parameter';

/** PyTorch raises IndexError for an index out of range. */
export class IndexError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

type ModuleMapping<T> = Map<string, T> | Record<string, T>;

function isModuleMapping(x: unknown): x is Map<string, Module> | Record<string, Module> {
  return x instanceof Map || (typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Module) && !(Symbol.iterator in x));
}

/** An index: a JS integer, or a 0-dim int64 tensor (Python's `operator.index` accepts both). */
export type Index = number | Tensor;

function toIndex(idx: Index): number {
  if (idx instanceof Tensor) {
    if (idx.dtype !== 'int64' || idx.shape.length !== 0) {
      throw new TypeError(`index must be an integer or a 0-dim int64 tensor, got a ${idx.dtype} tensor of shape [${idx.shape.join(', ')}]`);
    }
    return Number((idx._data() as BigInt64Array)[0]);
  }
  return idx;
}

/** Python's `operator.index` + range check + wrap for negative indices. */
function absIndex(index: Index, size: number): number {
  const idx = toIndex(index);
  if (typeof idx !== 'number' || !Number.isInteger(idx)) throw new TypeError(`index must be an integer, got ${typeName(idx) === 'number' ? idx : typeName(idx)}`);
  if (!(-size <= idx && idx < size)) throw new IndexError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/**
 * The positions a Python slice `[start:stop:step]` selects in a sequence of `len` items (CPython's
 * `slice.indices`): negative bounds count from the end, out-of-range bounds clamp, a negative step
 * walks backwards (`[::-1]` reverses).
 */
export function sliceIndices(len: number, start?: number | null, stop?: number | null, step?: number | null): number[] {
  const st = step ?? 1;
  if (!Number.isInteger(st) || st === 0) throw new RangeError(`slice step must be a non-zero integer, got ${st}`);
  for (const [n, v] of [['start', start], ['stop', stop]] as const) {
    if (v !== undefined && v !== null && !Number.isInteger(v)) throw new TypeError(`slice ${n} must be an integer, got ${v}`);
  }
  const clamp = (v: number | null | undefined, dflt: number, lo: number, hi: number): number => {
    if (v === undefined || v === null) return dflt;
    if (v < 0) v += len;
    return Math.min(Math.max(v, lo), hi);
  };
  const out: number[] = [];
  if (st > 0) {
    const a = clamp(start, 0, 0, len), b = clamp(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(i);
  } else {
    const a = clamp(start, len - 1, -1, len - 1), b = clamp(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(i);
  }
  return out;
}

function renumber(self: Module): void {
  _resetModules(self, [...self._modules.values()].map((m, i) => [String(i), m]));
}

function checkIterable(x: unknown, what: string): void {
  if (x === null || x === undefined || typeof (x as Iterable<unknown>)[Symbol.iterator] !== 'function' || x instanceof Tensor) {
    throw new TypeError(`${what} should be called with an iterable, but got ${typeName(x)}`);
  }
}

/**
 * Modules run one after another; `forward` feeds each output to the next module.
 * `new Sequential(a, b, c)` names children '0', '1', ...; `new Sequential(new Map([['fc', m]]))`
 * (or a plain record) keeps the given names. `seq[0]`, `seq.at(-1)`, `seq.length`, `for (const m of seq)`.
 */
export class Sequential<T extends Module = Module> extends Module<[Tensor], Tensor> {
  /** The module at a position (`seq[0]`): registered children are mirrored as properties. */
  readonly [index: number]: T;

  constructor(...args: T[] | [ModuleMapping<T>]) {
    super();
    if (args.length === 1 && isModuleMapping(args[0])) {
      const src = args[0];
      for (const [k, m] of src instanceof Map ? src : Object.entries(src)) this.addModule(k, m);
    } else {
      (args as T[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  forward(input: Tensor): Tensor;
  forward(input: any): any {
    for (const m of this._modules.values()) input = (m as Module)(input);
    return input;
  }

  /** Number of modules (Python's `len`). */
  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this._modules.values() as IterableIterator<T>;
  }

  /** The module at position `idx`; negative counts from the end; IndexError when out of range. */
  at(idx: Index): T {
    const i = absIndex(idx, this._modules.size);
    return [...this._modules.values()][i] as T;
  }

  /** Alias of `at`. */
  get(idx: Index): T {
    return this.at(idx);
  }

  /**
   * A new Sequential of the positions Python's `seq[start:stop:step]` selects, keeping the
   * children's names (`slice(1)` is `seq[1:]`, `slice(null, null, -1)` is `seq[::-1]`).
   */
  slice(start?: number | null, end?: number | null, step?: number | null): Sequential<T> {
    const entries = [...this._modules] as [string, T][];
    return new Sequential<T>(new Map(sliceIndices(entries.length, start, end, step).map((i) => entries[i])));
  }

  /** Replaces the module at position `idx` (`seq[i] = m`). */
  set(idx: Index, module: T): void {
    const key = [...this._modules.keys()][absIndex(idx, this._modules.size)];
    (this as unknown as Record<string, unknown>)[key] = module;
  }

  /** Removes the module at position `idx` (`del seq[i]`); the rest keep their order and are renumbered. */
  delete(idx: Index): void {
    const key = [...this._modules.keys()][absIndex(idx, this._modules.size)];
    delete (this as unknown as Record<string, unknown>)[key];
    renumber(this);
  }

  /** Removes the positions a Python slice selects (`del seq[1::2]`), then renumbers the rest. */
  deleteSlice(start?: number | null, end?: number | null, step?: number | null): void {
    const keys = [...this._modules.keys()];
    for (const i of sliceIndices(keys.length, start, end, step)) delete (this as unknown as Record<string, unknown>)[keys[i]];
    renumber(this);
  }

  /** A new Sequential with the modules repeated `times` times (Python's `seq * n` and `n * seq`). */
  repeat(times: number): Sequential<T> {
    if (!Number.isInteger(times)) throw new TypeError(`Sequential.repeat: times must be an integer, got ${typeName(times) === 'number' ? times : typeName(times)}`);
    if (times <= 0) throw new RangeError(`Sequential.repeat: times must be a positive integer, got ${times}`);
    const ret = new Sequential<T>();
    for (let k = 0; k < times; k++) for (const m of this) ret.append(m);
    return ret;
  }

  /** Repeats the modules in place (Python's `seq *= n`); returns this. */
  repeat_(times: number): this {
    const mods = [...this.repeat(times)];
    _resetModules(this, mods.map((m, i) => [String(i), m]));
    return this;
  }

  append(module: T): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  /** Inserts before position `index` (`-length <= index <= length`), shifting the later ones up. */
  insert(index: number, module: T): this {
    if (!(module instanceof Module)) throw new TypeError(`module should be of type: Module, got ${typeName(module)}`);
    const n = this._modules.size;
    if (!Number.isInteger(index)) throw new TypeError(`index must be an integer, got ${index}`);
    if (!(-n <= index && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    if (index < 0) index += n;
    const entries = [...this._modules];
    const mods = entries.map(([, m]) => m);
    mods.splice(index, 0, module);
    // PyTorch shifts the values of keys str(index).. up by one; with default names that is a renumbering.
    const keys = entries.map(([k]) => k);
    _resetModules(this, mods.map((m, i) => [i < index ? keys[i] : String(i), m]));
    return this;
  }

  extend(modules: Iterable<T>): this {
    checkIterable(modules, 'Sequential.extend');
    for (const m of [...modules]) this.append(m);
    return this;
  }

  /** Removes and returns the module at `idx` (default: the last). */
  pop(idx: Index = -1): T {
    const m = this.at(idx);
    this.delete(idx);
    return m;
  }

  /** A new Sequential with the modules of both (Python's `seq + other`). */
  concat<U extends Module>(other: Sequential<U>): Sequential<T | U> {
    if (!(other instanceof Sequential)) {
      throw new TypeError(`add operator supports only objects of Sequential class, but ${typeName(other)} is given.`);
    }
    const ret = new Sequential<T | U>();
    for (const m of this) ret.append(m);
    for (const m of other) ret.append(m);
    return ret;
  }
}

/** A list of modules, registered under '0', '1', ... (PyTorch's `nn.ModuleList`; no forward). */
export class ModuleList<T extends Module = Module> extends Module<never[], never> {
  /** The module at a position (`list[0]`). */
  readonly [index: number]: T;

  constructor(modules?: Iterable<T> | null) {
    super();
    if (modules !== undefined && modules !== null) this.extend(modules);
  }

  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this._modules.values() as IterableIterator<T>;
  }

  /** The module at `idx` (negative counts from the end); IndexError when out of range. */
  at(idx: Index): T {
    return this._modules.get(String(absIndex(idx, this._modules.size))) as T;
  }

  /** Alias of `at`. */
  get(idx: Index): T {
    return this.at(idx);
  }

  /** A new ModuleList of the positions Python's `list[start:stop:step]` selects. */
  slice(start?: number | null, end?: number | null, step?: number | null): ModuleList<T> {
    const mods = [...this._modules.values()] as T[];
    return new ModuleList<T>(sliceIndices(mods.length, start, end, step).map((i) => mods[i]));
  }

  set(idx: Index, module: T): void {
    (this as unknown as Record<string, unknown>)[String(absIndex(idx, this._modules.size))] = module;
  }

  /** Removes the module at `idx` and renumbers the rest. */
  delete(idx: Index): void {
    delete (this as unknown as Record<string, unknown>)[String(absIndex(idx, this._modules.size))];
    renumber(this);
  }

  /** Removes the positions a Python slice selects (`del list[1::2]`), then renumbers the rest. */
  deleteSlice(start?: number | null, end?: number | null, step?: number | null): void {
    const n = this._modules.size;
    for (const i of sliceIndices(n, start, end, step)) delete (this as unknown as Record<string, unknown>)[String(i)];
    renumber(this);
  }

  append(module: T): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  extend(modules: Iterable<T>): this {
    checkIterable(modules, 'ModuleList.extend');
    const offset = this._modules.size;
    let i = 0;
    for (const m of [...modules]) this.addModule(String(offset + i++), m);
    return this;
  }

  /** Inserts before `index` (clamped like a JS/Python list insert). */
  insert(index: number, module: T): void {
    if (!(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    const n = this._modules.size;
    if (index < 0) index = Math.max(0, index + n);
    index = Math.min(index, n);
    const mods = [...this._modules.values()];
    mods.splice(index, 0, module);
    _resetModules(this, mods.map((m, i) => [String(i), m]));
  }

  pop(idx: Index = -1): T {
    const m = this.at(idx);
    this.delete(idx);
    return m;
  }

  /** A new ModuleList with the modules of both (Python's `+`). */
  concat<U extends Module>(other: Iterable<U>): ModuleList<T | U> {
    checkIterable(other, 'ModuleList.concat');
    return new ModuleList<T | U>([...this, ...other]);
  }

  /** PyTorch 2.x compresses runs of identical children: `(0-2): 3 x Linear(...)`. */
  toString(): string {
    const reprs = [...this._modules.values()].map((m) => (m === null ? 'None' : m.toString()));
    if (reprs.length === 0) return this._getName() + '()';
    const blocks: [number, number, string][] = [[0, 0, reprs[0]]];
    for (let i = 1; i < reprs.length; i++) {
      const last = blocks[blocks.length - 1];
      if (reprs[i] === last[2]) last[1]++;
      else blocks.push([i, i, reprs[i]]);
    }
    const lines = blocks.map(([s, e, b]) =>
      addIndent(s === e ? `(${s}): ${b}` : `(${s}-${e}): ${e - s + 1} x ${b}`, 2));
    return this._getName() + '(\n  ' + lines.join('\n  ') + '\n)';
  }
}

type DictSource<T> = Map<string, T> | Record<string, T> | Iterable<readonly [string, T]>;

function dictEntries<T>(x: DictSource<T>, cls: string, sortRecords: boolean): [string, T][] {
  // A tensor or a module is an object too, but its fields are not entries: Object.entries would
  // silently register its internals.
  if (x === null || typeof x !== 'object' || x instanceof Tensor || x instanceof Module) {
    throw new TypeError(`${cls}.update should be called with an iterable of key/value pairs, but got ${typeName(x)}`);
  }
  if (x instanceof Map) return [...x];
  if (Symbol.iterator in x) {
    return [...(x as Iterable<unknown>)].map((e, j) => {
      if (!Array.isArray(e)) throw new TypeError(`${cls} update sequence element #${j} should be Iterable; is${typeName(e)}`);
      if (e.length !== 2) throw new Error(`${cls} update sequence element #${j} has length ${e.length}; 2 is required`);
      return e as [string, T];
    });
  }
  // PyTorch sorts a plain (unordered) mapping's keys; an ordered one (Map, container) keeps its order.
  const es = Object.entries(x as Record<string, T>);
  return sortRecords ? es.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : es;
}

/** An ordered dictionary of modules (PyTorch's `nn.ModuleDict`); map-like, iterating yields keys. */
export class ModuleDict<T extends Module = Module> extends Module<never[], never> {
  constructor(modules?: DictSource<T> | ModuleDict<T> | null) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  /** Number of modules (Python's `len`). */
  get size(): number {
    return this._modules.size;
  }

  /** Same as `size`. */
  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this._modules.keys();
  }

  /** The module under `key`, or undefined (as `Map.get`; PyTorch's `md[key]` raises KeyError). */
  get(key: string): T | undefined {
    return (this._modules.get(key) ?? undefined) as T | undefined;
  }

  /** `md[key] = module` (registers it; names that clash with methods raise KeyError). */
  set(key: string, module: T): this {
    this.addModule(key, module);
    return this;
  }

  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** `del md[key]`; true if it was there (as `Map.delete`). */
  delete(key: string): boolean {
    if (!this._modules.has(key)) return false;
    delete (this as unknown as Record<string, unknown>)[key];
    return true;
  }

  /** Removes and returns the module under `key`; KeyError if absent. */
  pop(key: string): T {
    if (!this._modules.has(key)) throw new KeyError(`'${key}'`);
    const m = this._modules.get(key) as T;
    this.delete(key);
    return m;
  }

  clear(): void {
    _resetModules(this, []);
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): T[] {
    return [...this._modules.values()] as T[];
  }

  entries(): [string, T][] {
    return [...this._modules] as [string, T][];
  }

  /** Python's `items()`; same as `entries()`. */
  items(): [string, T][] {
    return this.entries();
  }

  /** Adds or replaces from a Map, a record (sorted by key, as PyTorch), pairs or a ModuleDict. */
  update(modules: DictSource<T> | ModuleDict<T>): void {
    const src = modules instanceof ModuleDict ? modules.entries() : dictEntries(modules as DictSource<T>, 'ModuleDict', false);
    for (const [k, m] of src) this.set(k, m);
  }
}

function paramRepr(p: unknown): string {
  if (p instanceof Tensor) {
    const dtype = (p as unknown as { dtype?: string }).dtype ?? 'float32';
    return `${p instanceof Parameter ? 'Parameter' : 'Tensor'} containing: [torch.${dtype} of size ${p.shape.join('x')}]`;
  }
  return `Object of type: ${typeName(p)}`;
}

function asParam(v: unknown): unknown {
  return v instanceof Tensor && !(v instanceof Parameter) ? new Parameter(v) : v;
}

/**
 * A list of parameters registered under '0', '1', ... (PyTorch's `nn.ParameterList`); a plain
 * Tensor is wrapped as a Parameter, other values are kept as plain attributes.
 */
export class ParameterList<T = Parameter> extends Module<never[], never> {
  readonly [index: number]: T;
  /** @internal */ declare _size: number;

  constructor(values?: Iterable<T | Tensor> | null) {
    super();
    Object.defineProperty(this, '_size', { value: 0, writable: true, enumerable: false, configurable: true });
    if (values !== undefined && values !== null) this.extend(values);
  }

  get length(): number {
    return this._size;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this._size; i++) yield this.at(i);
  }

  at(idx: Index): T {
    return (this as unknown as Record<string, T>)[String(absIndex(idx, this._size))];
  }

  /** Alias of `at`. */
  get(idx: Index): T {
    return this.at(idx);
  }

  /** `pl[i] = value`. */
  set(idx: Index, value: T | Tensor): void {
    (this as unknown as Record<string, unknown>)[String(absIndex(idx, this._size))] = asParam(value);
  }

  /** A new ParameterList of the positions Python's `pl[start:stop:step]` selects. */
  slice(start?: number | null, end?: number | null, step?: number | null): ParameterList<T> {
    const vals = [...this];
    return new ParameterList<T>(sliceIndices(vals.length, start, end, step).map((i) => vals[i]));
  }

  append(value: T | Tensor): this {
    const i = this._size;
    this._size = i + 1;
    this.set(i, value);
    return this;
  }

  extend(values: Iterable<T | Tensor>): this {
    checkIterable(values, 'ParameterList.extend');
    for (const v of [...values]) this.append(v);
    return this;
  }

  extraRepr(): string {
    return [...this].map((p, k) => `  (${k}): ${paramRepr(p)}`).join('\n');
  }

  forward(): never {
    throw new Error('ParameterList should not be called.');
  }
}

/**
 * An ordered dictionary of parameters (PyTorch's `nn.ParameterDict`); map-like, iterating yields
 * keys. A plain Tensor is wrapped as a Parameter.
 */
export class ParameterDict<T = Parameter> extends Module<never[], never> {
  /** @internal */ declare _keys: Set<string>;

  constructor(parameters?: DictSource<T | Tensor> | ParameterDict<T> | null) {
    super();
    Object.defineProperty(this, '_keys', { value: new Set<string>(), writable: true, enumerable: false, configurable: true });
    if (parameters !== undefined && parameters !== null) this.update(parameters);
  }

  private static checkKey(key: unknown): string {
    if (typeof key !== 'string') {
      throw new TypeError(
        `Index given to ParameterDict cannot be used as a key as it is not a string (type is '${typeName(key)}'). ` +
          'Open an issue on github if you need non-string keys.',
      );
    }
    return key;
  }

  get size(): number {
    return this._keys.size;
  }

  get length(): number {
    return this._keys.size;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this._keys.values();
  }

  /** The value under `key`, or `dflt` (undefined) when absent. */
  get(key: string): T | undefined;
  get<D>(key: string, dflt: D): T | D;
  get(key: string, dflt?: unknown): unknown {
    ParameterDict.checkKey(key);
    return this._keys.has(key) ? (this as unknown as Record<string, unknown>)[key] : dflt;
  }

  set(key: string, value: T | Tensor): this {
    ParameterDict.checkKey(key);
    const v = asParam(value);
    // Register first: a name clashing with a method raises before the key is recorded.
    (this as unknown as Record<string, unknown>)[key] = v;
    this._keys.add(key);
    return this;
  }

  has(key: string): boolean {
    return this._keys.has(key);
  }

  delete(key: string): boolean {
    if (!this._keys.has(key)) return false;
    this._keys.delete(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return true;
  }

  pop(key: string): T {
    if (!this._keys.has(key)) throw new KeyError(`'${key}'`);
    const v = this.get(key) as T;
    this.delete(key);
    return v;
  }

  /** Returns the value under `key`, first setting it to `dflt` (default null, Python's None) when absent. */
  setdefault(key: string, dflt: T | Tensor | null = null): T {
    if (!this._keys.has(key)) this.set(key, dflt as T);
    return this.get(key) as T;
  }

  /** Removes and returns the last inserted `[key, value]` (Python's `popitem`); KeyError when empty. */
  popitem(): [string, T] {
    if (this._keys.size === 0) throw new KeyError("'popitem(): dictionary is empty'");
    const k = [...this._keys][this._keys.size - 1];
    return [k, this.pop(k)];
  }

  /** A new ParameterDict with this one's entries, then `other`'s (Python's `a | b`); `a.update(b)` is `a |= b`. */
  union(other: DictSource<T | Tensor> | ParameterDict<T>): ParameterDict<T> {
    const ret = this.copy();
    ret.update(other);
    return ret;
  }

  /** A new ParameterDict with every key set to `value` (default null, Python's None). */
  fromkeys(keys: Iterable<string>, value: T | Tensor | null = null): ParameterDict<T> {
    checkIterable(keys, 'ParameterDict.fromkeys');
    return new ParameterDict<T>([...keys].map((k) => [k, value] as [string, T]));
  }

  clear(): void {
    for (const k of [...this._keys]) this.delete(k);
  }

  keys(): string[] {
    return [...this._keys];
  }

  values(): T[] {
    return this.keys().map((k) => this.get(k) as T);
  }

  entries(): [string, T][] {
    return this.keys().map((k) => [k, this.get(k) as T]);
  }

  items(): [string, T][] {
    return this.entries();
  }

  /** A new ParameterDict sharing the same parameters. */
  copy(): ParameterDict<T> {
    return new ParameterDict<T>(new Map(this.entries()));
  }

  update(parameters: DictSource<T | Tensor> | ParameterDict<T>): void {
    const src = parameters instanceof ParameterDict ? parameters.entries() : dictEntries(parameters as DictSource<T | Tensor>, 'ParametersDict', true);
    for (const [k, v] of src) this.set(k, v);
  }

  extraRepr(): string {
    return this.entries().map(([k, p]) => `  (${k}): ${paramRepr(p)}`).join('\n');
  }

  forward(): never {
    throw new Error('ParameterDict should not be called.');
  }
}
