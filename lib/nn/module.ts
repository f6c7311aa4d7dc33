/**
 * `nn.Module` with PyTorch's call semantics (torch/nn/modules/module.py).
 *
 * An instance is callable: the base constructor returns a Proxy around an arrow function whose
 * prototype is `new.target.prototype`, so `model(x)` runs the call path (hooks around `forward`)
 * and `class LeNet extends nn.Module { ... }` is plain subclassing. The Proxy implements
 * PyTorch's `__setattr__`/`__delattr__`: assigning a Module or `nn.Parameter` to a property
 * registers it (insertion order), including class fields (ES2022 `[[Define]]` semantics).
 * Registered values are mirrored as own data properties, so reads need no trap.
 *
 * Note: a module is a function object whose prototype chain does not include
 * `Function.prototype`; `apply(fn)` is PyTorch's `Module.apply`, and there is no `call`/`bind`.
 */
import { inspect } from 'util';
import { Tensor } from '../tensor';
import { noGrad } from '../autograd/grad-mode';
import { Parameter } from './parameter';
import { callImpl } from './call';
import {
  addHook,
  BackwardHook,
  BackwardPreHook,
  ForwardHook,
  ForwardHookOptions,
  ForwardPreHook,
  globalHooks,
  HookDict,
  HookState,
  PrependOption,
  RemovableHandle,
} from './hooks';

/** PyTorch raises KeyError for bad registration names. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

const TARGET = Symbol('torchlet.module.target');
const SELF = Symbol('torchlet.module.self');

/** PyTorch's `torch.typename`, as far as it applies to JS values. */
/** @internal PyTorch-style type name for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return 'torch.FloatTensor';
  if (typeof v === 'object' || typeof v === 'function') {
    const c = (v as { constructor?: { name?: string } }).constructor;
    return c && c.name ? c.name : typeof v;
  }
  return typeof v;
}

function hasattr(obj: object, name: string): boolean {
  return name in obj;
}

function fmtSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** `{ missingKeys, unexpectedKeys }` (PyTorch's `_IncompatibleKeys`). */
export class IncompatibleKeys {
  constructor(readonly missingKeys: string[], readonly unexpectedKeys: string[]) {}
  toString(): string {
    if (this.missingKeys.length === 0 && this.unexpectedKeys.length === 0) return '<All keys matched successfully>';
    const l = (a: string[]) => `[${a.map((k) => `'${k}'`).join(', ')}]`;
    return `_IncompatibleKeys(missing_keys=${l(this.missingKeys)}, unexpected_keys=${l(this.unexpectedKeys)})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
  /** Unpacks like PyTorch's namedtuple: `const [missing, unexpected] = model.loadStateDict(sd, { strict: false })`. */
  *[Symbol.iterator](): Generator<string[], void, undefined> {
    yield this.missingKeys;
    yield this.unexpectedKeys;
  }
}

export interface StateDictOptions {
  destination?: Record<string, Tensor>;
  prefix?: string;
  /** Return the tensors themselves instead of detached aliases. */
  keepVars?: boolean;
}

export interface NamedMembersOptions {
  prefix?: string;
  recurse?: boolean;
  removeDuplicate?: boolean;
}

/** The call signature: `model(...args)` is typed after the subclass's `forward`. */
export interface Module<A extends unknown[] = any[], R = any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

/**
 * Base class for all neural network modules (PyTorch's `torch.nn.Module`).
 * @example
 * class Net extends nn.Module {
 *   fc: nn.Linear;
 *   constructor() { super(); this.fc = new nn.Linear(4, 2); }
 *   forward(x: Tensor) { return this.fc(x).relu(); }
 * }
 * const y = new Net()(torch.randn(3, 4));
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Module<A extends unknown[] = any[], R = any> {
  /** Training mode (true after construction); set by `train()`/`eval()`. */
  declare training: boolean;
  /** @internal */ declare _parameters: Map<string, Parameter | null>;
  /** @internal */ declare _buffers: Map<string, Tensor | null>;
  /** @internal */ declare _nonPersistentBuffersSet: Set<string>;
  /** @internal */ declare _modules: Map<string, Module | null>;
  /** @internal */ declare _hookState: HookState;

  constructor() {
    const hs = new HookState();
    let self: Module;
    // The callable itself; reads `forward` from the target (no trap) and calls it on the Proxy.
    const fn = (...args: unknown[]): unknown => {
      if ((hs.n | globalHooks.n) === 0) return Reflect.apply((fn as unknown as Module).forward, self, args);
      return callImpl(self, hs, args);
    };
    const f = fn as unknown as Record<string | symbol, unknown>;
    delete f.name;
    delete f.length;
    Object.setPrototypeOf(fn, new.target.prototype);
    const hidden = (key: string | symbol, value: unknown) =>
      Object.defineProperty(fn, key, { value, writable: true, enumerable: false, configurable: true });
    hidden('training', true);
    hidden('_parameters', new Map());
    hidden('_buffers', new Map());
    hidden('_nonPersistentBuffersSet', new Set());
    hidden('_modules', new Map());
    hidden('_hookState', hs);
    hidden(TARGET, fn);
    self = new Proxy(fn, HANDLER) as unknown as Module;
    hidden(SELF, self);
    return self;
  }

  /**
   * The computation; override it. Call the module (`model(x)`) rather than `forward` directly:
   * calling `forward` skips this module's hooks.
   */
  forward(...args: A): R {
    void args;
    throw new Error(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  /** @internal PyTorch's `_get_name()`: the class name. */
  _getName(): string {
    return this.constructor.name;
  }

  // ---- registration ------------------------------------------------------------------------------

  /** Adds a child module (PyTorch's `add_module`). `null` registers an empty slot. */
  addModule(name: string, module: Module | null): void {
    if (!(module instanceof Module) && module !== null) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    if (typeof name !== 'string') throw new TypeError(`module name should be a string. Got ${typeName(name)}`);
    if (hasattr(this, name) && !this._modules.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (name.includes('.')) throw new KeyError(`module name can't contain ".", got: ${name}`);
    if (name === '') throw new KeyError('module name can\'t be empty string ""');
    this._modules.set(name, module);
    mirror(this, name, module);
  }

  /** Alias of `addModule`. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  /** Adds a parameter (PyTorch's `register_parameter`); `null` registers an empty slot. */
  registerParameter(name: string, param: Parameter | null): void {
    registerParameterImpl(this, name, param, false);
  }

  /**
   * Adds a buffer: state that is not a parameter (e.g. BatchNorm's running mean). Persistent
   * buffers are part of `stateDict()`.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (typeof name !== 'string') throw new TypeError(`buffer name should be a string. Got ${typeName(name)}`);
    if (name.includes('.')) throw new KeyError('buffer name can\'t contain "."');
    if (name === '') throw new KeyError('buffer name can\'t be empty string ""');
    if (hasattr(this, name) && !this._buffers.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, tensor);
    if (persistent) this._nonPersistentBuffersSet.delete(name);
    else this._nonPersistentBuffersSet.add(name);
    mirror(this, name, tensor);
  }

  /** The submodule at a dotted path (`''` is this module). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      if (!hasattr(mod, item)) throw new Error(`${mod._getName()} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new Error(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path. */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!hasattr(mod, name)) throw new Error(`${mod._getName()} has no attribute \`${name}\``);
    const p = (mod as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new Error(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  /** The buffer at a dotted path. */
  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!hasattr(mod, name)) throw new Error(`${mod._getName()} has no attribute \`${name}\``);
    if (!mod._buffers.has(name)) throw new Error(`\`${name}\` is not a buffer`);
    return mod._buffers.get(name) as Tensor;
  }

  // ---- hooks -------------------------------------------------------------------------------------

  /**
   * `hook(module, args)` runs before `forward`; returning a value replaces the arguments (a
   * non-array value becomes the single argument).
   */
  registerForwardPreHook(
    hook: (module: this, args: Parameters<this['forward']>) => unknown,
    opts: PrependOption = {},
  ): RemovableHandle {
    const hs = this._hookState;
    return addHook(hs.forwardPre, hook as unknown as ForwardPreHook<any>, !!opts.prepend, [], hs.recount);
  }

  /**
   * `hook(module, args, output)` runs after `forward`; returning a value replaces the output.
   * With `alwaysCall`, it also runs when forward or an earlier hook throws.
   */
  registerForwardHook(
    hook: (module: this, args: Parameters<this['forward']>, output: ReturnType<this['forward']>) => unknown,
    opts: ForwardHookOptions = {},
  ): RemovableHandle {
    const hs = this._hookState;
    const h = addHook(hs.forward, hook as unknown as ForwardHook<any>, !!opts.prepend, [hs.forwardAlwaysCalled], hs.recount);
    if (opts.alwaysCall) hs.forwardAlwaysCalled.add(h.id);
    return h;
  }

  /**
   * `hook(module, gradOutput)` runs when the gradients of the module's outputs are computed;
   * returning an array of the same length replaces them.
   */
  registerFullBackwardPreHook(hook: BackwardPreHook<this>, opts: PrependOption | boolean = {}): RemovableHandle {
    const hs = this._hookState;
    const prepend = typeof opts === 'boolean' ? opts : !!opts.prepend;
    return addHook(hs.backwardPre, hook as BackwardPreHook<any>, prepend, [], hs.recount);
  }

  /**
   * `hook(module, gradInput, gradOutput)` runs when the gradients of the module's inputs are
   * computed (`null` for inputs without gradient); returning an array of the same length
   * replaces the gradients flowing to the inputs.
   */
  registerFullBackwardHook(hook: BackwardHook<this>, opts: PrependOption | boolean = {}): RemovableHandle {
    const hs = this._hookState;
    const prepend = typeof opts === 'boolean' ? opts : !!opts.prepend;
    return addHook(hs.backward, hook as BackwardHook<any>, prepend, [], hs.recount);
  }

  /** @internal */ get _forwardPreHooks(): HookDict<ForwardPreHook<any>> { return this._hookState.forwardPre; }
  /** @internal */ get _forwardHooks(): HookDict<ForwardHook<any>> { return this._hookState.forward; }
  /** @internal */ get _backwardPreHooks(): HookDict<BackwardPreHook<any>> { return this._hookState.backwardPre; }
  /** @internal */ get _backwardHooks(): HookDict<BackwardHook<any>> { return this._hookState.backward; }

  // ---- traversal ---------------------------------------------------------------------------------

  /** Immediate children (skipping null slots, each instance once). */
  *children(): Generator<Module, void, undefined> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  *namedChildren(): Generator<[string, Module], void, undefined> {
    const memo = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m !== null && !memo.has(m)) {
        memo.add(m);
        yield [name, m];
      }
    }
  }

  /** This module and all below it, pre-order, each instance once. */
  *modules(): Generator<Module, void, undefined> {
    for (const [, m] of this.namedModules()) yield m;
  }

  *namedModules(memo?: Set<Module> | null, prefix = '', removeDuplicate = true): Generator<[string, Module], void, undefined> {
    const seen = memo ?? new Set<Module>();
    if (seen.has(this)) return;
    if (removeDuplicate) seen.add(this);
    yield [prefix, this];
    for (const [name, m] of this._modules) {
      if (m === null) continue;
      yield* m.namedModules(seen, prefix + (prefix ? '.' : '') + name, removeDuplicate);
    }
  }

  private *namedMembers<T>(
    get: (m: Module) => Iterable<[string, T | null]>,
    prefix: string,
    recurse: boolean,
    removeDuplicate: boolean,
  ): Generator<[string, T], void, undefined> {
    const memo = new Set<T>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(null, prefix, removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, v] of get(m)) {
        if (v === null || v === undefined || memo.has(v)) continue;
        if (removeDuplicate) memo.add(v);
        yield [mp + (mp ? '.' : '') + k, v];
      }
    }
  }

  /** Parameters of this module and (with `recurse`) its descendants, each tensor once. */
  *parameters(recurse: boolean | { recurse?: boolean } = true): Generator<Parameter, void, undefined> {
    const r = typeof recurse === 'object' ? recurse.recurse ?? true : recurse;
    for (const [, p] of this.namedParameters('', r)) yield p;
  }

  *namedParameters(
    prefix: string | NamedMembersOptions = '',
    recurse = true,
    removeDuplicate = true,
  ): Generator<[string, Parameter], void, undefined> {
    if (typeof prefix === 'object') {
      ({ prefix = '', recurse = true, removeDuplicate = true } = prefix);
    }
    yield* this.namedMembers((m) => m._parameters, prefix as string, recurse, removeDuplicate);
  }

  /** Buffers (persistent or not) of this module and (with `recurse`) its descendants. */
  *buffers(recurse: boolean | { recurse?: boolean } = true): Generator<Tensor, void, undefined> {
    const r = typeof recurse === 'object' ? recurse.recurse ?? true : recurse;
    for (const [, b] of this.namedBuffers('', r)) yield b;
  }

  *namedBuffers(
    prefix: string | NamedMembersOptions = '',
    recurse = true,
    removeDuplicate = true,
  ): Generator<[string, Tensor], void, undefined> {
    if (typeof prefix === 'object') {
      ({ prefix = '', recurse = true, removeDuplicate = true } = prefix);
    }
    yield* this.namedMembers((m) => m._buffers, prefix as string, recurse, removeDuplicate);
  }

  // ---- mode, grads -------------------------------------------------------------------------------

  /** Sets training mode on this module and all descendants; returns this module. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter; returns this module. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Resets the gradients of all parameters: to null (default), or to zeros. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) {
        p.grad = null;
      } else {
        if (p.grad.gradFn !== null) p.grad = p.grad.detach();
        else p.grad.requiresGrad_(false);
        p.grad.zero_();
      }
    }
  }

  /**
   * Calls `fn` on every submodule (children first, post-order) and then on this module; returns
   * this module (PyTorch's `Module.apply`, e.g. for custom initialisation).
   * Note: this shadows `Function.prototype.apply` on the callable instance.
   */
  apply(fn: (module: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- state dict --------------------------------------------------------------------------------

  /**
   * Parameters then persistent buffers of each module, pre-order, with dotted keys
   * (`c1.weight`, `bn.running_mean`, ...). Values are detached tensors sharing storage.
   * BatchNorm's `num_batches_tracked` (int64 in PyTorch) is a float32 tensor here.
   */
  stateDict(opts: StateDictOptions = {}): Record<string, Tensor> {
    const dest = opts.destination ?? {};
    const prefix = opts.prefix ?? '';
    const keep = !!opts.keepVars;
    this._saveToStateDict(dest, prefix, keep);
    for (const [name, m] of this._modules) {
      if (m !== null) m.stateDict({ destination: dest, prefix: prefix + name + '.', keepVars: keep });
    }
    return dest;
  }

  /** @internal Saves this module's own params and persistent buffers. */
  _saveToStateDict(dest: Record<string, Tensor>, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this._parameters) if (p !== null) dest[prefix + name] = keepVars ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b !== null && !this._nonPersistentBuffersSet.has(name)) dest[prefix + name] = keepVars ? b : b.detach();
    }
  }

  /**
   * Copies parameters and buffers from `stateDict` (a record or Map). Returns the missing and
   * unexpected keys; throws naming every offending key on a shape mismatch (always) or, when
   * `strict` (default), on missing or unexpected keys.
   */
  loadStateDict(
    stateDict: Record<string, Tensor> | Map<string, Tensor>,
    opts: { strict?: boolean } | boolean = {},
  ): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    }
    const strict = typeof opts === 'boolean' ? opts : opts.strict ?? true;
    const entries: [string, unknown][] = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const load = (mod: Module, local: Map<string, unknown>, prefix: string): void => {
      mod._loadFromStateDict(local, prefix, missing, unexpected, errors);
      for (const [name, child] of mod._modules) {
        if (child === null) continue;
        const cp = prefix + name + '.';
        const sub = new Map<string, unknown>();
        for (const [k, v] of local) if (k.startsWith(cp)) sub.set(k, v);
        load(child, sub, cp);
      }
    };
    load(this, new Map(entries), '');
    if (strict) {
      if (unexpected.length > 0) {
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
      }
      if (missing.length > 0) {
        errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
      }
    }
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join('\n\t')}`);
    }
    return new IncompatibleKeys(missing, unexpected);
  }

  /**
   * @internal PyTorch's `_load_from_state_dict` (always run as strict; `loadStateDict` decides
   * whether missing/unexpected keys raise). Subclasses may override to migrate old checkpoints.
   */
  _loadFromStateDict(
    stateDict: Map<string, unknown>,
    prefix: string,
    missingKeys: string[],
    unexpectedKeys: string[],
    errorMsgs: string[],
  ): void {
    const local = new Map<string, Tensor>();
    for (const [k, v] of this._parameters) if (v !== null) local.set(k, v);
    for (const [k, v] of this._buffers) if (v !== null && !this._nonPersistentBuffersSet.has(k)) local.set(k, v);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!stateDict.has(key)) {
        missingKeys.push(key);
        continue;
      }
      let input = stateDict.get(key);
      if (!(input instanceof Tensor)) {
        errorMsgs.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(input)}`,
        );
        continue;
      }
      if (param.shape.length === 0 && input.shape.length === 1 && input.shape[0] >= 1) {
        input = input.reshape(-1).narrow(0, 0, 1).reshape([]);
      }
      const inp = input as Tensor;
      if (inp.shape.length !== param.shape.length || inp.shape.some((s, i) => s !== param.shape[i])) {
        errorMsgs.push(
          `size mismatch for ${key}: copying a param with shape ${fmtSize(inp.shape)} from checkpoint, ` +
            `the shape in current model is ${fmtSize(param.shape)}.`,
        );
        continue;
      }
      try {
        noGrad(() => param.copy_(inp));
      } catch (e) {
        errorMsgs.push(
          `While copying the parameter named "${key}", whose dimensions in the model are ${fmtSize(param.shape)} and ` +
            `whose dimensions in the checkpoint are ${fmtSize(inp.shape)}, an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    for (const key of stateDict.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0];
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpectedKeys.push(key);
    }
  }

  // ---- printing ----------------------------------------------------------------------------------

  /** Extra text inside this module's printed line (override in layers). */
  extraRepr(): string {
    return '';
  }

  /** The module tree as PyTorch prints it (`repr(model)`). */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, m] of this._modules) {
      childLines.push(`(${key}): ${addIndent(m === null ? 'None' : m.toString(), 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = this._getName() + '(';
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += '\n  ' + lines.join('\n  ') + '\n';
    }
    return main + ')';
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** PyTorch's `_addindent`: indents every line but the first. */
export function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const first = lines.shift();
  return first + '\n' + lines.map((l) => ' '.repeat(n) + l).join('\n');
}

// ---- the Proxy: PyTorch's __setattr__ / __delattr__ ------------------------------------------------

type Target = Module & Record<string | symbol, unknown>;

function mirror(obj: object, name: string, value: unknown): void {
  const t = (obj as Target)[TARGET] as object;
  Reflect.defineProperty(t, name, { value, writable: true, enumerable: true, configurable: true });
}

function registerParameterImpl(self: Module, name: string, param: Parameter | null, viaSetattr: boolean): void {
  if (typeof name !== 'string') throw new TypeError(`parameter name should be a string. Got ${typeName(name)}`);
  if (name.includes('.')) throw new KeyError('parameter name can\'t contain "."');
  if (name === '') throw new KeyError('parameter name can\'t be empty string ""');
  // Through assignment, PyTorch first drops the name from __dict__, buffers and modules; only
  // class attributes (methods, accessors) then conflict.
  const exists = viaSetattr ? name in Object.getPrototypeOf(self) : hasattr(self, name);
  if (exists && !self._parameters.has(name)) throw new KeyError(`attribute '${name}' already exists`);
  if (param !== null) {
    if (!(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.gradFn !== null) {
      throw new Error(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
  }
  self._parameters.set(name, param);
  mirror(self, name, param);
}

function checkAssignName(name: string): void {
  // PyTorch does not check names on `setattr` of a module; a dotted name would break state dicts,
  // so torchlet rejects it as `add_module` does.
  if (name.includes('.')) throw new KeyError(`module name can't contain ".", got: ${name}`);
  if (name === '') throw new KeyError('module name can\'t be empty string ""');
}

function setAttr(self: Module, t: Target, name: string, value: unknown): void {
  const params = self._parameters;
  const buffers = self._buffers;
  const modules = self._modules;
  if (value instanceof Parameter) {
    buffers.delete(name);
    modules.delete(name);
    self._nonPersistentBuffersSet.delete(name);
    registerParameterImpl(self, name, value, true);
    return;
  }
  if (params.has(name)) {
    if (value !== null) {
      throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    }
    registerParameterImpl(self, name, null, true);
    return;
  }
  if (value instanceof Module) {
    checkAssignName(name);
    params.delete(name);
    buffers.delete(name);
    self._nonPersistentBuffersSet.delete(name);
    modules.set(name, value);
    mirror(self, name, value);
    return;
  }
  if (modules.has(name)) {
    if (value !== null) {
      throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    }
    modules.set(name, null);
    mirror(self, name, null);
    return;
  }
  if (buffers.has(name)) {
    if (value !== null && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    buffers.set(name, value as Tensor | null);
    mirror(self, name, value);
    return;
  }
  setPlain(self, t, name, value);
}

/** Ordinary assignment of a plain attribute (setters in the prototype chain run on the Proxy). */
function setPlain(self: Module, t: Target, name: string, value: unknown): void {
  const own = Reflect.getOwnPropertyDescriptor(t, name);
  if (own) {
    if ('value' in own) {
      if (!own.writable) throw new TypeError(`Cannot assign to read only property '${name}' of module`);
      t[name] = value;
      return;
    }
    if (own.set) {
      Reflect.apply(own.set, self, [value]);
      return;
    }
    throw new TypeError(`Cannot set property ${name} of module which has only a getter`);
  }
  for (let o = Object.getPrototypeOf(t); o !== null; o = Object.getPrototypeOf(o)) {
    const d = Reflect.getOwnPropertyDescriptor(o, name);
    if (!d) continue;
    if (d.set) {
      Reflect.apply(d.set, self, [value]);
      return;
    }
    if (d.get) throw new TypeError(`Cannot set property ${name} of module which has only a getter`);
    if (!d.writable) throw new TypeError(`Cannot assign to read only property '${name}' of module`);
    break;
  }
  Reflect.defineProperty(t, name, { value, writable: true, enumerable: true, configurable: true });
}

function isRegistered(self: Module, name: string): boolean {
  return self._parameters.has(name) || self._buffers.has(name) || self._modules.has(name);
}

const HANDLER: ProxyHandler<Target> = {
  set(t, key, value, receiver) {
    if (typeof key === 'symbol' || receiver !== t[SELF]) return Reflect.set(t, key, value, receiver);
    setAttr(receiver as Module, t, key, value);
    return true;
  },
  defineProperty(t, key, desc) {
    // Class fields ([[Define]] semantics) arrive here with a plain data descriptor.
    if (typeof key !== 'symbol' && 'value' in desc && desc.writable && desc.enumerable && desc.configurable) {
      const self = t[SELF] as Module;
      // A redeclared field (`weight!: Parameter;` in a subclass) must not drop a registration.
      if (desc.value === undefined && isRegistered(self, key)) return true;
      setAttr(self, t, key, desc.value);
      return true;
    }
    return Reflect.defineProperty(t, key, desc);
  },
  deleteProperty(t, key) {
    if (typeof key !== 'symbol') {
      const self = t[SELF] as Module;
      if (self._parameters.has(key)) self._parameters.delete(key);
      else if (self._buffers.has(key)) {
        self._buffers.delete(key);
        self._nonPersistentBuffersSet.delete(key);
      } else if (self._modules.has(key)) self._modules.delete(key);
    }
    return Reflect.deleteProperty(t, key);
  },
};

/**
 * @internal Replaces the whole child list (containers renumbering after insert/delete), keeping
 * the property mirrors in sync.
 */
export function _resetModules(self: Module, entries: [string, Module | null][]): void {
  const t = (self as unknown as Target)[TARGET] as Target;
  for (const k of self._modules.keys()) Reflect.deleteProperty(t, k);
  self._modules.clear();
  for (const [k, m] of entries) {
    self._modules.set(k, m);
    mirror(self, k, m);
  }
}

/** @internal Used by tests and the benchmark: the raw callable behind a module's Proxy. */
export function _rawTarget(m: Module): unknown {
  return (m as unknown as Target)[TARGET];
}
