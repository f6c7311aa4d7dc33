/** Helpers shared by the layers: PyTorch-style printing of values and `_pair`. */

/** Python's `repr(float)`: `1e-05`, `0.1`, `1.0`, `1e+16`. */
export function pyFloat(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'None';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const digits = mant.replace('-', '').replace('.', '');
  const neg = x < 0 ? '-' : '';
  let s: string;
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    s = intPart + '.' + (frac || '0');
  } else {
    s = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return neg + s;
}

/** Python's `repr(bool)`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's repr of an int, a tuple of ints (`(5, 5)`) or None. */
export function pyValue(v: number | readonly (number | null)[] | string | null | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v.length === 1) return `(${pyValue(v[0])},)`;
  return `(${v.map((e) => pyValue(e)).join(', ')})`;
}

/** PyTorch's `_pair`: a number becomes `[n, n]`. */
export function pair(v: number | readonly number[], what = 'value'): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0], v[1]];
  throw new TypeError(`${what} must be a number or a pair [h, w], got ${JSON.stringify(v)}`);
}
