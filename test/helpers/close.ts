/** allClose with a readable failure: the worst element, its index and both values. */
import type { Tensor } from '../../lib';

export function expectClose(
  actual: Tensor | ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = 'value',
): void {
  const a = 'storage' in (actual as Tensor) ? (actual as Tensor).storage : (actual as ArrayLike<number>);
  if (a.length !== expected.length) throw new Error(`${what}: length ${a.length} != expected ${expected.length}`);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const e = expected[i], v = a[i];
    if (Number.isNaN(e) && Number.isNaN(v)) continue;
    if (e === v) continue;
    const err = Math.abs(v - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    throw new Error(`${what}: element ${worst} is ${a[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

export function flat(x: unknown): number[] {
  return Array.isArray(x) ? (x as unknown[]).flatMap(flat) : [x as number];
}
