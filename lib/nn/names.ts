/**
 * Small helpers shared by the module machinery (module.ts, call.ts, containers, utils). Kept apart
 * from module.ts so call.ts can use them without importing module.ts (no import cycle).
 * @internal
 */
import { Tensor } from '../tensor';

/** PyTorch's `torch.typename`, as far as it applies to JS values (for error messages). */
export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return v.dtype === 'int64' ? 'torch.LongTensor' : v.dtype === 'bool' ? 'torch.BoolTensor' : 'torch.FloatTensor';
  if (typeof v === 'object' || typeof v === 'function') {
    const c = (v as { constructor?: { name?: string } }).constructor;
    return c && c.name ? c.name : typeof v;
  }
  return typeof v;
}

/** A trailing plain object argument stands for PyTorch's `**kwargs`. */
export function isKwargs(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}
