/**
 * The activations beyond relu/sigmoid/tanh, as PyTorch's `torch.nn.functional`: relu6, leakyRelu,
 * elu, gelu (erf or tanh), silu, mish, hardswish, hardsigmoid, softplus, softsign, prelu, and the
 * in-place forms (`inplace = true`, `relu_`, `elu_`, `leakyRelu_`). One native call forward, one
 * backward (native/core/activation_ext.*).
 *
 * In place, as PyTorch: with nothing to record (grad off, or the input needs no grad) the input's
 * own storage is overwritten and the input returned, no allocation. When the input is a non-leaf
 * that requires grad, its values are overwritten too and it takes the activation as its history
 * (PyTorch's rebase); the backward reads a copy of the old values made first. A leaf that
 * requires grad cannot be modified in place (PyTorch's error).
 */
import { needsGrad, record } from '../autograd/node';
import { native } from '../native';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { tracer } from '../jit/tracer';
import { binary_ } from '../ops/inplace';
import { checkTensor, uninit } from './nn-util';

type F32 = Float32Array;

/** Typed view of native/binding/ops_layers.cc. @internal */
export interface LayersBinding {
  activation(op: number, x: F32, y: F32, a: number, b: number): void;
  activationBackward(op: number, x: F32, gy: F32, gx: F32, a: number, b: number): void;
  activationIsa(): string;
  /** shape: [outer, c, inner] */
  prelu(x: F32, w: F32, shape: number[], y: F32): void;
  preluBackward(x: F32, w: F32, gy: F32, shape: number[], gx: F32 | null, gw: F32 | null): void;
  /** shape: [rows, d] */
  layerNorm(x: F32, shape: number[], w: F32 | null, b: F32 | null, eps: number, y: F32, mean: F32, rstd: F32): void;
  layerNormBackward(x: F32, gy: F32, shape: number[], w: F32 | null, mean: F32, rstd: F32, gx: F32 | null,
    gw: F32 | null, gb: F32 | null): void;
  /** shape: [n, c, hw, groups] */
  groupNorm(x: F32, shape: number[], w: F32 | null, b: F32 | null, eps: number, y: F32, mean: F32, rstd: F32): void;
  groupNormBackward(x: F32, gy: F32, shape: number[], w: F32 | null, mean: F32, rstd: F32, gx: F32 | null,
    gw: F32 | null, gb: F32 | null): void;
}

/** @internal */
export const layersNative = native as unknown as LayersBinding;

/** Op codes of native/core/activation_ext.h (enum ActOp). */
const ACT = {
  relu: 0, relu6: 1, leakyRelu: 2, elu: 3, gelu: 4, geluTanh: 5, silu: 6, mish: 7, hardswish: 8, hardsigmoid: 9,
  softplus: 10, softsign: 11,
} as const;
type ActName = keyof typeof ACT;

/** PyTorch's grad_fn names. */
const NODE: Record<ActName, string> = {
  relu: 'ReluBackward0', relu6: 'HardtanhBackward0', leakyRelu: 'LeakyReluBackward0', elu: 'EluBackward0',
  gelu: 'GeluBackward0', geluTanh: 'GeluBackward0', silu: 'SiluBackward0', mish: 'MishBackward0',
  hardswish: 'HardswishBackward0', hardsigmoid: 'HardsigmoidBackward0', softplus: 'SoftplusBackward0',
  softsign: 'SoftsignBackward0',
};

function checkFlag(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new TypeError(`${op}: ${name} must be a finite number, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

function backwardOf(x: F32, g: Tensor, code: number, a: number, b: number, shape: readonly number[]): Tensor {
  const gx = new Tensor(uninit(x.length), shape);
  layersNative.activationBackward(code, x, g.storage, gx.storage, a, b);
  return gx;
}

/** y = f(x) (out of place or in place) with its gradient recorded. @internal */
export function activate(op: string, name: ActName, x: Tensor, inplace: boolean, a = 0, b = 0): Tensor {
  checkTensor(op, x, 'input');
  const code = ACT[name];
  if (!inplace) {
    const out = new Tensor(uninit(x.numel(), op), x.shape);
    layersNative.activation(code, x.storage, out.storage, a, b);
    if (tracer.active !== null) tracer.active.op(name === 'relu' ? 'relu' : 'act', [x], out, { name: op, code, a, b });
    if (needsGrad(x)) {
      record(NODE[name], [x], [out], ([g]) => [backwardOf(x.storage, g!, code, a, b, x.shape)], [x]);
    }
    return out;
  }
  // Traced before the write: the trace then accepts this one write to x (any other is refused).
  if (tracer.active !== null) tracer.active.op(name === 'relu' ? 'relu' : 'act', [x], x, { name: op, code, a, b });
  if (!needsGrad(x) && x._contig) {
    const s = x._beginWrite(op);
    layersNative.activation(code, s, s, a, b);
    return x;
  }
  // Views, and tensors with history: the shared in-place machinery applies PyTorch's leaf rules,
  // writes through views and rebases the history onto the out-of-place op.
  binary_(op, x, (v) => activate(op, name, v, false, a, b));
  return x;
}

/** `F.relu6(input, inplace = false)`: min(max(x, 0), 6). */
export function relu6(input: Tensor, inplace = false): Tensor {
  return activate('relu6', 'relu6', input, checkFlag('relu6', 'inplace', inplace));
}

/** `F.relu_(input)`: relu in place. */
export function relu_(input: Tensor): Tensor {
  return activate('relu_', 'relu', input, true);
}

/** `F.leakyRelu(input, negativeSlope = 0.01, inplace = false)`. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, inplace = false): Tensor {
  const op = 'leakyRelu';
  return activate(op, 'leakyRelu', input, checkFlag(op, 'inplace', inplace), checkNumber(op, 'negativeSlope', negativeSlope));
}

/** `F.leakyRelu_(input, negativeSlope = 0.01)`. */
export function leakyRelu_(input: Tensor, negativeSlope = 0.01): Tensor {
  return activate('leakyRelu_', 'leakyRelu', input, true, checkNumber('leakyRelu_', 'negativeSlope', negativeSlope));
}

/** `F.elu(input, alpha = 1, inplace = false)`: x > 0 ? x : alpha * (exp(x) - 1). */
export function elu(input: Tensor, alpha = 1, inplace = false): Tensor {
  return activate('elu', 'elu', input, checkFlag('elu', 'inplace', inplace), checkNumber('elu', 'alpha', alpha));
}

/** `F.elu_(input, alpha = 1)`. */
export function elu_(input: Tensor, alpha = 1): Tensor {
  return activate('elu_', 'elu', input, true, checkNumber('elu_', 'alpha', alpha));
}

export type GeluApproximate = 'none' | 'tanh';

/** `F.gelu(input, { approximate: 'none' | 'tanh' })` (or the string itself): x * Phi(x). */
export function gelu(input: Tensor, opts: { approximate?: GeluApproximate } | GeluApproximate = {}): Tensor {
  const approximate = typeof opts === 'string' ? opts : (opts ?? {}).approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  }
  return activate('gelu', approximate === 'none' ? 'gelu' : 'geluTanh', input, false);
}

/** `F.silu(input, inplace = false)`: x * sigmoid(x). */
export function silu(input: Tensor, inplace = false): Tensor {
  return activate('silu', 'silu', input, checkFlag('silu', 'inplace', inplace));
}

/** `F.mish(input, inplace = false)`: x * tanh(softplus(x)). */
export function mish(input: Tensor, inplace = false): Tensor {
  return activate('mish', 'mish', input, checkFlag('mish', 'inplace', inplace));
}

/** `F.hardswish(input, inplace = false)`: x * relu6(x + 3) / 6. */
export function hardswish(input: Tensor, inplace = false): Tensor {
  return activate('hardswish', 'hardswish', input, checkFlag('hardswish', 'inplace', inplace));
}

/** `F.hardsigmoid(input, inplace = false)`: relu6(x + 3) / 6. */
export function hardsigmoid(input: Tensor, inplace = false): Tensor {
  return activate('hardsigmoid', 'hardsigmoid', input, checkFlag('hardsigmoid', 'inplace', inplace));
}

/** `F.softplus(input, beta = 1, threshold = 20)`: log(1 + exp(beta x)) / beta, x where beta x > threshold. */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  const op = 'softplus';
  const b = checkNumber(op, 'beta', beta);
  if (b === 0) throw new RangeError(`${op}: beta must be non-zero, got 0`);
  return activate(op, 'softplus', input, false, b, checkNumber(op, 'threshold', threshold));
}

/** `F.softsign(input)`: x / (1 + |x|). */
export function softsign(input: Tensor): Tensor {
  return activate('softsign', 'softsign', input, false);
}

/**
 * `F.prelu(input, weight)`: x > 0 ? x : weight[c] * x, with weight of 1 entry or one per channel
 * (dim 1 of the input).
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const op = 'prelu';
  checkTensor(op, input, 'input');
  checkTensor(op, weight, 'weight');
  const s = input.shape;
  const channels = s.length >= 2 ? s[1] : 1;
  const wn = weight.numel();
  if (weight.dim() > 1 || (wn !== 1 && wn !== channels)) {
    throw new RangeError(
      `${op}: weight must hold 1 value or one per channel (${channels} for input${fmtShape(s)}), got weight${fmtShape(weight.shape)}`,
    );
  }
  let inner = 1;
  for (let i = 2; i < s.length; i++) inner *= s[i];
  const outer = s.length >= 2 ? s[0] : input.numel();
  const c = s.length >= 2 ? s[1] : 1;
  const shape = [outer, c, inner];
  const out = new Tensor(uninit(input.numel(), op), s);
  layersNative.prelu(input.storage, weight.storage, shape, out.storage);
  if (needsGrad(input, weight)) {
    record('PreluBackward0', [input, weight], [out], ([g]) => {
      const gx = input.requiresGrad ? new Tensor(uninit(input.numel()), s) : null;
      const gw = weight.requiresGrad ? new Tensor(uninit(wn), weight.shape) : null;
      layersNative.preluBackward(input.storage, weight.storage, g!.storage, shape, gx && gx.storage, gw && gw.storage);
      return [gx, gw];
    }, [input, weight]);
  }
  return out;
}
