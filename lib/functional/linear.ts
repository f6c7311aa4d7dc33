/**
 * `F.linear(x, weight, bias?)`: y = x W^T + b over the last dim of x (any leading dims), one
 * native call forward (packed SGEMM) and one backward (dX, dW, db).
 */
import { needsGrad, record } from '../autograd/node';
import { nnNative } from '../native-nn';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { checkOptionalTensor, checkTensor, uninit } from './nn-util';

export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkTensor(op, x, 'input');
  checkTensor(op, weight, 'weight');
  const b = checkOptionalTensor(op, bias, 'bias');
  if (weight.shape.length !== 2 && weight.shape.length !== 1) {
    throw new RangeError(`${op}: expected a 2-D weight [outFeatures, inFeatures], got weight${fmtShape(weight.shape)}`);
  }
  if (x.shape.length === 0) throw new RangeError(`${op}: input must have at least 1 dimension, got a scalar`);
  const vecW = weight.shape.length === 1;
  const outF = vecW ? 1 : weight.shape[0];
  const inF = vecW ? weight.shape[0] : weight.shape[1];
  const xin = x.shape[x.shape.length - 1];
  if (xin !== inF) {
    throw new RangeError(
      `${op}: input${fmtShape(x.shape)} has ${xin} features in its last dim, but weight${fmtShape(weight.shape)} expects ${inF} ` +
        `(mat1 and mat2 shapes cannot be multiplied)`,
    );
  }
  if (b && !(b.numel() === outF && b.shape.length <= 1)) {
    throw new RangeError(`${op}: expected bias of shape [${outF}] (weight ${fmtShape(weight.shape)}), got bias${fmtShape(b.shape)}`);
  }
  const lead = x.shape.length - 1;
  let rows = 1;
  for (let i = 0; i < lead; i++) rows *= x.shape[i];
  const outShape = x.shape.slice(0, vecW ? lead : lead + 1);
  if (!vecW) outShape[lead] = outF;
  const out = new Tensor(uninit(rows * outF), outShape);
  nnNative.linear(x.storage, rows, inF, weight.storage, outF, b ? b.storage : null, out.storage);
  if (tracer.active !== null) tracer.active.op('linear', [x], out, { weight, bias: b, rows, inF, outF });
  if (!needsGrad(x, weight, b)) return out;
  record(b ? 'AddmmBackward0' : 'MmBackward0', [x, weight, b], [out], ([g]) => {
    const gx = x.requiresGrad ? new Tensor(uninit(x.numel()), x.shape) : null;
    const gw = weight.requiresGrad ? new Tensor(uninit(weight.numel()), weight.shape) : null;
    const gb = b && b.requiresGrad ? new Tensor(uninit(b.numel()), b.shape) : null;
    nnNative.linearBackward(x.storage, rows, inF, weight.storage, outF, g!.storage, gx && gx.storage,
      gw && gw.storage, gb && gb.storage);
    return [gx, gw, gb];
  });
  return out;
}
