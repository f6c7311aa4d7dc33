/** Every differentiable tensor op against central finite differences. */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';
import { gradcheck } from '../helpers/gradcheck';

torch.manualSeed(7);
const r = (...s: number[]) => torch.rand(s).mul(4).sub(2);
const pos = (...s: number[]) => torch.rand(s).mul(1.5).add(0.5);

const CASES: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
  ['add', (a, b) => a.add(b), [r(2, 3), r(3)]],
  ['add scalar', (a) => a.add(1.5), [r(4)]],
  ['sub', (a, b) => a.sub(b, 0.5), [r(2, 1, 3), r(4, 1)]],
  ['mul', (a, b) => a.mul(b), [r(3, 4), r(3, 1)]],
  ['div', (a, b) => a.div(b), [r(2, 3), pos(2, 3)]],
  ['pow number', (a) => a.pow(2.5), [pos(2, 3)]],
  ['pow tensor', (a, b) => a.pow(b), [pos(2, 3), r(2, 3)]],
  ['neg', (a) => a.neg(), [r(5)]],
  ['exp', (a) => a.exp(), [r(5)]],
  ['log', (a) => a.log(), [pos(5)]],
  ['sqrt', (a) => a.sqrt(), [pos(5)]],
  ['abs', (a) => a.abs(), [r(5)]],
  ['square', (a) => a.square(), [r(5)]],
  ['reciprocal', (a) => a.reciprocal(), [pos(5)]],
  ['relu', (a) => a.relu(), [r(6)]],
  ['sigmoid', (a) => a.sigmoid(), [r(6)]],
  ['tanh', (a) => a.tanh(), [r(6)]],
  ['softmax', (a) => a.softmax(1), [r(3, 4)]],
  ['softmax dim 0 of 3-d', (a) => a.softmax(0), [r(3, 2, 2)]],
  ['logSoftmax', (a) => a.logSoftmax(-1), [r(3, 4)]],
  ['logSoftmax middle dim', (a) => a.logSoftmax(1), [r(2, 3, 2)]],
  ['matmul 2-d', (a, b) => a.matmul(b), [r(3, 4), r(4, 2)]],
  ['matmul batched broadcast', (a, b) => a.matmul(b), [r(2, 1, 2, 3), r(2, 3, 2)]],
  ['matmul vector', (a, b) => a.matmul(b), [r(3), r(3, 2)]],
  ['sum', (a) => a.sum(), [r(3, 4)]],
  ['sum dims keepdim', (a) => a.sum([0, 2], true), [r(2, 3, 2)]],
  ['mean', (a) => a.mean(-1), [r(3, 4)]],
  ['max dim', (a) => a.max(1).values, [r(3, 4)]],
  ['min all', (a) => a.min(), [r(3, 4)]],
  ['maximum', (a, b) => a.maximum(b), [r(3, 4), r(4)]],
  ['minimum', (a, b) => a.minimum(b), [r(3, 4), r(3, 4)]],
  ['reshape/view', (a) => a.reshape(6, -1).view([2, 12]).mul(a.flatten().view(2, 12)), [r(2, 3, 4)]],
  ['flatten', (a) => a.flatten(1).exp(), [r(2, 3, 2)]],
  ['transpose', (a) => a.transpose(0, 1).exp(), [r(2, 3)]],
  ['permute', (a) => a.permute(1, 2, 0).exp(), [r(2, 3, 2)]],
  ['squeeze/unsqueeze', (a) => a.unsqueeze(0).squeeze().exp(), [r(3, 1)]],
  ['narrow', (a) => a.narrow(0, 1, 2).exp(), [r(4, 3)]],
  ['cat', (a, b) => torch.cat([a, b], 0).exp(), [r(2, 3), r(1, 3)]],
  ['stack', (a, b) => torch.stack([a, b], 2).exp(), [r(2, 3), r(2, 3)]],
  ['expand', (a) => a.expand(2, 3, 4).exp(), [r(3, 1)]],
  ['clone', (a) => a.clone().mul(a), [r(4)]],
  // tensor core v2
  ['clamp', (a) => a.clamp(-1, 1), [r(3, 4)]],
  ['clamp tensor bounds', (a, lo, hi) => a.clamp(lo, hi), [r(3, 4), r(4).sub(1.5), r(4).add(1.5)]],
  ['prod dim', (a) => a.prod(1), [r(3, 4)]],
  ['var', (a) => a.var(1, { correction: 1 }), [r(3, 4)]],
  ['std all', (a) => a.std(), [r(3, 4)]],
  ['logsumexp', (a) => a.logsumexp([0, 1]), [r(3, 4)]],
  ['norm 2 dim', (a) => a.norm(2, 1), [r(3, 4)]],
  ['norm 3', (a) => a.norm(3), [r(3, 4)]],
  ['cumsum', (a) => a.cumsum(1), [r(3, 4)]],
  ['cumprod', (a) => a.cumprod(0), [r(3, 4)]],
  ['softplus', (a) => a.softplus({ beta: 2 }), [r(3, 4)]],
  ['frac', (a) => a.frac(), [r(6)]],
  ['index basic + advanced', (a) => a.index([1], torch.tensor([0, 2, 2], { dtype: 'int64' })), [r(3, 4)]],
  ['index mask', (a) => a.index(a.gt(0)), [r(3, 4)]],
  ['indexPut', (a, v) => a.indexPut([torch.tensor([0, 2], { dtype: 'int64' })], v), [r(3, 4), r(4)]],
  ['gather', (a) => a.gather(1, torch.tensor([[0, 3], [1, 1], [2, 0]], { dtype: 'int64' })), [r(3, 4)]],
  ['scatter src', (a, b) => a.scatter(0, torch.tensor([[2, 0, 1, 0]], { dtype: 'int64' }), b), [r(3, 4), r(1, 4)]],
  ['scatterAdd', (a, b) => a.scatterAdd(1, torch.tensor([[0, 0], [3, 1], [2, 2]], { dtype: 'int64' }), b), [r(3, 4), r(3, 2)]],
  ['where', (a, b) => torch.where(a.gt(b), a, b), [r(3, 4), r(4)]],
  ['maskedFill', (a) => a.maskedFill(a.lt(0), 0.5), [r(3, 4)]],
  ['tril', (a) => a.tril(1), [r(3, 4)]],
  ['topk', (a) => a.topk(2, 1).values, [r(3, 4)]],
  ['sort', (a) => a.sort(0, { descending: true }).values, [r(3, 4)]],
  ['einsum', (a, b) => torch.einsum('bij,bkj->bik', a, b), [r(2, 3, 4), r(2, 2, 4)]],
  ['flip/roll', (a) => a.flip(0).roll(1, 1).mul(a), [r(3, 4)]],
  ['repeat', (a) => a.repeat(2, 2), [r(2, 3)]],
  ['in-place through a view of a non-leaf', (a) => {
    const y = a.mul(1);
    y.select(1, 0).add_(y.select(1, 1).mul(2));
    return y;
  }, [r(3, 4)]],
];

describe('gradcheck (finite differences)', () => {
  for (const [name, fn, xs] of CASES) {
    test(name, () => {
      expect(() => gradcheck(fn, xs)).not.toThrow();
    });
  }

  test('gradcheck itself fails on a wrong gradient', () => {
    // A deliberately wrong backward (the identity gradient for exp) must be caught.
    const wrong = (a: Tensor) => a.exp().detach().add(a.sub(a.detach()));
    expect(() => gradcheck(wrong, [r(3)])).toThrow(/analytic/);
  });
});
