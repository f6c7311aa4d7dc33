/** The `torch.X(t, ...)` forms of the Tensor methods (one implementation for both). */
import { sameShape } from '../shape';
import { Tensor, TensorOrNumber } from '../tensor';
import * as S from './shape';
import * as M from './more';
import * as I from './indexing';
import * as E from './elementwise';
import { matmul } from './linalg';
import { noGrad } from '../autograd/grad-mode';

export {
  add, sub, mul, div, pow, maximum, minimum, neg, exp, log, sqrt, abs, square, reciprocal, sign, eq, ne, gt, lt, ge, le,
  floorDivide, remainder, logicalNot, logicalAnd, logicalOr, logicalXor, isnan, isinf, isfinite,
} from './elementwise';
export { sum, mean, max, min, argmax, argmin } from './reduce';
export type { ValuesIndices } from './reduce';
export { cat, stack } from './shape';
export { matmul } from './linalg';
export { relu, sigmoid, tanh, softmax, logSoftmax } from './activation';
export {
  clamp, floor, ceil, round, trunc, frac, softplus, prod, std,
  logsumexp, norm, cumsum, cumprod, any, all, sort, topk, tril, triu,
} from './more';
export type { VarOptions, SortOptions, TopkOptions } from './more';
export * from './unary-registry';
export { indexSelect, gather, scatter, scatterAdd, maskedFill, maskedSelect, where, nonzero } from './indexing';

/** `torch.var` (a reserved word as a binding name, so exported under its PyTorch name). */
export { variance as var } from './more';
export const clip = M.clamp;
export const argsort = (x: Tensor, dim = -1, opts?: M.SortOptions): Tensor => M.sort(x, dim, opts).indices;
export const reshape = (x: Tensor, ...shape: (number | readonly number[])[]): Tensor => S.reshape(x, shape);
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => S.flatten(x, startDim, endDim);
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor => S.transpose(x, dim0, dim1);
export const swapaxes = transpose;
export const permute = (x: Tensor, ...dims: (number | readonly number[])[]): Tensor => S.permute(x, dims);
export const squeeze = (x: Tensor, dim?: number | readonly number[]): Tensor => S.squeeze(x, dim);
export const unsqueeze = (x: Tensor, dim: number): Tensor => S.unsqueeze(x, dim);
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor => S.narrow(x, dim, start, length);
export const select = (x: Tensor, dim: number, index: number): Tensor => S.select(x, dim, index);
export const chunk = (x: Tensor, chunks: number, dim = 0): Tensor[] => S.chunk(x, chunks, dim);
export const split = (x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] => S.split(x, sizes, dim);
export const unbind = (x: Tensor, dim = 0): Tensor[] => S.unbind(x, dim);
export const flip = (x: Tensor, dims: readonly number[]): Tensor => S.flip(x, [dims]);
export const roll = (x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor => S.roll(x, shifts, dims);
export const clone = (x: Tensor): Tensor => S.clone(x);
export const detach = (x: Tensor): Tensor => x.detach();
export const index = (x: Tensor, ...specs: Parameters<Tensor['index']>): Tensor => I.index(x, specs);
/** `torch.isTensor` (PyTorch's `is_tensor`). */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

/** Options of `isclose` / `allclose`: |a - b| <= atol + rtol |b|; equalNan counts NaN == NaN. */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/** Elementwise |a - b| <= atol + rtol * |b| (bool; PyTorch's `isclose`). */
export function isclose(a: Tensor, b: Tensor, opts: CloseOptions = {}): Tensor {
  E.checkTensor('isclose', a);
  E.checkTensor('isclose', b, 'other');
  const rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-8;
  if (rtol < 0 || atol < 0) throw new RangeError(`isclose: rtol and atol must be non-negative, got rtol=${rtol} atol=${atol}`);
  return noGrad(() => {
    const af = a.float(), bf = b.float();
    const exact = E.eq(af, bf);
    const near = E.le(E.abs(E.sub(af, bf)), E.add(E.mul(E.abs(bf), rtol), atol));
    let r = E.logicalOr(exact, E.logicalAnd(near, E.logicalAnd(E.isfinite(af), E.isfinite(bf))));
    if (opts.equalNan) r = E.logicalOr(r, E.logicalAnd(E.isnan(af), E.isnan(bf)));
    return r;
  });
}

/** True when every element is close (see {@link isclose}). */
export function allclose(a: Tensor, b: Tensor, opts: CloseOptions = {}): boolean {
  return M.all(isclose(a, b, opts)).item() === 1;
}

/** True when a and b have the same shape and elements (PyTorch's `equal`). */
export function equal(a: Tensor, b: Tensor): boolean {
  E.checkTensor('equal', a);
  E.checkTensor('equal', b, 'other');
  if (!sameShape(a.shape, b.shape)) return false;
  return M.all(E.eq(a, b)).item() === 1;
}

/**
 * Einstein summation (PyTorch's `einsum`): `einsum('ij,jk->ik', a, b)`; the output may be implicit
 * (the letters used once, in alphabetical order). Pairs of operands contract through one batched
 * matmul. Repeated letters within one operand (diagonals) and '...' are not supported yet.
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new TypeError('einsum: equation must be a string');
  const ts = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsRaw] = eq.includes('->') ? eq.split('->') : [eq, null];
  if (lhs.includes('.') || (rhsRaw ?? '').includes('.')) throw new RangeError("einsum: '...' is not supported yet; spell out the dims");
  const ins = lhs.split(',');
  if (ins.length !== ts.length) {
    throw new RangeError(`einsum: ${ins.length} operand(s) in the equation but ${ts.length} tensor(s) given`);
  }
  const count = new Map<string, number>();
  const sizes = new Map<string, number>();
  ins.forEach((letters, k) => {
    const t = ts[k];
    E.checkTensor('einsum', t, `operand ${k}`);
    if (!/^[a-zA-Z]*$/.test(letters)) throw new RangeError(`einsum: invalid subscripts '${letters}' (letters only)`);
    if (letters.length !== t.dim()) {
      throw new RangeError(`einsum: the number of subscripts in '${letters}' (${letters.length}) does not match the number of dimensions (${t.dim()}) of operand ${k}`);
    }
    if (new Set(letters).size !== letters.length) throw new RangeError(`einsum: repeated subscript in '${letters}' (diagonals) is not supported yet`);
    [...letters].forEach((c, i) => {
      count.set(c, (count.get(c) ?? 0) + 1);
      const s = t.shape[i], have = sizes.get(c);
      if (have !== undefined && have !== s && have !== 1 && s !== 1) {
        throw new RangeError(`einsum: subscript '${c}' has size ${s} for operand ${k}, which does not broadcast with the previous size ${have}`);
      }
      sizes.set(c, have === undefined || have === 1 ? s : have);
    });
  });
  const rhs = rhsRaw ?? [...count.keys()].filter((c) => count.get(c) === 1).sort().join('');
  for (const c of rhs) if (!sizes.has(c)) throw new RangeError(`einsum: output subscript '${c}' does not appear in the inputs`);
  if (new Set(rhs).size !== rhs.length) throw new RangeError(`einsum: output subscript repeated in '${rhs}'`);
  let acc = ts[0], accL = ins[0];
  for (let k = 1; k < ts.length; k++) {
    const later = new Set([...rhs, ...ins.slice(k + 1).join('')]);
    [acc, accL] = contractPair(acc, accL, ts[k], ins[k], later);
  }
  // Sum what the output drops, then order as the output.
  const drop = [...accL].map((c, i) => (rhs.includes(c) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length) {
    acc = acc.sum(drop);
    accL = [...accL].filter((c) => rhs.includes(c)).join('');
  }
  return accL === rhs ? acc : acc.permute([...rhs].map((c) => accL.indexOf(c)));
}

/** a (letters la) times b (lb), keeping the letters in `keep`: one batched matmul. */
function contractPair(a: Tensor, la: string, b: Tensor, lb: string, keep: Set<string>): [Tensor, string] {
  // Letters only in one operand and not needed later are summed away first.
  const sumAway = (t: Tensor, l: string, other: string): [Tensor, string] => {
    const dims = [...l].map((c, i) => (!keep.has(c) && !other.includes(c) ? i : -1)).filter((i) => i >= 0);
    if (!dims.length) return [t, l];
    return [t.sum(dims), [...l].filter((_, i) => !dims.includes(i)).join('')];
  };
  [a, la] = sumAway(a, la, lb);
  [b, lb] = sumAway(b, lb, la);
  const batch = [...la].filter((c) => lb.includes(c) && keep.has(c));
  const contract = [...la].filter((c) => lb.includes(c) && !keep.has(c));
  const left = [...la].filter((c) => !lb.includes(c));
  const right = [...lb].filter((c) => !la.includes(c));
  const size = (t: Tensor, l: string, c: string) => t.shape[l.indexOf(c)];
  const bs = batch.map((c) => Math.max(size(a, la, c), size(b, lb, c)));
  const prodOf = (xs: number[]) => xs.reduce((p, v) => p * v, 1);
  const ap = a.permute([...batch, ...left, ...contract].map((c) => la.indexOf(c)));
  const bp = b.permute([...batch, ...contract, ...right].map((c) => lb.indexOf(c)));
  const ks = contract.map((c) => Math.max(size(a, la, c), size(b, lb, c)));
  const a3 = ap.expand([...bs, ...left.map((c) => size(a, la, c)), ...ks]).reshape(prodOf(bs), prodOf(left.map((c) => size(a, la, c))), prodOf(ks));
  const b3 = bp.expand([...bs, ...ks, ...right.map((c) => size(b, lb, c))]).reshape(prodOf(bs), prodOf(ks), prodOf(right.map((c) => size(b, lb, c))));
  const out = matmul(a3, b3).reshape([...bs, ...left.map((c) => size(a, la, c)), ...right.map((c) => size(b, lb, c))]);
  return [out, [...batch, ...left, ...right].join('')];
}

export type { TensorOrNumber };
