/** Activations and (log-)softmax; softmax subtracts the row max, so it never overflows. */
import { record } from '../autograd/node';
import { native } from '../native';
import { normDim, splitAt } from '../shape';
import { uninit } from '../storage';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { rawBinary, unary } from './elementwise';

function floatOnly(op: string, x: Tensor): void {
  if (x instanceof Tensor && x.dtype !== 'float32') {
    throw new TypeError(`${op}: "${op}_lastdim_kernel_impl" not implemented for '${x.dtype === 'int64' ? 'Long' : 'Bool'}'; convert with .float()`);
  }
}

/** max(x, 0); int64 stays int64, as in PyTorch. */
export const relu = (x: Tensor): Tensor => {
  if (x instanceof Tensor && x.dtype === 'int64') return rawBinary('maximum', x, 0);
  if (x instanceof Tensor && x.dtype === 'bool') throw new TypeError('relu: "clamp_min_scalar_cpu" not implemented for \'Bool\'');
  const out = unary('relu', x, 'x');
  if (tracer.active !== null) tracer.active.op('relu', [x], out);
  return out;
};
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x, 'y');
export const tanh = (x: Tensor): Tensor => unary('tanh', x, 'y');

type DimArg = number | { dim: number };

function softmaxImpl(x: Tensor, dimArg: DimArg | undefined, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  // PyTorch's keyword form F.softmax(x, dim=1) is written softmax(x, { dim: 1 }).
  const dim = typeof dimArg === 'object' && dimArg !== null ? dimArg.dim : dimArg;
  if (dim === undefined || dim === null) {
    throw new TypeError(`${op}: dim is required (implicit dim choice is deprecated in PyTorch), e.g. ${op}(x, -1)`);
  }
  floatOnly(op, x);
  const d = normDim(op, dim, Math.max(x.dim(), 1));
  const [outer, n, inner] = splitAt(x.shape, d);
  const out = new Tensor(uninit(x.numel()), x.shape);
  native.softmax(x.storage, outer, n, inner, out.storage, log);
  record(log ? 'LogSoftmaxBackward' : 'SoftmaxBackward', [x], [out], ([g]) => {
    const gx = new Tensor(uninit(x.numel()), x.shape);
    native.softmaxBackward(out.storage, g!.storage, outer, n, inner, gx.storage, log);
    return [gx];
  }, [out]);
  return out;
}

export function softmax(x: Tensor, dim: DimArg): Tensor {
  return softmaxImpl(x, dim, false);
}

export function logSoftmax(x: Tensor, dim: DimArg): Tensor {
  return softmaxImpl(x, dim, true);
}
