/**
 * Module hooks: handles, the global registries (`nn.registerModuleForwardHook`, ...) and the
 * `BackwardHook` machinery that gives full backward hooks PyTorch's semantics
 * (torch/utils/hooks.py): a module's tensor inputs and outputs are passed through identity
 * autograd nodes, so the gradients of all inputs (resp. outputs) arrive together at one node.
 */
import { Tensor } from '../tensor';
import { record, Node } from '../autograd/node';
import { isGradEnabled } from '../autograd/grad-mode';
import { zeros } from '../ops/creation';
import type { Module } from './module';

/** Arrays stand for PyTorch's tuples; `null` marks a tensor without gradient. */
export type Grads = (Tensor | null)[];

/** `(module, args) => undefined | newArgs`; a non-array result becomes the single argument. */
export type ForwardPreHook<M = Module> = (module: M, args: any[]) => unknown;
/** `(module, args, output) => undefined | newOutput`. */
export type ForwardHook<M = Module> = (module: M, args: any[], output: any) => unknown;
/** `(module, gradOutput) => undefined | newGradOutput` (same length). */
export type BackwardPreHook<M = Module> = (module: M, gradOutput: Grads) => Grads | void | undefined | null;
/** `(module, gradInput, gradOutput) => undefined | newGradInput` (same length). */
export type BackwardHook<M = Module> = (module: M, gradInput: Grads, gradOutput: Grads) => Grads | void | undefined | null;

export interface PrependOption {
  /** Run this hook before the hooks already registered (PyTorch's `prepend=True`). */
  prepend?: boolean;
}
export interface ForwardPreHookOptions extends PrependOption {
  /**
   * The hook gets `(module, args, kwargs)` (kwargs: the trailing plain-object argument, `{}` if
   * none) and may return `[newArgs, newKwargs]`.
   */
  withKwargs?: boolean;
}
export interface ForwardHookOptions extends PrependOption {
  /** Run this hook even when forward (or an earlier hook) throws; the error then propagates. */
  alwaysCall?: boolean;
  /** The hook gets `(module, args, kwargs, output)`. */
  withKwargs?: boolean;
}

/** `(module, name, value) => undefined | replacement`, run as a module registers a member. */
export type RegistrationHook<V> = (module: Module, name: string, value: V) => V | void | undefined | null;

/** A hook dictionary: insertion-ordered, keyed by handle id (PyTorch's OrderedDict of hooks). */
export type HookDict<F> = Map<number, F>;

let nextId = 0;

/**
 * Returned by every `register*Hook`; `remove()` unregisters the hook and is idempotent.
 * Also a disposable: `using h = m.registerForwardHook(...)` removes it at scope exit.
 */
export class RemovableHandle {
  /** Process-wide increasing id (PyTorch's `RemovableHandle.next_id`). */
  readonly id: number;
  private dicts: (Map<number, unknown> | Set<number>)[] | null;
  private onRemove: (() => void) | null;

  /** @internal */
  constructor(dicts: (Map<number, unknown> | Set<number>)[], onRemove: (() => void) | null = null) {
    this.id = nextId++;
    this.dicts = dicts;
    this.onRemove = onRemove;
  }

  remove(): void {
    const dicts = this.dicts;
    if (dicts === null) return;
    for (const d of dicts) d.delete(this.id);
    this.dicts = null;
    const cb = this.onRemove;
    this.onRemove = null;
    if (cb) cb();
  }

  [Symbol.dispose](): void {
    this.remove();
  }
}

/** @internal Adds `hook` to `dict` under a fresh handle (at the front when `prepend`). */
export function addHook<F>(
  dict: HookDict<F>,
  hook: F,
  prepend: boolean,
  extra: (Map<number, unknown> | Set<number>)[] = [],
  onChange: (() => void) | null = null,
): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError(`hook must be a function, got ${typeof hook}`);
  const handle = new RemovableHandle([dict as Map<number, unknown>, ...extra], onChange);
  if (prepend && dict.size > 0) {
    const rest = [...dict];
    dict.clear();
    dict.set(handle.id, hook);
    for (const [k, v] of rest) dict.set(k, v);
  } else {
    dict.set(handle.id, hook);
  }
  if (onChange) onChange();
  return handle;
}

/** @internal Per-module hook state; `n` is the total count, read by the call fast path. */
export class HookState {
  n = 0;
  readonly forwardPre: HookDict<ForwardPreHook<any>> = new Map();
  readonly forward: HookDict<ForwardHook<any>> = new Map();
  readonly forwardAlwaysCalled = new Set<number>();
  readonly backwardPre: HookDict<BackwardPreHook<any>> = new Map();
  readonly backward: HookDict<BackwardHook<any>> = new Map();
  /** Ids of forward (pre-)hooks registered `withKwargs`. */
  readonly forwardPreWithKwargs = new Set<number>();
  readonly forwardWithKwargs = new Set<number>();
  // Not part of the call path, so not counted in `n`.
  readonly stateDictPre: HookDict<(...a: any[]) => unknown> = new Map();
  readonly stateDictPost: HookDict<(...a: any[]) => unknown> = new Map();
  readonly loadStateDictPre: HookDict<(...a: any[]) => unknown> = new Map();
  readonly loadStateDictPost: HookDict<(...a: any[]) => unknown> = new Map();
  readonly recount = (): void => {
    this.n = this.forwardPre.size + this.forward.size + this.backwardPre.size + this.backward.size;
  };
}

/** @internal The global registries (PyTorch's `_global_*_hooks`); `n` is their total size. */
export const globalHooks = new HookState();

/** Registers a forward pre-hook for all modules; it runs before every module's own pre-hooks. */
export function registerModuleForwardPreHook(hook: ForwardPreHook<any>): RemovableHandle {
  return addHook(globalHooks.forwardPre, hook, false, [], globalHooks.recount);
}

/**
 * Registers a forward hook for all modules; it runs before every module's own forward hooks.
 * `withKwargs`: the hook gets `(module, args, kwargs, output)`.
 */
export function registerModuleForwardHook(
  hook: (module: Module, args: any[], kwargs: Record<string, any>, output: any) => unknown,
  opts: { alwaysCall?: boolean; withKwargs: true },
): RemovableHandle;
export function registerModuleForwardHook(hook: ForwardHook<Module>, opts?: { alwaysCall?: boolean; withKwargs?: boolean }): RemovableHandle;
// Overloads, not a union: an inline hook keeps typed parameters.
export function registerModuleForwardHook(
  hook: ForwardHook<any> | ((module: Module, args: any[], kwargs: Record<string, unknown>, output: any) => unknown),
  opts: { alwaysCall?: boolean; withKwargs?: boolean } = {},
): RemovableHandle {
  const g = globalHooks;
  const h = addHook(g.forward, hook as ForwardHook<any>, false, [g.forwardAlwaysCalled, g.forwardWithKwargs], g.recount);
  if (opts.alwaysCall) g.forwardAlwaysCalled.add(h.id);
  if (opts.withKwargs) g.forwardWithKwargs.add(h.id);
  return h;
}

/** @internal The global registration hooks (PyTorch's `_global_{buffer,module,parameter}_registration_hooks`). */
export const registrationHooks = {
  buffer: new Map<number, RegistrationHook<any>>(),
  module: new Map<number, RegistrationHook<any>>(),
  parameter: new Map<number, RegistrationHook<any>>(),
};

/** @internal Runs the registration hooks of `kind`; each non-null result replaces the value. */
export function runRegistrationHooks<V>(kind: 'buffer' | 'module' | 'parameter', module: Module, name: string, value: V): V {
  const d = registrationHooks[kind];
  if (d.size === 0) return value;
  for (const hook of [...d.values()]) {
    const r = hook(module, name, value);
    if (r !== undefined && r !== null) value = r as V;
  }
  return value;
}

/** `hook(module, name, buffer)` runs in every `registerBuffer` (and buffer assignment); may return a replacement. */
export function registerModuleBufferRegistrationHook(hook: RegistrationHook<any>): RemovableHandle {
  return addHook(registrationHooks.buffer, hook, false);
}

/** `hook(module, name, submodule)` runs in every `addModule` (and module assignment); may return a replacement. */
export function registerModuleModuleRegistrationHook(hook: RegistrationHook<any>): RemovableHandle {
  return addHook(registrationHooks.module, hook, false);
}

/** `hook(module, name, param)` runs in every `registerParameter` (and parameter assignment); may return a replacement. */
export function registerModuleParameterRegistrationHook(hook: RegistrationHook<any>): RemovableHandle {
  return addHook(registrationHooks.parameter, hook, false);
}

/** Registers a full backward pre-hook for all modules (before each module's own). */
export function registerModuleFullBackwardPreHook(hook: BackwardPreHook<any>): RemovableHandle {
  return addHook(globalHooks.backwardPre, hook, false, [], globalHooks.recount);
}

/** Registers a full backward hook for all modules (before each module's own). */
export function registerModuleFullBackwardHook(hook: BackwardHook<any>): RemovableHandle {
  return addHook(globalHooks.backward, hook, false, [], globalHooks.recount);
}

/** A new tensor sharing `t`'s storage; `record` then makes it the output of an identity node. */
function alias(t: Tensor): Tensor {
  return t._alias();
}

function isSeq(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x);
}

/**
 * @internal PyTorch's `torch.utils.hooks.BackwardHook`: set up per call of a module that has full
 * backward hooks or backward pre-hooks.
 */
export class BackwardHookRunner {
  private gradOutputs: Grads | null = null;
  private nOutputs = -1;
  private nInputs = -1;
  private inputIdx: number[] | null = null;

  constructor(
    private readonly module: Module,
    private readonly userHooks: BackwardHook<any>[],
    private readonly userPreHooks: BackwardPreHook<any>[],
  ) {}

  private pack(indices: number[], values: Grads, size: number): Grads {
    const res: Grads = new Array(size).fill(null);
    for (let k = 0; k < indices.length; k++) res[indices[k]] = values[k] ?? null;
    return res;
  }

  /**
   * Routes the tensors of `args` that require grad through one identity node (named like
   * PyTorch's `BackwardHookFunctionBackward`); tensors that do not require grad pass unchanged,
   * as PyTorch marks them non-differentiable. Returns the new args, the positions routed
   * through the node, and the positions of all tensors.
   */
  private applyOnTensors(fn: (node: Node) => void, args: unknown[]): [unknown[], number[] | null, number[]] {
    const idx: number[] = [];
    const all: number[] = [];
    const tensors: Tensor[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a instanceof Tensor) {
        all.push(i);
        if (a.requiresGrad) {
          idx.push(i);
          tensors.push(a);
        }
      }
    }
    if (tensors.length === 0 || !isGradEnabled()) return [args, null, all];
    const outs = tensors.map(alias);
    const node = record('BackwardHookFunctionBackward', tensors, outs, (g) => g);
    if (node === null) return [args, null, all];
    fn(node);
    const res = args.slice();
    idx.forEach((pos, k) => (res[pos] = outs[k]));
    return [res, idx, all];
  }

  /**
   * Entries of a hook's replacement must be a Tensor of the replaced gradient's shape, or null
   * (PyTorch's engine rejects any other gradient a Function returns).
   */
  private checkReplacement(kind: string, out: unknown[], ref: Grads): Grads {
    out.forEach((g, i) => {
      if (g === null || g === undefined) return;
      if (!(g instanceof Tensor)) {
        throw new TypeError(`${kind} hook of ${this.module.constructor.name} returned a ${typeof g} at index ${i}; expected a Tensor or null`);
      }
      const r = ref[i];
      if (r && (r.shape.length !== g.shape.length || r.shape.some((d, j) => d !== g.shape[j]))) {
        throw new RangeError(
          `${kind} hook of ${this.module.constructor.name} returned an invalid gradient at index ${i} - got ` +
            `[${g.shape.join(', ')}] but expected shape compatible with [${r.shape.join(', ')}]`,
        );
      }
    });
    return out.map((g) => (g === undefined ? null : g)) as Grads;
  }

  setupInputHook(args: unknown[]): unknown[] {
    const [res, idx, all] = this.applyOnTensors((node) => {
      node.postHooks.push((gradInputs) => {
        if (this.gradOutputs === null) return;  // gradient did not pass through the outputs
        let res = this.pack(idx!, gradInputs, this.nInputs);
        // PyTorch's identity Function materializes missing gradients: every tensor argument
        // (even one that does not require grad) gets zeros; non-tensor arguments get null.
        for (const pos of all) if (res[pos] === null) res[pos] = zeros((args[pos] as Tensor).shape);
        for (const hook of this.userHooks) {
          const out = hook(this.module, res, this.gradOutputs);
          if (out === undefined || out === null) continue;
          if (!isSeq(out) || out.length !== res.length) {
            throw new Error(
              `Backward hook returned an invalid number of grad_input, got ${isSeq(out) ? out.length : 'a non-array'}, ` +
                `but expected ${res.length}`,
            );
          }
          res = this.checkReplacement('Backward', Array.from(out as ArrayLike<unknown>), res);
        }
        this.gradOutputs = null;
        return idx!.map((pos) => res[pos]);
      });
    }, args);
    this.nInputs = args.length;
    this.inputIdx = idx;
    return res;
  }

  setupOutputHook(result: unknown): unknown {
    const isTuple = isSeq(result);
    const args = isTuple ? (result as unknown[]) : [result];
    const [res, idx] = this.applyOnTensors((node) => {
      node.preHooks.push((gradOutputs) => {
        this.gradOutputs = this.pack(idx!, gradOutputs, this.nOutputs);
        const expected = this.gradOutputs.length;
        for (const hook of this.userPreHooks) {
          const out = hook(this.module, this.gradOutputs);
          if (out === undefined || out === null) continue;
          if (!isSeq(out) || out.length !== expected) {
            throw new Error(
              `Backward pre hook returned an invalid number of grad_output, got ${isSeq(out) ? out.length : 'a non-array'}, ` +
                `but expected ${expected}`,
            );
          }
          this.gradOutputs = this.checkReplacement('Backward pre', Array.from(out as ArrayLike<unknown>), this.gradOutputs);
        }
        const local = this.gradOutputs;
        // No input requires grad: the full hooks run now, with gradInput all null.
        if (this.inputIdx === null) {
          const gradInputs: Grads = new Array(this.nInputs).fill(null);
          for (const hook of this.userHooks) {
            const r = hook(this.module, gradInputs, this.gradOutputs);
            if (r !== undefined && r !== null && !(isSeq(r) && Array.from(r).every((g) => g === null || g === undefined))) {
              throw new Error(
                'Backward hook for Modules where no input requires gradient should always return None or None for all gradients.',
              );
            }
          }
          this.gradOutputs = null;
        }
        return idx!.map((pos) => local[pos] ?? null);
      });
    }, args);
    this.nOutputs = args.length;
    return isTuple ? res : res[0];
  }
}
