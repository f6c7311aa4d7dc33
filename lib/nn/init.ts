/**
 * `nn.init` (PyTorch's torch/nn/init.py): in-place initialisers, run without recording autograd.
 * Random values come from the native generator, so `torch.manualSeed` makes them reproducible.
 */
import { Tensor } from '../tensor';
import { native } from '../native';
import { noGrad } from '../autograd/grad-mode';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

function write(t: Tensor, op: string, fill: (s: Float32Array) => void): Tensor {
  noGrad(() => t._writeWith(op, fill));
  return t;
}

/** The recommended gain for a nonlinearity (PyTorch's `calculate_gain`). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linear.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param)) throw new Error(`negative_slope ${param} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (dims 2..). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const shape = t.shape;
  if (shape.length < 2) {
    throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(t: Tensor, mode: FanMode): number {
  const m = String(mode).toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return m === 'fan_in' ? fanIn : fanOut;
}

/** Fills with U(a, b). */
export function uniform_(t: Tensor, a: number | { a?: number; b?: number } = 0, b = 1): Tensor {
  if (typeof a === 'object') ({ a = 0, b = 1 } = a);
  const lo = a as number;
  if (!(lo <= b)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${lo} > to=${b}`);
  return write(t, 'uniform_', (s) => native.randUniform(s, lo, b));
}

/** Fills with N(mean, std²). */
export function normal_(t: Tensor, mean: number | { mean?: number; std?: number } = 0, std = 1): Tensor {
  if (typeof mean === 'object') ({ mean = 0, std = 1 } = mean);
  const m = mean as number;
  if (!(std >= 0)) throw new RangeError(`normal_ expects std >= 0.0, got ${std}`);
  return write(t, 'normal_', (s) => native.randNormal(s, m, std));
}

export function constant_(t: Tensor, val: number): Tensor {
  return write(t, 'constant_', (s) => s.fill(val));
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu); default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingArgs(a: number | KaimingOptions | undefined, mode?: FanMode, nonlinearity?: Nonlinearity): Required<KaimingOptions> {
  if (typeof a === 'object' && a !== null) return { a: a.a ?? 0, mode: a.mode ?? 'fan_in', nonlinearity: a.nonlinearity ?? 'leaky_relu' };
  return { a: a ?? 0, mode: mode ?? 'fan_in', nonlinearity: nonlinearity ?? 'leaky_relu' };
}

function emptyWarn(t: Tensor, what: string): boolean {
  if (t.shape.includes(0)) {
    process.emitWarning(`Initializing zero-element tensors is a no-op (${what})`);
    return true;
  }
  return false;
}

/**
 * He initialisation, uniform: U(-bound, bound), bound = gain·√(3/fan).
 * `kaimingUniform_(w, { a: Math.sqrt(5) })` or positional `(w, a, mode, nonlinearity)`.
 */
export function kaimingUniform_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  if (emptyWarn(t, 'kaimingUniform_')) return t;
  const o = kaimingArgs(a, mode, nonlinearity);
  const fan = correctFan(t, o.mode);
  const gain = calculateGain(o.nonlinearity, o.a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}

/** He initialisation, normal: N(0, std²), std = gain/√fan. */
export function kaimingNormal_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  if (emptyWarn(t, 'kaimingNormal_')) return t;
  const o = kaimingArgs(a, mode, nonlinearity);
  const fan = correctFan(t, o.mode);
  const gain = calculateGain(o.nonlinearity, o.a);
  return normal_(t, 0, gain / Math.sqrt(fan));
}

/** Glorot initialisation, uniform: U(-a, a), a = gain·√(6/(fanIn+fanOut)). */
export function xavierUniform_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = typeof gain === 'object' ? gain.gain ?? 1 : gain;
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = g * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a);
}

/** Glorot initialisation, normal: N(0, std²), std = gain·√(2/(fanIn+fanOut)). */
export function xavierNormal_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = typeof gain === 'object' ? gain.gain ?? 1 : gain;
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, g * Math.sqrt(2.0 / (fanIn + fanOut)));
}
