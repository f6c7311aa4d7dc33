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
import { isKwargs, typeName } from './names';

export { isKwargs, typeName };
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
  ForwardPreHookOptions,
  RemovableHandle,
  runRegistrationHooks,
} from './hooks';

/** PyTorch raises KeyError for bad registration names. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** PyTorch raises AttributeError for failed dotted-path lookups. */
export class AttributeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttributeError';
  }
}

const TARGET = Symbol('torchlet.module.target');
const SELF = Symbol('torchlet.module.self');

/** `t` as `dtype` if it is floating-point (PyTorch converts only floating tensors); else `t`. */
function convertFloating(t: Tensor, dtype: string): Tensor {
  const cur = (t as unknown as { dtype?: string }).dtype ?? 'float32';
  if (cur === dtype || cur === 'int64' || cur === 'bool') return t;
  const to = (t as unknown as { to?: (d: string) => Tensor }).to;
  if (typeof to !== 'function') throw new Error(`to: converting a ${cur} tensor to ${dtype} needs Tensor.to`);
  return to.call(t, dtype);
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

/** Options of `Module.to` (PyTorch's keyword arguments). */
export interface ModuleToOptions {
  dtype?: string;
  device?: string;
  /** Accepted for PyTorch parity; CPU copies are always synchronous. */
  nonBlocking?: boolean;
  /** Not accepted by `nn.Module.to` (PyTorch raises too). */
  copy?: boolean;
}

// Names that are dtypes, not devices, so `to('half')` reports an unsupported dtype.
const KNOWN_DTYPES = new Set(['float32', 'int64', 'bool', 'float64', 'float16', 'bfloat16', 'int32', 'int16', 'int8', 'uint8', 'float', 'double', 'half', 'long', 'int']);

export interface NamedMembersOptions {
  prefix?: string;
  recurse?: boolean;
  removeDuplicate?: boolean;
}

export interface NamedModulesOptions {
  memo?: Set<Module> | null;
  prefix?: string;
  removeDuplicate?: boolean;
}

export interface LoadStateDictOptions {
  /** Missing or unexpected keys raise (default true); size mismatches always raise. */
  strict?: boolean;
  /** Store the checkpoint's tensors themselves instead of copying into the existing ones. */
  assign?: boolean;
}

/** `(module, prefix, keepVars)`, before the module's state is saved. */
export type StateDictPreHook<M = Module> = (module: M, prefix: string, keepVars: boolean) => void;
/** `(module, stateDict, prefix, localMetadata)` after the module and its children are saved; must return undefined. */
export type StateDictPostHook<M = Module> = (
  module: M,
  stateDict: Record<string, Tensor>,
  prefix: string,
  localMetadata: Record<string, unknown>,
) => void;
/**
 * `(module, stateDict, prefix, localMetadata, strict, missingKeys, unexpectedKeys, errorMsgs)`
 * before the module loads its own entries; `stateDict` is the Map of this module's keys and may
 * be edited in place (to migrate old checkpoints).
 */
export type LoadStateDictPreHook<M = Module> = (
  module: M,
  stateDict: Map<string, unknown>,
  prefix: string,
  localMetadata: Record<string, unknown>,
  strict: boolean,
  missingKeys: string[],
  unexpectedKeys: string[],
  errorMsgs: string[],
) => void;
/** `(module, incompatibleKeys)` after the module and its children are loaded; may edit the key lists in place. */
export type LoadStateDictPostHook<M = Module> = (module: M, incompatibleKeys: IncompatibleKeys) => void;

const EXTRA_STATE = '_extra_state';

/**
 * A state dict's `_metadata`: per module prefix (without the trailing dot; '' for the root),
 * `{ version }`, the saving class's static `_version` (PyTorch's class attribute, default 1).
 */
export type StateDictMetadata = Record<string, Record<string, unknown>>;

function moduleVersion(m: Module): number {
  const v = (m.constructor as { _version?: unknown })._version;
  return typeof v === 'number' ? v : 1;
}

/** The call signature: `model(...args)` is typed after the subclass's `forward`. */
// A and R are the class's type parameters (merged declarations must repeat them); only the class uses them.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface Module<A extends unknown[] = any[], R = any> {

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
    return createModule(new.target.prototype);
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
    module = runRegistrationHooks('module', this, name, module);
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
    tensor = runRegistrationHooks('buffer', this, name, tensor);
    this._buffers.set(name, tensor);
    if (persistent) this._nonPersistentBuffersSet.delete(name);
    else this._nonPersistentBuffersSet.add(name);
    mirror(this, name, tensor);
  }

  /** The submodule at a dotted path (`''` is this module); PyTorch's `get_submodule`. */
  getSubmodule(target: string): Module {
    if (typeof target !== 'string') throw new TypeError(`getSubmodule: target must be a string, got ${typeName(target)}`);
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      if (!hasattr(mod, item)) throw new AttributeError(`${mod._getName()} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new AttributeError(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /**
   * Replaces (or, unless `strict`, adds) the submodule at a dotted path; the parent must exist.
   * PyTorch's `set_submodule(target, module, strict=False)`.
   */
  setSubmodule(target: string, module: Module, strict: boolean | { strict?: boolean } = false): void {
    if (strict !== null && typeof strict === 'object') strict = !!strict.strict;
    if (typeof target !== 'string') throw new TypeError(`setSubmodule: target must be a string, got ${typeName(target)}`);
    if (target === '') throw new Error('Cannot set the submodule without a target name!');
    if (!(module instanceof Module)) throw new Error(`\`module\` is not an nn.Module, found ${typeName(module)}`);
    const atoms = target.split('.');
    const name = atoms.pop() as string;
    const parent = atoms.length === 0 ? this : this.getSubmodule(atoms.join('.'));
    if (strict && !hasattr(parent, name)) throw new AttributeError(`${parent._getName()} has no attribute \`${name}\``);
    if (hasattr(parent, name)) {
      const cur = (parent as unknown as Record<string, unknown>)[name];
      if (!(cur instanceof Module)) throw new AttributeError(`\`${name}\` is not an nn.Module`);
    }
    (parent as unknown as Record<string, unknown>)[name] = module;
  }

  /** The parameter at a dotted path; PyTorch's `get_parameter`. */
  getParameter(target: string): Parameter {
    if (typeof target !== 'string') throw new TypeError(`getParameter: target must be a string, got ${typeName(target)}`);
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!hasattr(mod, name)) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    const p = (mod as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  /** The buffer at a dotted path; PyTorch's `get_buffer`. */
  getBuffer(target: string): Tensor {
    if (typeof target !== 'string') throw new TypeError(`getBuffer: target must be a string, got ${typeName(target)}`);
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!hasattr(mod, name)) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    if (!mod._buffers.has(name)) throw new AttributeError(`\`${name}\` is not a buffer`);
    return mod._buffers.get(name) as Tensor;
  }

  // ---- hooks -------------------------------------------------------------------------------------

  /**
   * `hook(module, args)` runs before `forward`; returning a value replaces the arguments (a
   * non-array value becomes the single argument).
   */
  registerForwardPreHook(
    hook: (module: this, args: any[], kwargs: Record<string, any>) => unknown,
    opts: ForwardPreHookOptions & { withKwargs: true },
  ): RemovableHandle;
  registerForwardPreHook(hook: (module: this, args: Parameters<this['forward']>) => unknown, opts?: ForwardPreHookOptions): RemovableHandle;
  // Overloads rather than a union of hook types: a union would leave an inline hook's parameters
  // without a contextual type (implicitly any under strict).
  registerForwardPreHook(
    hook: ((module: this, args: Parameters<this['forward']>) => unknown) | ((module: this, args: any[], kwargs: Record<string, any>) => unknown),
    opts: ForwardPreHookOptions = {},
  ): RemovableHandle {
    const hs = this._hookState;
    const h = addHook(hs.forwardPre, hook as unknown as ForwardPreHook<any>, !!opts.prepend, [hs.forwardPreWithKwargs], hs.recount);
    if (opts.withKwargs) hs.forwardPreWithKwargs.add(h.id);
    return h;
  }

  /**
   * `hook(module, args, output)` runs after `forward`; returning a value replaces the output.
   * With `alwaysCall`, it also runs when forward or an earlier hook throws.
   */
  registerForwardHook(
    hook: (module: this, args: any[], kwargs: Record<string, any>, output: ReturnType<this['forward']>) => unknown,
    opts: ForwardHookOptions & { withKwargs: true },
  ): RemovableHandle;
  registerForwardHook(
    hook: (module: this, args: Parameters<this['forward']>, output: ReturnType<this['forward']>) => unknown,
    opts?: ForwardHookOptions,
  ): RemovableHandle;
  registerForwardHook(
    hook:
      | ((module: this, args: Parameters<this['forward']>, output: ReturnType<this['forward']>) => unknown)
      | ((module: this, args: any[], kwargs: Record<string, any>, output: ReturnType<this['forward']>) => unknown),
    opts: ForwardHookOptions = {},
  ): RemovableHandle {
    const hs = this._hookState;
    const h = addHook(hs.forward, hook as unknown as ForwardHook<any>, !!opts.prepend, [hs.forwardAlwaysCalled, hs.forwardWithKwargs], hs.recount);
    if (opts.alwaysCall) hs.forwardAlwaysCalled.add(h.id);
    if (opts.withKwargs) hs.forwardWithKwargs.add(h.id);
    return h;
  }

  /**
   * `hook(module, gradOutput)` runs when the gradients of the module's outputs are computed;
   * returning an array of the same length replaces them.
   */
  registerFullBackwardPreHook(hook: BackwardPreHook<this>, opts: { prepend?: boolean } | boolean = {}): RemovableHandle {
    const hs = this._hookState;
    const prepend = typeof opts === 'boolean' ? opts : !!opts.prepend;
    return addHook(hs.backwardPre, hook as BackwardPreHook<any>, prepend, [], hs.recount);
  }

  /**
   * `hook(module, gradInput, gradOutput)` runs when the gradients of the module's inputs are
   * computed (`null` for inputs without gradient); returning an array of the same length
   * replaces the gradients flowing to the inputs.
   */
  registerFullBackwardHook(hook: BackwardHook<this>, opts: { prepend?: boolean } | boolean = {}): RemovableHandle {
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

  /**
   * `[path, module]` for this module and all below it, pre-order. Positional
   * `(memo, prefix, removeDuplicate)` or an options object `{ memo, prefix, removeDuplicate }`.
   */
  *namedModules(
    memo?: Set<Module> | null | NamedModulesOptions,
    prefix = '',
    removeDuplicate = true,
  ): Generator<[string, Module], void, undefined> {
    let seen: Set<Module> | null | undefined;
    if (memo !== null && memo !== undefined && !(memo instanceof Set)) {
      if (typeof memo !== 'object') throw new TypeError(`namedModules: memo must be a Set or an options object, got ${typeName(memo)}`);
      ({ memo: seen = null, prefix = '', removeDuplicate = true } = memo);
    } else {
      seen = memo;
    }
    yield* namedModulesImpl(this, seen ?? new Set<Module>(), prefix, removeDuplicate);
  }

  /** @internal */
  private *namedMembers<T>(
    get: (m: Module) => Iterable<[string, T | null]>,
    prefix: string,
    recurse: boolean,
    removeDuplicate: boolean,
  ): Generator<[string, T], void, undefined> {
    const memo = new Set<T>();
    const mods: Iterable<[string, Module]> = recurse ? namedModulesImpl(this, new Set(), prefix, removeDuplicate) : [[prefix, this]];
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
    const r = recurse !== null && typeof recurse === 'object' ? recurse.recurse ?? true : recurse;
    for (const [, p] of this.namedParameters('', r)) yield p;
  }

  *namedParameters(
    prefix: string | NamedMembersOptions = '',
    recurse = true,
    removeDuplicate = true,
  ): Generator<[string, Parameter], void, undefined> {
    if (prefix !== null && typeof prefix === 'object') {
      ({ prefix = '', recurse = true, removeDuplicate = true } = prefix);
    }
    yield* this.namedMembers((m) => m._parameters, prefix as string, recurse, removeDuplicate);
  }

  /** Buffers (persistent or not) of this module and (with `recurse`) its descendants. */
  *buffers(recurse: boolean | { recurse?: boolean } = true): Generator<Tensor, void, undefined> {
    const r = recurse !== null && typeof recurse === 'object' ? recurse.recurse ?? true : recurse;
    for (const [, b] of this.namedBuffers('', r)) yield b;
  }

  *namedBuffers(
    prefix: string | NamedMembersOptions = '',
    recurse = true,
    removeDuplicate = true,
  ): Generator<[string, Tensor], void, undefined> {
    if (prefix !== null && typeof prefix === 'object') {
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
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`requiresGrad_: expected a boolean, got ${typeName(requiresGrad)}`);
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * A copy of the whole module tree (PyTorch's `copy.deepcopy(model)`): same classes, copied
   * parameters (with their grads), buffers and plain attributes; shared submodules and tied
   * parameters stay shared within the copy. Hooks are not copied.
   */
  deepcopy(): this {
    return deepcopyModule(this, new Map()) as this;
  }

  /**
   * Converts floating-point parameters and buffers to `dtype` (PyTorch's `module.to(dtype)`);
   * integer buffers are left alone. The forms of PyTorch's `to`: `to(dtype)`, `to(device)`,
   * `to(tensor)` (its dtype), `to({ device, dtype })`, and a trailing options object
   * (`to('cpu', { dtype, nonBlocking })`). Only the 'cpu' device exists; it changes nothing.
   * Returns this module.
   */
  to(target: string | Tensor | ModuleToOptions, opts?: ModuleToOptions): this {
    if (arguments.length > 2) {
      throw new TypeError(`to() takes a dtype, a device or a tensor, then an options object; got ${arguments.length} arguments`);
    }
    const isOpts = (o: unknown): o is ModuleToOptions =>
      o !== null && typeof o === 'object' && !Array.isArray(o) && !(o instanceof Tensor) && Object.getPrototypeOf(o) === Object.prototype;
    if (opts !== undefined && !isOpts(opts)) {
      throw new TypeError(`to(): the second argument must be an options object ({ dtype, device, nonBlocking }), got ${typeName(opts)}`);
    }
    let device: string | undefined;
    let dtype: string | undefined;
    if (typeof target === 'string') {
      if (target === 'cpu' || /^[a-z]+(:\d+)?$/.test(target) && !KNOWN_DTYPES.has(target)) device = target;
      else dtype = target;
    } else if (target instanceof Tensor) {
      dtype = target.dtype;
    } else if (isOpts(target)) {
      if (opts !== undefined) throw new TypeError('to(): an options object must be the only or the last argument');
      opts = target;
    } else {
      throw new TypeError(`to() received an invalid combination of arguments: expected a dtype, a device, a tensor or an options object, got ${typeName(target)}`);
    }
    if (opts !== undefined) {
      if (opts.copy !== undefined) throw new Error('to(): nn.Module.to does not take a copy argument');
      if (opts.nonBlocking !== undefined && typeof opts.nonBlocking !== 'boolean') {
        throw new TypeError(`to(): nonBlocking must be a boolean, got ${typeName(opts.nonBlocking)}`);
      }
      if (opts.device !== undefined) {
        if (device !== undefined) throw new TypeError('to(): the device is given twice');
        device = opts.device;
      }
      if (opts.dtype !== undefined) {
        if (dtype !== undefined) throw new TypeError('to(): the dtype is given twice');
        dtype = opts.dtype;
      }
    }
    if (device !== undefined && device !== 'cpu') {
      throw new Error(`to: only the 'cpu' device exists in torchlet, got '${device}'`);
    }
    if (dtype === undefined) return this;
    if (typeof dtype !== 'string') throw new TypeError(`to: expected a dtype or device string, got ${typeName(dtype)}`);
    if (dtype !== 'float32') {
      if (dtype === 'int64' || dtype === 'bool') {
        throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
      }
      throw new TypeError(`to: unknown dtype or device '${dtype}' (torchlet's floating dtype is 'float32')`);
    }
    return this._applyTensors((t) => convertFloating(t, dtype as string));
  }

  /** Casts all floating-point parameters and buffers to float32 (PyTorch's `module.float()`). */
  float(): this {
    return this._applyTensors((t) => convertFloating(t, 'float32'));
  }

  /**
   * @internal PyTorch's `Module._apply`: replaces every parameter's data and buffer by `fn(t)`
   * (parameters keep their identity; a converted grad follows).
   */
  _applyTensors(fn: (t: Tensor) => Tensor): this {
    // As PyTorch's _apply: fn runs under no_grad (an in-place fn on a leaf parameter is allowed,
    // and bumps its version), on each parameter's grad too.
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [k, p] of m._parameters) {
          if (p === null) continue;
          const np = fn(p);
          const g = p.grad;
          const ng = g === null ? null : fn(g);
          if (np !== p) {
            const q = new Parameter(np.detach(), p.requiresGrad);
            if (ng !== null) q.grad = ng;
            (m as unknown as Record<string, unknown>)[k] = q;
          } else if (ng !== g) {
            p.grad = ng;
          }
        }
        for (const [k, b] of m._buffers) {
          if (b === null) continue;
          const nb = fn(b);
          if (nb !== b) (m as unknown as Record<string, unknown>)[k] = nb;
        }
      }
    });
    return this;
  }

  /**
   * Resets the gradients of all parameters: to null (default), or to zeros with
   * `zeroGrad(false)` / `zeroGrad({ setToNone: false })`.
   */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = true): void {
    if (setToNone !== null && typeof setToNone === 'object') setToNone = setToNone.setToNone ?? true;
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
   * Parameters then persistent buffers of each module, then its extra state, then its children,
   * pre-order, with dotted keys (`c1.weight`, `bn.running_mean`, ...). Values are detached
   * tensors sharing storage. State-dict pre-hooks run first, post-hooks after the children.
   */
  stateDict(opts: StateDictOptions = {}): Record<string, Tensor> {
    let dest = opts.destination;
    if (dest === undefined) {
      dest = {};
      // PyTorch's OrderedDict `_metadata` attribute: non-enumerable, so entries and JSON skip it.
      Object.defineProperty(dest, '_metadata', { value: {}, enumerable: false, writable: true, configurable: true });
    }
    const prefix = opts.prefix ?? '';
    const keep = !!opts.keepVars;
    const hs = this._hookState;
    const localMetadata: Record<string, unknown> = { version: moduleVersion(this) };
    const meta = (dest as { _metadata?: StateDictMetadata })._metadata;
    if (meta !== undefined && meta !== null) meta[prefix.slice(0, -1)] = localMetadata;
    for (const hook of hs.stateDictPre.values()) hook(this, prefix, keep);
    this._saveToStateDict(dest, prefix, keep);
    for (const [name, m] of this._modules) {
      if (m !== null) m.stateDict({ destination: dest, prefix: prefix + name + '.', keepVars: keep });
    }
    for (const hook of hs.stateDictPost.values()) {
      const r = hook(this, dest, prefix, localMetadata);
      if (r !== undefined && r !== null) throw new Error('state_dict post-hook must return None');
    }
    return dest;
  }

  /** @internal Saves this module's own params, persistent buffers and extra state. */
  _saveToStateDict(dest: Record<string, Tensor>, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this._parameters) if (p !== null) dest[prefix + name] = keepVars ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b !== null && !this._nonPersistentBuffersSet.has(name)) dest[prefix + name] = keepVars ? b : b.detach();
    }
    if (this.getExtraState !== Module.prototype.getExtraState) {
      (dest as Record<string, unknown>)[prefix + EXTRA_STATE] = this.getExtraState();
    }
  }

  /**
   * Extra state saved under `<prefix>_extra_state` (override with `setExtraState`); any value.
   * Only called when a subclass overrides it.
   */
  getExtraState(): unknown {
    throw new Error(
      'Reached a code path in Module.get_extra_state() that should never be called. Please file an issue ' +
        'at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.',
    );
  }

  /** Restores what `getExtraState` returned; only called when a subclass overrides it. */
  setExtraState(state: unknown): void {
    void state;
    throw new Error(
      'Reached a code path in Module.set_extra_state() that should never be called. Please file an issue ' +
        'at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.',
    );
  }

  /**
   * Copies parameters and buffers from `stateDict` (a record or Map). Returns the missing and
   * unexpected keys; throws naming every offending key on a shape mismatch (always) or, when
   * `strict` (default), on missing or unexpected keys. With `assign`, the checkpoint's tensors
   * become the module's (parameters keep the module's `requiresGrad`).
   */
  loadStateDict(
    stateDict: Record<string, Tensor> | Map<string, Tensor>,
    opts: LoadStateDictOptions | boolean = {},
  ): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    }
    if (opts === null || (typeof opts !== 'object' && typeof opts !== 'boolean')) {
      throw new TypeError(`loadStateDict: options must be an object or a boolean (strict), got ${typeName(opts)}`);
    }
    const strict = typeof opts === 'boolean' ? opts : opts.strict ?? true;
    const assign = typeof opts === 'boolean' ? false : !!opts.assign;
    const entries: [string, unknown][] = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const incompatible = new IncompatibleKeys(missing, unexpected);
    const metadata = (stateDict as { _metadata?: StateDictMetadata })._metadata;
    const load = (mod: Module, local: Map<string, unknown>, prefix: string): void => {
      const localMetadata = metadata?.[prefix.slice(0, -1)] ?? {};
      for (const hook of mod._hookState.loadStateDictPre.values()) {
        hook(mod, local, prefix, localMetadata, true, missing, unexpected, errors);
      }
      mod._assign = assign;
      mod._localMetadata = localMetadata;
      try {
        mod._loadFromStateDict(local, prefix, missing, unexpected, errors);
      } finally {
        mod._assign = false;
        mod._localMetadata = null;
      }
      for (const [name, child] of mod._modules) {
        if (child === null) continue;
        const cp = prefix + name + '.';
        const sub = new Map<string, unknown>();
        for (const [k, v] of local) if (k.startsWith(cp)) sub.set(k, v);
        load(child, sub, cp);
      }
      for (const hook of mod._hookState.loadStateDictPost.values()) {
        const r = hook(mod, incompatible);
        if (r !== undefined && r !== null) {
          throw new Error('Hooks registered with ``register_load_state_dict_post_hook`` are notexpected to return new values, if incompatible_keys need to be modified,it should be done inplace.');
        }
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
    return incompatible;
  }

  /** @internal Set by `loadStateDict({ assign })` while this module loads. */
  declare _assign: boolean;

  /**
   * @internal While this module loads: its entry of the state dict's `_metadata` (`{ version }`
   * as saved, `{}` for a checkpoint without metadata), for `_loadFromStateDict` overrides that
   * migrate old versions (PyTorch's `local_metadata` argument).
   */
  declare _localMetadata: Record<string, unknown> | null;

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
    const assign = !!this._assign;
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
        if (assign) {
          if (param instanceof Parameter) {
            const np = inp instanceof Parameter ? inp : new Parameter(inp, param.requiresGrad);
            np.requiresGrad_(param.requiresGrad);
            (this as unknown as Record<string, unknown>)[name] = np;
          } else {
            (this as unknown as Record<string, unknown>)[name] = inp;
          }
        } else {
          noGrad(() => param.copy_(inp));
        }
      } catch (e) {
        errorMsgs.push(
          `While copying the parameter named "${key}", whose dimensions in the model are ${fmtSize(param.shape)} and ` +
            `whose dimensions in the checkpoint are ${fmtSize(inp.shape)}, an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    const extraKey = prefix + EXTRA_STATE;
    if (this.setExtraState !== Module.prototype.setExtraState) {
      if (stateDict.has(extraKey)) this.setExtraState(stateDict.get(extraKey));
      else missingKeys.push(extraKey);
    } else if (stateDict.has(extraKey)) {
      unexpectedKeys.push(extraKey);
    }
    for (const key of stateDict.keys()) {
      if (!key.startsWith(prefix) || key === extraKey) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      // A dotted remainder must address a child module (`fc1.weight.bad_suffix` does not).
      if (dot >= 0 ? !this._modules.has(rest.slice(0, dot)) : !local.has(rest)) unexpectedKeys.push(key);
    }
  }

  /** `hook(module, prefix, keepVars)` runs before `stateDict` saves this module. */
  registerStateDictPreHook(hook: StateDictPreHook<this>): RemovableHandle {
    return addHook(this._hookState.stateDictPre, hook as StateDictPreHook<any>, false);
  }

  /**
   * `hook(module, stateDict, prefix, localMetadata)` runs after this module and its children are
   * saved; it may edit `stateDict` in place and must return undefined.
   */
  registerStateDictPostHook(hook: StateDictPostHook<this>): RemovableHandle {
    return addHook(this._hookState.stateDictPost, hook as StateDictPostHook<any>, false);
  }

  /** See {@link LoadStateDictPreHook}. */
  registerLoadStateDictPreHook(hook: LoadStateDictPreHook<this>): RemovableHandle {
    return addHook(this._hookState.loadStateDictPre, hook as LoadStateDictPreHook<any>, false);
  }

  /**
   * `hook(module, incompatibleKeys)` runs after this module and its children are loaded; it may
   * edit `incompatibleKeys.missingKeys`/`unexpectedKeys` in place and must return undefined.
   */
  registerLoadStateDictPostHook(hook: LoadStateDictPostHook<this>): RemovableHandle {
    return addHook(this._hookState.loadStateDictPost, hook as LoadStateDictPostHook<any>, false);
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

/**
 * The callable Proxy behind every module, with prototype `proto` and empty registries
 * (the constructor's body; `deepcopy` uses it to make an instance without running a subclass
 * constructor).
 */
function createModule(proto: object): Module {
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
  Object.setPrototypeOf(fn, proto);
  const hidden = (key: string | symbol, value: unknown) =>
    Object.defineProperty(fn, key, { value, writable: true, enumerable: false, configurable: true });
  hidden('training', true);
  hidden('_parameters', new Map());
  hidden('_buffers', new Map());
  hidden('_nonPersistentBuffersSet', new Set());
  hidden('_modules', new Map());
  hidden('_hookState', hs);
  hidden('_assign', false);
  hidden('_localMetadata', null);
  hidden(TARGET, fn);
  self = new Proxy(fn, HANDLER) as unknown as Module;
  hidden(SELF, self);
  return self;
}

const INTERNAL = new Set<string | symbol>(['training', '_parameters', '_buffers', '_nonPersistentBuffersSet', '_modules', '_hookState', '_assign', '_localMetadata', TARGET, SELF]);

/** Deep copy of plain data (arrays, plain objects, Maps, Sets, typed arrays, tensors, modules). */
function deepcopyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
  if (memo.has(v)) return memo.get(v);
  if (v instanceof Module) return deepcopyModule(v, memo);
  if (v instanceof Tensor) {
    const c = v instanceof Parameter ? new Parameter(v.detach().clone(), v.requiresGrad) : v.detach().clone();
    if (!(v instanceof Parameter) && v.requiresGrad) c.requiresGrad_(true);
    if (v.grad !== null) c.grad = v.grad.detach().clone();
    memo.set(v, c);
    return c;
  }
  if (typeof v === 'function') return v;
  if (ArrayBuffer.isView(v)) {
    const c = (v as unknown as { slice(): unknown }).slice();
    memo.set(v, c);
    return c;
  }
  if (Array.isArray(v)) {
    const c: unknown[] = [];
    memo.set(v, c);
    for (const x of v) c.push(deepcopyValue(x, memo));
    return c;
  }
  if (v instanceof Map) {
    const c = new Map();
    memo.set(v, c);
    for (const [k, x] of v) c.set(deepcopyValue(k, memo), deepcopyValue(x, memo));
    return c;
  }
  if (v instanceof Set) {
    const c = new Set();
    memo.set(v, c);
    for (const x of v) c.add(deepcopyValue(x, memo));
    return c;
  }
  const c = Object.create(Object.getPrototypeOf(v));
  memo.set(v, c);
  for (const k of Reflect.ownKeys(v as object)) {
    const d = Reflect.getOwnPropertyDescriptor(v as object, k)!;
    if ('value' in d) d.value = deepcopyValue(d.value, memo);
    Reflect.defineProperty(c, k, d);
  }
  return c;
}

function deepcopyModule(src: Module, memo: Map<unknown, unknown>): Module {
  const dst = createModule(Object.getPrototypeOf(src));
  memo.set(src, dst);
  const st = (src as unknown as Target)[TARGET] as object;
  const dt = (dst as unknown as Target)[TARGET] as object;
  (dt as Target).training = src.training;
  // copy.deepcopy copies the hook dicts too (the hook functions themselves are shared): a copy
  // of a model keeps its hooks, and handles of the original remove only the original's.
  const sh = src._hookState, dh = dst._hookState;
  for (const key of Object.keys(sh) as (keyof HookState)[]) {
    const from = sh[key] as unknown, to = dh[key] as unknown;
    if (from instanceof Map && to instanceof Map) for (const [k, v] of from) to.set(k, v);
    else if (from instanceof Set && to instanceof Set) for (const v of from) to.add(v);
  }
  dh.recount();
  for (const [k, p] of src._parameters) dst._parameters.set(k, deepcopyValue(p, memo) as Parameter | null);
  for (const [k, b] of src._buffers) dst._buffers.set(k, deepcopyValue(b, memo) as Tensor | null);
  for (const k of src._nonPersistentBuffersSet) dst._nonPersistentBuffersSet.add(k);
  for (const [k, m] of src._modules) dst._modules.set(k, m === null ? null : memo.has(m) ? (memo.get(m) as Module) : deepcopyModule(m, memo));
  for (const key of Reflect.ownKeys(st)) {
    if (INTERNAL.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(st, key)!;
    if (typeof key === 'string' && isRegistered(src, key)) {
      const reg = dst._parameters.has(key) ? dst._parameters.get(key) : dst._buffers.has(key) ? dst._buffers.get(key) : dst._modules.get(key);
      Reflect.defineProperty(dt, key, { value: reg, writable: true, enumerable: true, configurable: true });
      continue;
    }
    if ('value' in d) d.value = deepcopyValue(d.value, memo);
    Reflect.defineProperty(dt, key, d);
  }
  return dst;
}

function* namedModulesImpl(m: Module, memo: Set<Module>, prefix: string, removeDuplicate: boolean): Generator<[string, Module], void, undefined> {
  if (memo.has(m)) return;
  if (removeDuplicate) memo.add(m);
  yield [prefix, m];
  for (const [name, c] of m._modules) {
    if (c === null) continue;
    yield* namedModulesImpl(c, memo, prefix + (prefix ? '.' : '') + name, removeDuplicate);
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
  param = runRegistrationHooks('parameter', self, name, param);
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
    const m = runRegistrationHooks('module', self, name, value);
    modules.set(name, m);
    mirror(self, name, m);
    return;
  }
  if (modules.has(name)) {
    if (value !== null) {
      throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    }
    const m = runRegistrationHooks('module', self, name, null);
    modules.set(name, m);
    mirror(self, name, m);
    return;
  }
  if (buffers.has(name)) {
    if (value !== null && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    const b = runRegistrationHooks('buffer', self, name, value as Tensor | null);
    buffers.set(name, b);
    mirror(self, name, b);
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
