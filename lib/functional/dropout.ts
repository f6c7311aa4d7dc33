/**
 * `F.dropout(x, p = 0.5, training = true)`: zeroes each element with probability p and scales the
 * rest by 1/(1-p) (inverted dropout, as PyTorch). The mask comes from the seeded native generator
 * (torch.manualSeed). Outside training (or p = 0) the input is returned as is.
 */
import { record } from '../autograd/node';
import { BinaryOp, native } from '../native';
import { nnNative } from '../native-nn';
import { Tensor } from '../tensor';
import { checkTensor, uninit } from './nn-util';

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout', x, 'input');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`dropout: probability has to be between 0 and 1, but got ${p}`);
  }
  if (!training || p === 0) return x;
  const n = x.numel();
  const mask = p < 1 ? uninit(n) : new Float32Array(n);
  if (p < 1) nnNative.bernoulli(mask, p, 1 / (1 - p));
  const out = new Tensor(uninit(n), x.shape);
  native.binary(BinaryOp.mul, x.storage, x.shape, mask, x.shape, out.storage);
  record('MulBackward0', [x], [out], ([g]) => {
    const gx = new Tensor(uninit(n), x.shape);
    native.binary(BinaryOp.mul, g!.storage, x.shape, mask, x.shape, gx.storage);
    return [gx];
  });
  return out;
}
