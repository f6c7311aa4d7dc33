/**
 * Grad mode: whether ops record the graph. A module-level default (in Node, per worker_thread), and
 * inside noGrad/enableGrad/inferenceMode a per-async-context value (AsyncLocalStorage), so an async
 * function keeps its mode across its awaits without leaking it into code that runs concurrently.
 */
import { AsyncLocalStorage } from 'async_hooks';

let enabled = true;
interface Frame { enabled: boolean }
let als: AsyncLocalStorage<Frame> | null = null;

function frame(): Frame | undefined {
  return als === null ? undefined : als.getStore();
}

/** Whether autograd records operations (PyTorch's `torch.is_grad_enabled`). */
export function isGradEnabled(): boolean {
  const f = als === null ? undefined : als.getStore();
  return f ? f.enabled : enabled;
}

/** Sets grad mode (for the current async context when inside an async noGrad); returns the previous value. */
export function setGradEnabled(mode: boolean): boolean {
  const f = frame();
  if (f) {
    const prev = f.enabled;
    f.enabled = !!mode;
    return prev;
  }
  const prev = enabled;
  enabled = !!mode;
  return prev;
}

function withMode<T>(op: string, mode: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`${op}: expected a function, got ${typeof fn}`);
  // The mode is a property of the async context fn runs in, so it holds for everything fn starts,
  // synchronously or after an await, and for nothing that runs concurrently outside it.
  als ??= new AsyncLocalStorage<Frame>();
  return als.run({ enabled: mode }, fn);
}

/**
 * Runs `fn` with autograd disabled (PyTorch's `with torch.no_grad():`) and returns its result. An
 * async `fn` stays in no-grad mode across its awaits (its promise is returned).
 * @example const y = torch.noGrad(() => model(x));
 * @example const y = await torch.noGrad(async () => model(await load()));
 */
export function noGrad<T>(fn: () => T): T {
  return withMode('noGrad', false, fn);
}

/** Runs `fn` with autograd enabled, even inside `noGrad` (async functions as in {@link noGrad}). */
export function enableGrad<T>(fn: () => T): T {
  return withMode('enableGrad', true, fn);
}

/**
 * PyTorch's `torch.inference_mode()`: no graph is recorded. Here the same as {@link noGrad} (there
 * are no separate inference tensors).
 */
export function inferenceMode<T>(fn: () => T): T {
  return withMode('inferenceMode', false, fn);
}
