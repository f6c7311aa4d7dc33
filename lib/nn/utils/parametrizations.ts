/**
 * `nn.utils.parametrizations.weightNorm` and `spectralNorm` (torch/nn/utils/parametrizations.py,
 * PyTorch 2.x): parametrizations registered with `parametrize.registerParametrization`, with
 * PyTorch's state-dict keys (`parametrizations.weight.original0`/`original1` for weight norm,
 * `parametrizations.weight.original` and `parametrizations.weight.0._u`/`_v` for spectral norm).
 */
import { Tensor } from '../../tensor';
import { noGrad } from '../../autograd/grad-mode';
import { randn } from '../../ops/creation';
import { Module, typeName } from '../module';
import { registerParametrization } from './parametrize';

/** ||x||_2 over every dim but `dim` (all dims when `dim === -1`), shaped to broadcast against `x`. */
function normExceptDim(x: Tensor, dim: number): Tensor {
  if (dim === -1) return x.square().sum().sqrt();
  const n = x.dim();
  if (n === 0) return x.abs();
  const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== dim);
  const s = others.length === 0 ? x.square() : x.square().sum(others, true);
  return s.sqrt();
}

/** PyTorch's `F.normalize(x, dim=0, eps)` for a 1-D x: x / max(||x||, eps). */
function normalize1d(x: Tensor, eps: number): Tensor {
  const norm = x.square().sum().sqrt().item();
  return x.div(Math.max(norm, eps));
}

/** `w = g * v / ||v||`, with `||.||` over every dim but `dim` (PyTorch's `_WeightNorm`). */
export class WeightNorm extends Module<[Tensor, Tensor], Tensor> {
  declare dim: number;

  constructor(dim: number | null = 0) {
    super();
    this.dim = dim === null ? -1 : dim;
  }

  forward(weightG: Tensor, weightV: Tensor): Tensor {
    return weightV.mul(weightG.div(normExceptDim(weightV, this.dim)));
  }

  rightInverse(weight: Tensor): Tensor[] {
    return [normExceptDim(weight, this.dim), weight];
  }
}

/**
 * Replaces `module[name]` by `g * v / ||v||` with `g` and `v` stored as
 * `parametrizations.<name>.original0` and `original1` (PyTorch 2.x's `weight_norm`). A checkpoint
 * saved with the old `weight_g`/`weight_v` keys is renamed on load, as PyTorch does.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const wn = new WeightNorm(dim === null ? null : dim < 0 ? dim + ((module as unknown as Record<string, Tensor>)[name]?.dim?.() ?? 0) : dim);
  registerParametrization(module, name, wn, { unsafe: true });
  module.registerLoadStateDictPreHook((_m, sd, prefix) => {
    const g = `${prefix}${name}_g`;
    const v = `${prefix}${name}_v`;
    if (sd.has(g) && sd.has(v)) {
      const o0 = sd.get(g);
      const o1 = sd.get(v);
      sd.delete(g);
      sd.delete(v);
      sd.set(`${prefix}parametrizations.${name}.original0`, o0);
      sd.set(`${prefix}parametrizations.${name}.original1`, o1);
    }
  });
  return module;
}

/**
 * `weight / sigma`, sigma the largest singular value of the weight (as a matrix with `dim` first),
 * estimated by power iteration on the buffers `_u`, `_v` (PyTorch's `_SpectralNorm`).
 */
export class SpectralNorm extends Module<[Tensor], Tensor> {
  declare dim: number;
  declare eps: number;
  declare nPowerIterations: number;
  declare _u: Tensor;
  declare _v: Tensor;

  constructor(weight: Tensor, nPowerIterations = 1, dim = 0, eps = 1e-12) {
    super();
    const ndim = weight.dim();
    if (!Number.isInteger(dim) || dim >= ndim || dim < -ndim) {
      throw new RangeError(`Dimension out of range (expected to be in range of [-${ndim}, ${ndim - 1}] but got ${dim})`);
    }
    if (!(nPowerIterations > 0)) {
      throw new RangeError(`Expected n_power_iterations to be positive, but got n_power_iterations=${nPowerIterations}`);
    }
    this.dim = dim >= 0 ? dim : dim + ndim;
    this.eps = eps;
    if (ndim > 1) {
      this.nPowerIterations = nPowerIterations;
      const wm = this.reshapeWeightToMatrix(weight.detach());
      const [h, w] = wm.shape;
      this.registerBuffer('_u', normalize1d(randn(h), eps));
      this.registerBuffer('_v', normalize1d(randn(w), eps));
      this.powerMethod(wm, 15);
    }
  }

  /** The weight as a matrix with `dim` as rows. */
  reshapeWeightToMatrix(weight: Tensor): Tensor {
    let w = weight;
    if (this.dim !== 0) {
      const rest = Array.from({ length: w.dim() }, (_, i) => i).filter((d) => d !== this.dim);
      w = w.permute(this.dim, ...rest);
    }
    return w.flatten(1);
  }

  /** `n` power-iteration steps, updating `_u` and `_v` in place (no grad). */
  powerMethod(weightMat: Tensor, n: number): void {
    noGrad(() => {
      const wm = weightMat.detach();
      const wt = wm.t();
      for (let i = 0; i < n; i++) {
        this._u.copy_(normalize1d(mv(wm, this._v), this.eps));
        this._v.copy_(normalize1d(mv(wt, this._u), this.eps));
      }
    });
  }

  forward(weight: Tensor): Tensor {
    if (weight.dim() === 1) return normalize1d(weight, this.eps);
    const wm = this.reshapeWeightToMatrix(weight);
    if (this.training) this.powerMethod(wm, this.nPowerIterations);
    const u = this._u.clone();
    const v = this._v.clone();
    const sigma = u.mul(mv(wm, v)).sum();
    return weight.div(sigma);
  }

  rightInverse(value: Tensor): Tensor {
    return value;
  }
}

function mv(m: Tensor, v: Tensor): Tensor {
  return m.matmul(v.reshape(-1, 1)).reshape(-1);
}

export interface SpectralNormOptions {
  nPowerIterations?: number;
  eps?: number;
  /** Default 0 (1 for transposed convolutions, which torchlet does not have yet). */
  dim?: number;
}

/**
 * Divides `module[name]` by its spectral norm (PyTorch 2.x's `spectral_norm` parametrization);
 * the power iteration runs once per access in training mode.
 */
export function spectralNorm<M extends Module>(module: M, name = 'weight', opts: SpectralNormOptions = {}): M {
  const weight = (module as unknown as Record<string, unknown>)[name];
  if (!(weight instanceof Tensor)) {
    throw new Error(`Module '${module._getName()}' has no parameter or buffer with name '${name}'`);
  }
  void typeName;
  const sn = new SpectralNorm(weight, opts.nPowerIterations ?? 1, opts.dim ?? 0, opts.eps ?? 1e-12);
  registerParametrization(module, name, sn);
  return module;
}
