/**
 * `F.batchNorm(x, runningMean, runningVar, { weight, bias, training, momentum, eps })` over
 * (N, C) or (N, C, *) input, as PyTorch: in training the batch statistics normalize (biased
 * variance) and the running stats, when given, are updated in place with the unbiased variance;
 * in eval the running stats normalize.
 */
import { record } from '../autograd/node';
import { nnNative } from '../native-nn';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { checkOptionalTensor, checkOptions, checkTensor, uninit } from './nn-util';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  checkTensor(op, x, 'input');
  opts = opts ?? {};
  checkOptions(op, opts, ['weight', 'bias', 'training', 'momentum', 'eps']);
  const rm = checkOptionalTensor(op, runningMean, 'runningMean');
  const rv = checkOptionalTensor(op, runningVar, 'runningVar');
  const weight = checkOptionalTensor(op, opts.weight, 'weight');
  const bias = checkOptionalTensor(op, opts.bias, 'bias');
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new RangeError(`${op}: momentum must be a number, got ${momentum}`);
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeError(`${op}: eps must be a non-negative number, got ${eps}`);
  const s = x.shape;
  if (s.length < 2) throw new RangeError(`${op}: expected input of shape (N, C) or (N, C, *), got input${fmtShape(s)}`);
  const n = s[0], c = s[1];
  let hw = 1;
  for (let i = 2; i < s.length; i++) hw *= s[i];
  for (const [t, name] of [[rm, 'runningMean'], [rv, 'runningVar'], [weight, 'weight'], [bias, 'bias']] as const) {
    if (t && (t.shape.length !== 1 || t.shape[0] !== c)) {
      throw new RangeError(`${op}: expected ${name} of shape [${c}] for input${fmtShape(s)} (${c} channels), got ${name}${fmtShape(t.shape)}`);
    }
  }
  if ((rm === null) !== (rv === null)) throw new RangeError(`${op}: runningMean and runningVar must both be given or both be null`);
  if (!training && rm === null) throw new RangeError(`${op}: running stats are required when training is false`);
  if (training && n * hw <= 1) {
    throw new RangeError(`${op}: expected more than 1 value per channel when training, got input${fmtShape(s)}`);
  }
  const out = new Tensor(uninit(x.numel()), s);
  const saveMean = new Float32Array(c), saveInvstd = new Float32Array(c);
  if (training && rm && rv) {
    // In-place update of the running stats (buffers): bump their versions like any in-place op.
    rm._version++;
    rv._version++;
  }
  nnNative.batchNorm(x.storage, Int32Array.of(n, c, hw), weight && weight.storage, bias && bias.storage, rm && rm.storage,
    rv && rv.storage, training, momentum, eps, out.storage, saveMean, saveInvstd);
  if (tracer.active !== null) {
    tracer.active.op(training ? 'batchNorm (training mode)' : 'batchNorm', [x], out,
      { runningMean: rm, runningVar: rv, weight, bias, eps, c, hw });
  }
  record('NativeBatchNormBackward0', [x, weight, bias], [out], ([g]) => {
    const gx = x.requiresGrad ? new Tensor(uninit(x.numel()), s) : null;
    const gw = weight && weight.requiresGrad ? new Tensor(uninit(c), weight.shape) : null;
    const gb = bias && bias.requiresGrad ? new Tensor(uninit(c), bias.shape) : null;
    nnNative.batchNormBackward(x.storage, g!.storage, Int32Array.of(n, c, hw), weight && weight.storage, saveMean, saveInvstd,
      training, gx && gx.storage, gw && gw.storage, gb && gb.storage);
    return [gx, gw, gb];
  });
  return out;
}
