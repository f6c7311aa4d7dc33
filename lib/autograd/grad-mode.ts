/**
 * Grad mode: whether ops record the graph. Module-level state, which in Node is per worker_thread.
 */
let enabled = true;

/** Whether autograd records operations (PyTorch's `torch.is_grad_enabled`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode; returns the previous value. */
export function setGradEnabled(mode: boolean): boolean {
  const prev = enabled;
  enabled = mode;
  return prev;
}

/**
 * Runs `fn` with autograd disabled (PyTorch's `with torch.no_grad():`) and returns its result.
 * @example const y = torch.noGrad(() => model(x));
 */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with autograd enabled, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
