/** PyTorch-style printing: `tensor([[1.0000, 2.0000]], requires_grad=True)`. */
import type { Tensor } from './tensor';

const THRESHOLD = 1000;  // PyTorch's print threshold: larger tensors show edge items only
const EDGE = 3;

function formatter(values: Float32Array): (v: number) => string {
  let allInt = true;
  let maxAbs = 0, minAbs = Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (minAbs !== Infinity && maxAbs / minAbs > 1000);
  if (sci) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

type Values = ArrayLike<number | bigint>;

/** int64 prints as integers, bool as True/False (PyTorch pads True to False's width). */
function typedFormatter(t: Tensor, values: Values): (v: number | bigint) => string {
  if (t.dtype === 'int64') return (v) => String(v);
  if (t.dtype === 'bool') return (v) => (v ? 'True' : 'False');
  const f = formatter(values as Float32Array);
  return (v) => f(v as number);
}

export function formatTensor(t: Tensor): string {
  let values: Values;
  try {
    values = t._data();
  } catch {
    return `tensor(<disposed>, shape=[${t.shape.join(', ')}])`;
  }
  const summarize = values.length > THRESHOLD;
  const fmt = typedFormatter(t, values);
  let width = 0;
  for (let i = 0; i < values.length; i++) width = Math.max(width, fmt(values[i]).length);
  const pad = (s: string) => s.padStart(width);
  const indent = 'tensor('.length;
  const rec = (d: number, off: number): string => {
    if (d === t.shape.length) return pad(fmt(values[off]));
    const n = t.shape[d];
    let step = 1;
    for (let i = d + 1; i < t.shape.length; i++) step *= t.shape[i];
    const idx: (number | null)[] = summarize && n > 2 * EDGE
      ? [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
      : Array.from({ length: n }, (_, i) => i);
    const parts = idx.map((i) => (i === null ? '...' : rec(d + 1, off + i * step)));
    const last = d === t.shape.length - 1;
    const sep = last ? ', ' : ',' + '\n'.repeat(t.shape.length - d - 1) + ' '.repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = t.shape.length === 0 ? fmt(values[0]) : rec(0, 0);
  const extras: string[] = [];
  if (summarize) extras.push(`size=(${t.shape.join(', ')})`);
  // PyTorch names the dtype when the data alone would not show it (an empty int64 tensor).
  if (t.dtype === 'int64' && values.length === 0) extras.push('dtype=torch.int64');
  if (t.dtype === 'bool' && values.length === 0) extras.push('dtype=torch.bool');
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
