/**
 * Tensor ops and gradients against golden values from real PyTorch
 * (scripts/fixtures/gen_tensor.py → test/fixtures/tensor/ops.json).
 */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';
import { expectClose } from '../helpers/close';
import fixtures from '../fixtures/tensor/ops.json';
import { registeredUnaryOps } from '../../lib/ops/unary-registry';

type Op = (...xs: Tensor[]) => Tensor;

const OPS: Record<string, Op> = {
  add_broadcast: (a, b) => a.add(b),
  add_alpha: (a, b) => torch.add(a, b, 2.5),
  sub_broadcast: (a, b) => a.sub(b),
  mul_broadcast: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  div_scalar: (a) => a.div(3),
  rsub_scalar: (a) => a.neg().add(2),
  pow_scalar: (a) => a.pow(2.5),
  pow_int: (a) => a.pow(3),
  pow_tensor: (a, b) => a.pow(b),
  neg: (a) => a.neg(),
  exp: (a) => a.exp(),
  log: (a) => a.log(),
  sqrt: (a) => a.sqrt(),
  abs: (a) => a.abs(),
  relu: (a) => a.relu(),
  sigmoid: (a) => a.sigmoid(),
  tanh: (a) => a.tanh(),
  tanh_small: (a) => a.tanh(),
  softmax_dim1: (a) => a.softmax(1),
  softmax_dim0: (a) => a.softmax(0),
  softmax_large: (a) => a.softmax(-1),
  log_softmax_last: (a) => a.logSoftmax(-1),
  log_softmax_mid: (a) => a.logSoftmax(1),
  matmul_2d: (a, b) => a.matmul(b),
  matmul_batched: (a, b) => a.matmul(b),
  matmul_broadcast: (a, b) => a.matmul(b),
  matmul_batch_2d: (a, b) => a.matmul(b),
  matmul_vec_mat: (a, b) => a.matmul(b),
  matmul_mat_vec: (a, b) => a.matmul(b),
  matmul_dot: (a, b) => a.matmul(b),
  matmul_odd: (a, b) => torch.matmul(a, b),
  sum_all: (a) => a.sum(),
  sum_dim_keepdim: (a) => a.sum(1, true),
  sum_dims: (a) => a.sum([0, 2]),
  sum_neg_dim: (a) => a.sum(-1),
  mean_all: (a) => a.mean(),
  mean_dim: (a) => a.mean(-1),
  mean_dim_keepdim: (a) => a.mean(0, true),
  max_all: (a) => a.max(),
  max_dim: (a) => a.max(1).values,
  max_dim_keepdim: (a) => a.max(0, true).values,
  min_all: (a) => a.min(),
  min_dim: (a) => a.min(-1).values,
  transpose: (a) => a.transpose(0, 2),
  permute: (a) => a.permute(2, 0, 1),
  reshape: (a) => a.reshape(4, -1).mul(2),
  flatten: (a) => a.flatten(1).mul(2),
  squeeze_unsqueeze: (a) => a.squeeze(1).unsqueeze(0).mul(2),
  narrow: (a) => a.narrow(1, 1, 2),
  cat: (a, b) => torch.cat([a, b], 1),
  stack: (a, b) => torch.stack([a, b], 1),
  maximum: (a, b) => torch.maximum(a, b),
  minimum: (a, b) => torch.minimum(a, b),
  expand: (a) => a.expand(3, 2, 4).mul(1.5),
  mlp: (x, w1, w2) => x.matmul(w1).tanh().matmul(w2).logSoftmax(-1),
  reuse: (a) => a.mul(a).add(a.exp().mul(a)),

  // Tensor core v2
  clamp: (a) => a.clamp(-0.5, 0.8),
  clamp_min: (a) => a.clampMin(0.1),
  clamp_tensor: (a, b) => torch.clamp(a, null, b),
  floor: (a) => a.floor(),
  ceil: (a) => a.ceil(),
  round: (a) => a.round(),
  trunc: (a) => a.trunc(),
  frac: (a) => a.frac(),
  softplus: (a) => a.softplus({ beta: 2, threshold: 5 }),
  square: (a) => a.square(),
  reciprocal: (a) => a.reciprocal(),
  prod_all: (a) => a.prod(),
  prod_dim: (a) => a.prod(1),
  prod_dim_keepdim_zero: (a) => a.prod(0, true),
  var_all: (a) => a.var(),
  var_dim_correction0: (a) => a.var(1, { correction: 0 }),
  std_dims_keepdim: (a) => a.std([0, 2], { keepdim: true }),
  logsumexp_dim: (a) => a.logsumexp(1),
  logsumexp_dims_keepdim: (a) => a.logsumexp([0, 2], true),
  norm_2: (a) => a.norm(),
  norm_1_dim: (a) => a.norm(1, 1),
  norm_inf: (a) => a.norm(Infinity),
  norm_3_dim_keepdim: (a) => a.norm(3, 0, true),
  cumsum: (a) => a.cumsum(1),
  cumsum_dim0: (a) => a.cumsum(0),
  cumprod: (a) => a.cumprod(1),
  cumprod_zero: (a) => a.cumprod(1),
  sort_values: (a) => a.sort(1, { descending: true }).values,
  topk_values: (a) => a.topk(2, 0)[0],
  topk_smallest: (a) => a.topk(3, -1, { largest: false }).values,
  tril: (a) => a.tril(),
  triu_k1: (a) => a.triu(1),
  tril_neg: (a) => a.tril(-1),
  gather: (a, i) => a.gather(1, i),
  gather_dim0: (a, i) => a.gather(0, i),
  scatter: (a, i, s) => a.scatter(1, i, s),
  scatter_add: (a, i, s) => a.scatterAdd(0, i, s),
  index_select: (a, i) => a.indexSelect(1, i),
  masked_fill: (a, m) => a.maskedFill(m, -1.5),
  where: (c, a, b) => torch.where(c, a, b),
  where_scalar: (c, a) => torch.where(c, a, 0.5),
  masked_select: (a, m) => a.maskedSelect(m),
  index_basic: (a) => a.index(1, null, [1, 3]),
  index_step: (a) => a.index(null, [null, null, 2]),
  index_neg_slice: (a) => a.index([-2], [1, -1]),
  index_ellipsis: (a) => a.index('...', 0),
  index_adv: (a, i) => a.index(i),
  index_adv_2d_idx: (a, i) => a.index(i),
  index_adv_adjacent: (a, i, j) => a.index(null, i, j),
  index_adv_separated: (a, i, j) => a.index(i, null, j),
  index_adv_broadcast: (a, i, j) => a.index(i, j),
  index_mask: (a, m) => a.index(m),
  index_mask_rows: (a, m) => a.index(m),
  index_slice_then_adv: (a, i) => a.index([1], i),
  index_put: (a, i, v) => a.indexPut([i], v),
  index_put_accumulate: (a, i, v) => a.indexPut([i], v, true),
  inplace_view_of_nonleaf: (a) => {
    const y = a.mul(2);
    y.narrow(0, 0, 1).mul_(3);
    return y;
  },
  inplace_select_of_nonleaf: (a) => {
    const y = a.mul(1.5);
    y.select(0, 1).add_(y.select(0, 0));
    return y;
  },
  einsum_mm: (a, b) => torch.einsum('ij,jk->ik', a, b),
  einsum_bmm: (a, b) => torch.einsum('bij,bjk->bik', a, b),
  einsum_outer: (a, b) => torch.einsum('i,j->ij', a, b),
  einsum_sum: (a) => torch.einsum('ij->', a),
  einsum_transpose: (a) => torch.einsum('ijk->kji', a),
  einsum_implicit: (a, b) => torch.einsum('ij,jk', a, b),
  einsum_chain: (a, b, c) => torch.einsum('ij,jk,kl->il', a, b, c),
  einsum_attention: (q, k) => torch.einsum('bhqd,bhkd->bhqk', q, k),
  repeat: (a) => a.repeat(2, 1, 3),
  tile: (a) => a.tile([2]),
  flip: (a) => a.flip(0, 2),
  roll: (a) => a.roll(1, 1),
  roll_flat: (a) => a.roll(-2),
  chunk_second: (a) => a.chunk(3, 1)[1],
  split_sizes: (a) => a.split([1, 3], 1)[1],
  unbind_last: (a) => a.unbind(1)[2],
  permute_reshape: (a) => a.permute(1, 0, 2).reshape(3, -1),
  transpose_matmul: (a, b) => a.t().matmul(b.transpose(0, 1)),
  mT_contiguous: (a) => a.mT.contiguous().mul(2),
  expand_mul: (a, b) => a.expand(3, 4).mul(b),
  select_neg: (a) => a.select(1, -1),
  unsqueeze_expand_sum: (a) => a.unsqueeze(1).expand(2, 3, 4).sum(0),
  div_int_tensor: (a, i) => a.div(i),
  mul_bool_mask: (a, m) => a.mul(m),
};

// The registered unary ops have their cases generated from the registry itself.
for (const op of registeredUnaryOps()) OPS[op.def.name] = (a) => op(a);

/** Integer and bool results: compared exactly. */
const TYPED: Record<string, Op> = {
  long_add: (a, b) => a.add(b),
  long_mul_scalar: (a) => a.mul(3),
  long_add_float_scalar: (a) => a.add(2.5),
  long_plus_float_tensor: (a, b) => a.add(b),
  long_true_div: (a) => a.div(2),
  long_floor_divide: (a, b) => a.div(b, { roundingMode: 'floor' }),
  long_trunc_divide: (a, b) => a.div(b, { roundingMode: 'trunc' }),
  long_remainder: (a, b) => a.remainder(b),
  float_remainder: (a) => a.remainder(1.5),
  long_neg_abs: (a) => a.neg().abs().sub(a),
  long_pow: (a) => a.pow(2),
  long_sum: (a) => a.sum(),
  long_sum_dim: (a) => a.sum(1),
  long_prod: (a) => a.prod(),
  long_cumsum: (a) => a.cumsum(0),
  long_max: (a) => a.max(),
  long_max_dim_values: (a) => a.max(1).values,
  long_max_dim_indices: (a) => a.max(1).indices,
  long_clamp: (a) => a.clamp(0, 5),
  long_relu: (a) => a.relu(),
  long_sort: (a) => a.sort().values,
  long_where: (c, a) => torch.where(c, a, 0),
  long_gather: (a, i) => a.gather(0, i),
  long_index: (a, i) => a.index(i),
  bool_sum: (m) => m.sum(),
  bool_cumsum: (m) => m.cumsum(0),
  bool_add_is_or: (a, b) => a.add(b),
  bool_mul_is_and: (a, b) => a.mul(b),
  bool_plus_long: (a, b) => a.add(b),
  eq_float: (a, b) => a.eq(b),
  ne_scalar: (a) => a.ne(2),
  gt_broadcast: (a, b) => a.gt(b),
  logical_and: (a, b) => a.logicalAnd(b),
  logical_or: (a, b) => a.logicalOr(b),
  logical_xor: (a, b) => a.logicalXor(b),
  logical_not: (a) => a.logicalNot(),
  isnan: (a) => a.isnan(),
  isinf: (a) => torch.isinf(a),
  any_dim: (a) => a.any(1),
  all_dim: (a) => a.all(0),
  all_empty: (a) => a.all(),
  argmax: (a) => a.argmax(),
  argmax_dim: (a) => a.argmax(1),
  argmin_dim_keepdim: (a) => a.argmin(0, true),
  max_dim_indices: (a) => a.max(0)[1],
  sort_indices_stable: (a) => a.sort(-1, { stable: true }).indices,
  sort_desc_stable: (a) => a.sort(-1, { descending: true, stable: true }).indices,
  argsort: (a) => a.argsort(0, { stable: true }),
  sort_nan: (a) => a.sort()[1],
  topk_indices: (a) => a.topk(2).indices,
  nonzero: (a) => a.nonzero(),
  nonzero_bool_3d: (a) => a.nonzero(),
  float_to_long: (a) => a.long(),
  float_to_bool: (a) => a.bool(),
  long_to_float: (a) => a.float().div(3),
  tril_long: (a) => a.tril(),
  cat_promotes: (a, b) => torch.cat([a, b]),
  masked_fill_bool: (a, m) => a.maskedFill(m, true),
};

type Value = number | boolean | string;
interface Desc { shape: number[]; dtype: 'float32' | 'int64' | 'bool'; data: Value[] }
interface Case {
  inputs: Desc[];
  weights: number[];
  output: Desc;
  grads: (number[] | null)[];
}

const { cases, typed } = fixtures as unknown as { cases: Record<string, Case>; typed: Record<string, Case> };

/** JSON has no NaN or Infinity: the generator writes them as strings. */
function decode(v: Value): number | boolean {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number | boolean;
}

function input(d: Desc, requiresGrad: boolean): Tensor {
  const data = d.data.map(decode);
  if (d.dtype === 'float32') return torch.tensor(data as number[], { shape: d.shape, requiresGrad });
  return torch.tensor(data as number[], { shape: d.shape, dtype: d.dtype });
}

describe('tensor ops match PyTorch 1.13 (values and gradients)', () => {
  test('every fixture case has a torchlet op', () => {
    expect(Object.keys(cases).filter((k) => !OPS[k])).toEqual([]);
  });

  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      const xs = c.inputs.map((i) => input(i, true));
      const y = OPS[name](...xs);
      expect(y.shape).toEqual(c.output.shape);
      expect(y.dtype).toBe(c.output.dtype);
      expectClose(y, c.output.data.map(decode) as number[], 1e-5, 1e-6, `${name} output`);
      y.backward(torch.tensor(c.weights, { shape: c.output.shape }));
      c.grads.forEach((g, i) => {
        if (g === null) return;
        expectClose(xs[i].grad!, g, 1e-5, 1e-5, `${name} grad of input ${i}`);
      });
    });
  }
});

describe('int64 and bool results match PyTorch 1.13 exactly (dtype, shape, values)', () => {
  test('every typed fixture case has a torchlet op', () => {
    expect(Object.keys(typed).filter((k) => !TYPED[k])).toEqual([]);
  });

  for (const [name, c] of Object.entries(typed)) {
    test(name, () => {
      const y = TYPED[name](...c.inputs.map((i) => input(i, false)));
      expect({ dtype: y.dtype, shape: y.shape }).toEqual({ dtype: c.output.dtype, shape: c.output.shape });
      const got = y.reshape(-1).toArray() as (number | boolean)[];
      const want = c.output.data.map(decode);
      if (y.dtype === 'float32') expectClose(y, want as number[], 1e-6, 1e-7, name);
      else expect(got).toEqual(want);
    });
  }
});
