/** Argument helpers shared by the nn functional ops. @internal */
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';

export type Size2 = number | readonly [number, number] | readonly number[];

export function checkTensor(op: string, x: unknown, name: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  }
}

export function checkOptionalTensor(op: string, x: unknown, name: string): Tensor | null {
  if (x === undefined || x === null) return null;
  checkTensor(op, x, name);
  return x;
}

/** A size given as n or [h, w]: a pair of integers >= min. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const bad = () =>
    new RangeError(`${op}: ${name} must be an integer >= ${min} or a pair of them (each < 2^31), got ${JSON.stringify(v)}`);
  let p: [number, number];
  if (typeof v === 'number') p = [v, v];
  else if (Array.isArray(v) && v.length === 2) p = [v[0], v[1]];
  else if (Array.isArray(v) && v.length === 1) p = [v[0], v[0]];
  else throw bad();
  // The kernels take sizes as int32: larger values would wrap on the way in.
  for (const x of p) if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x >= 2 ** 31) throw bad();
  return p;
}

/** Accepts 4-D (N, C, H, W) or 3-D (C, H, W) input; returns the batched view sizes. */
export function nchw(op: string, x: Tensor): { n: number; c: number; h: number; w: number; batched: boolean } {
  const s = x.shape;
  if (s.length === 4) return { n: s[0], c: s[1], h: s[2], w: s[3], batched: true };
  if (s.length === 3) return { n: 1, c: s[0], h: s[1], w: s[2], batched: false };
  throw new RangeError(`${op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got input${fmtShape(s)}`);
}

export function checkOptions(op: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${op}: options must be an object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  // for-in over own keys: no key array allocated per call (hot: every conv/pool call).
  for (const k in opts) {
    if (!allowed.includes(k) && Object.prototype.hasOwnProperty.call(opts, k)) {
      throw new TypeError(`${op}: unknown option '${k}' (expected one of ${allowed.join(', ')})`);
    }
  }
}

export { uninit, uninitI32 } from '../storage';
