/**
 * The call path of a module with hooks: PyTorch's `Module._call_impl`. A module without hooks
 * (local or global) never gets here: its callable goes straight to `forward`.
 *
 * Order: global then local forward pre-hooks (each may replace the arguments) → backward-hook
 * wiring of the inputs → `forward` → global then local forward hooks (each may replace the
 * output) → backward-hook wiring of the outputs. If anything throws, forward hooks registered
 * with `alwaysCall` that have not run yet still run, then the error propagates.
 *
 * A trailing plain-object argument is PyTorch's `**kwargs`: hooks see the positional arguments
 * as `args`, `withKwargs` hooks also get the object, and `forward` receives it last.
 */
import { Tensor } from '../tensor';
import { BackwardHookRunner, globalHooks, HookState } from './hooks';
import type { Module } from './module';
import { isKwargs, typeName } from './names';

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function callKw(hook: unknown, self: Module, args: unknown[], kwargs: Record<string, unknown>, result: unknown): unknown {
  return (hook as (m: Module, a: unknown[], k: Record<string, unknown>, o: unknown) => unknown)(self, args, kwargs, result);
}

export function callImpl(self: Module, hs: HookState, inArgs: unknown[]): unknown {
  const g = globalHooks;
  const n = inArgs.length;
  const hadKwargs = n > 0 && isKwargs(inArgs[n - 1]);
  let args = hadKwargs ? inArgs.slice(0, n - 1) : inArgs;
  let kwargs = (hadKwargs ? inArgs[n - 1] : {}) as Record<string, unknown>;
  let result: unknown = null;
  let called: Set<number> | null = null;
  try {
    const bwPre = g.backwardPre.size + hs.backwardPre.size > 0 ? [...g.backwardPre.values(), ...hs.backwardPre.values()] : null;
    const bwFull = g.backward.size + hs.backward.size > 0 ? [...g.backward.values(), ...hs.backward.values()] : null;
    if (g.forwardPre.size + hs.forwardPre.size > 0) {
      for (const [id, hook] of [...g.forwardPre, ...hs.forwardPre]) {
        if (hs.forwardPreWithKwargs.has(id)) {
          const r = (hook as unknown as (m: Module, a: unknown[], k: Record<string, unknown>) => unknown)(self, args, kwargs);
          if (r === undefined || r === null) continue;
          if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[0]) || !isKwargs(r[1])) {
            throw new Error(`forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got ${typeName(r)}.`);
          }
          [args, kwargs] = r as [unknown[], Record<string, unknown>];
          continue;
        }
        const r = hook(self, args);
        if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
      }
    }
    let bw: BackwardHookRunner | null = null;
    if (bwFull !== null || bwPre !== null) {
      bw = new BackwardHookRunner(self, bwFull ?? [], bwPre ?? []);
      args = bw.setupInputHook(args);
    }
    const passKwargs = hadKwargs || Object.keys(kwargs).length > 0;
    result = Reflect.apply(self.forward, self, passKwargs ? [...args, kwargs] : args);
    if (g.forward.size + hs.forward.size > 0) {
      for (const [id, hook] of [...g.forward, ...hs.forward]) {
        if (hs.forwardAlwaysCalled.has(id) || g.forwardAlwaysCalled.has(id)) (called ??= new Set()).add(id);
        const r = hs.forwardWithKwargs.has(id) || g.forwardWithKwargs.has(id) ? callKw(hook, self, args, kwargs, result) : hook(self, args, result);
        if (r !== undefined && r !== null) result = r;
      }
    }
    if (bw !== null) {
      if (!(result instanceof Tensor) && !Array.isArray(result)) {
        process.emitWarning(
          'For backward hooks to be called, module output should be a Tensor or a tuple of Tensors ' +
            `but received ${typeName(result)}`,
        );
      }
      result = bw.setupOutputHook(result);
    }
    return result;
  } catch (e) {
    for (const [id, hook] of g.forward) {
      if (!g.forwardAlwaysCalled.has(id) || called?.has(id)) continue;
      try {
        const r = hook(self, args, result);
        if (r !== undefined && r !== null) result = r;
      } catch (e2) {
        process.emitWarning(
          'global module forward hook with ``alwaysCall: true`` raised an exception that was silenced as another ' +
            `error was raised in forward: ${errMsg(e2)}`,
        );
      }
    }
    for (const [id, hook] of hs.forward) {
      if (!hs.forwardAlwaysCalled.has(id) || called?.has(id)) continue;
      try {
        const r = hs.forwardWithKwargs.has(id) ? callKw(hook, self, args, kwargs, result) : hook(self, args, result);
        if (r !== undefined && r !== null) result = r;
      } catch (e2) {
        process.emitWarning(
          'module forward hook with ``alwaysCall: true`` raised an exception that was silenced as another error ' +
            `was raised in forward: ${errMsg(e2)}`,
        );
      }
    }
    throw e;
  }
}
