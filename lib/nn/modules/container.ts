/** Containers: `Sequential`, `ModuleList`, `ModuleDict` (PyTorch's torch/nn/modules/container.py). */
import { Module, _resetModules, addIndent } from '../module';

function isModuleMapping(x: unknown): x is Map<string, Module> | Record<string, Module> {
  return x instanceof Map || (typeof x === 'object' && x !== null && !Array.isArray(x) && !(Symbol.iterator in x));
}

function entriesOf(x: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]>): [string, Module][] {
  if (x instanceof Map) return [...x];
  if (Symbol.iterator in (x as object)) {
    return [...(x as Iterable<[string, Module]>)].map((e, i) => {
      if (!Array.isArray(e) || e.length !== 2) {
        throw new TypeError(`ModuleDict update sequence element #${i} should be an array of [key, module]`);
      }
      return e as [string, Module];
    });
  }
  return Object.entries(x as Record<string, Module>);
}

/** Python's `operator.index` + range check + wrap for negative indices. */
function absIndex(idx: number, size: number): number {
  if (!Number.isInteger(idx)) throw new TypeError(`index must be an integer, got ${idx}`);
  if (!(-size <= idx && idx < size)) throw new RangeError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/**
 * Modules run one after another; `forward` feeds each output to the next module.
 * `new Sequential(a, b, c)` names children '0', '1', ...; `new Sequential(new Map([['fc', m]]))`
 * (or a plain record) keeps the given names.
 */
export class Sequential extends Module {
  constructor(...args: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    if (args.length === 1 && isModuleMapping(args[0])) {
      for (const [k, m] of entriesOf(args[0])) this.addModule(k, m);
    } else {
      (args as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  forward(input: any): any {
    for (const m of this._modules.values()) input = (m as Module)(input);
    return input;
  }

  /** Number of modules (Python's `len`). */
  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return (this._modules.values() as IterableIterator<Module>);
  }

  /** The module at position `idx` (negative counts from the end). */
  get(idx: number): Module {
    const i = absIndex(idx, this._modules.size);
    return [...this._modules.values()][i] as Module;
  }

  /** A new Sequential of positions `[start, end)` that keeps the children's names (like `seq[a:b]`). */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map([...this._modules].slice(start, end) as [string, Module][]));
  }

  /** Replaces the module at position `idx`. */
  set(idx: number, module: Module): void {
    const key = [...this._modules.keys()][absIndex(idx, this._modules.size)];
    (this as unknown as Record<string, unknown>)[key] = module;
  }

  /** Removes the module at position `idx`; the remaining keep their order and are renumbered. */
  delete(idx: number): void {
    const key = [...this._modules.keys()][absIndex(idx, this._modules.size)];
    this._modules.delete(key);
    _resetModules(this, [...this._modules.values()].map((m, i) => [String(i), m]));
  }

  append(module: Module): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new TypeError(`module should be of type: Module`);
    const n = this._modules.size;
    if (!(-n <= index && index <= n)) throw new RangeError(`Index out of range: ${index}`);
    if (index < 0) index += n;
    const entries = [...this._modules];
    const mods = entries.map(([, m]) => m);
    mods.splice(index, 0, module);
    // PyTorch shifts the values of keys str(index).. up by one; with default names that is a renumbering.
    const keys = entries.map(([k]) => k);
    _resetModules(this, mods.map((m, i) => [i < index ? keys[i] : String(i), m]));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  pop(idx = -1): Module {
    const m = this.get(idx);
    this.delete(idx);
    return m;
  }
}

/** A list of modules, registered under '0', '1', ... (PyTorch's `nn.ModuleList`; no forward). */
export class ModuleList extends Module {
  constructor(modules?: Iterable<Module> | null) {
    super();
    if (modules !== undefined && modules !== null) this.extend(modules);
  }

  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return (this._modules.values() as IterableIterator<Module>);
  }

  /** The module at `idx` (negative counts from the end). */
  get(idx: number): Module {
    return this._modules.get(String(absIndex(idx, this._modules.size))) as Module;
  }

  /** A new ModuleList of positions `[start, end)`. */
  slice(start?: number, end?: number): ModuleList {
    return new ModuleList(([...this._modules.values()] as Module[]).slice(start, end));
  }

  set(idx: number, module: Module): void {
    (this as unknown as Record<string, unknown>)[String(absIndex(idx, this._modules.size))] = module;
  }

  /** Removes the module at `idx` and renumbers the rest. */
  delete(idx: number): void {
    this._modules.delete(String(absIndex(idx, this._modules.size)));
    _resetModules(this, [...this._modules.values()].map((m, i) => [String(i), m]));
  }

  append(module: Module): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typeof modules}`);
    }
    const offset = this._modules.size;
    let i = 0;
    for (const m of modules) this.addModule(String(offset + i++), m);
    return this;
  }

  insert(index: number, module: Module): void {
    const n = this._modules.size;
    if (index < 0) index = Math.max(0, index + n);
    index = Math.min(index, n);
    const mods = [...this._modules.values()];
    mods.splice(index, 0, module);
    _resetModules(this, mods.map((m, i) => [String(i), m]));
  }

  pop(idx = -1): Module {
    const m = this.get(idx);
    this.delete(idx);
    return m;
  }

  /** A new ModuleList with the modules of both (Python's `+`). */
  concat(other: Iterable<Module>): ModuleList {
    return new ModuleList([...this, ...other]);
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

/** An ordered dictionary of modules (PyTorch's `nn.ModuleDict`; iterating yields keys). */
export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> | null) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this._modules.keys();
  }

  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }

  set(key: string, module: Module): void {
    this.addModule(key, module);
  }

  has(key: string): boolean {
    return this._modules.has(key);
  }

  delete(key: string): void {
    delete (this as unknown as Record<string, unknown>)[key];
  }

  pop(key: string): Module {
    const m = this._modules.get(key);
    if (m === undefined) throw new Error(`KeyError: '${key}'`);
    this.delete(key);
    return m as Module;
  }

  clear(): void {
    _resetModules(this, []);
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  items(): [string, Module][] {
    return [...this._modules] as [string, Module][];
  }

  update(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> | ModuleDict): void {
    const src = modules instanceof ModuleDict ? modules.items() : entriesOf(modules as Map<string, Module>);
    for (const [k, m] of src) this.set(k, m);
  }
}
