/**
 * Tensor ops and gradients against golden values from real PyTorch
 * (scripts/fixtures/gen_tensor.py → test/fixtures/tensor/ops.json).
 */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';
import { expectClose } from '../helpers/close';
import fixtures from '../fixtures/tensor/ops.json';

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
};

interface Case {
  inputs: { shape: number[]; data: number[] }[];
  weights: number[];
  output: { shape: number[]; data: number[] };
  grads: (number[] | null)[];
}

const cases = (fixtures as unknown as { cases: Record<string, Case> }).cases;

describe('tensor ops match PyTorch 1.13 (values and gradients)', () => {
  test('every fixture case has a torchlet op', () => {
    expect(Object.keys(cases).filter((k) => !OPS[k])).toEqual([]);
  });

  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      const xs = c.inputs.map((i) => torch.tensor(i.data, { shape: i.shape, requiresGrad: true }));
      const y = OPS[name](...xs);
      expect(y.shape).toEqual(c.output.shape);
      expectClose(y, c.output.data, 1e-5, 1e-6, `${name} output`);
      y.backward(torch.tensor(c.weights, { shape: c.output.shape }));
      c.grads.forEach((g, i) => {
        if (g === null) return;
        expectClose(xs[i].grad!, g, 1e-5, 1e-5, `${name} grad of input ${i}`);
      });
    });
  }
});
