/**
 * `nn.utils.parametrize` (torch/nn/utils/parametrize.py): `module.weight` becomes a computed
 * property `parametrizations.weight()` of stored originals (`parametrizations.weight.original`,
 * or `original0`, `original1`, ... when `rightInverse` returns an array).
 *
 * PyTorch swaps the module's class for a generated subclass holding the property; here the
 * accessor is an own property of the module (the class stays the same) and `_getName()` reports
 * `Parametrized<Class>` so the printed tree matches PyTorch's.
 */
import { Tensor } from '../../tensor';
import { noGrad } from '../../autograd/grad-mode';
import { Module, _rawTarget, typeName } from '../module';
import { Parameter } from '../parameter';
import { ModuleDict } from '../modules/container';

/** A parametrization: a Module whose forward maps the originals to the tensor; `rightInverse` is optional. */
export interface Parametrization extends Module {
  rightInverse?(value: Tensor): Tensor | Tensor[];
}

export interface RegisterParametrizationOptions {
  /** Skip the checks that the parametrized tensor keeps its shape and dtype. */
  unsafe?: boolean;
}

let cacheDepth = 0;
const cache = new Map<Module, Map<string, Tensor>>();

/**
 * Runs `fn` with parametrized tensors computed once and reused (PyTorch's `with parametrize.cached():`).
 */
export function cached<T>(fn: () => T): T {
  cacheDepth++;
  try {
    return fn();
  } finally {
    if (--cacheDepth === 0) cache.clear();
  }
}

function registerParamOrBuffer(m: Module, name: string, t: Tensor): void {
  if (t instanceof Parameter) m.registerParameter(name, t);
  else m.registerBuffer(name, t);
}

/** The list of parametrizations of one tensor, with the originals (PyTorch's `ParametrizationList`). */
export class ParametrizationList extends Module<[], Tensor> {
  declare unsafe: boolean;
  declare isTensor: boolean;
  declare ntensors: number;

  constructor(modules: Parametrization[], original: Tensor, unsafe = false) {
    super();
    if (modules.length === 0) throw new Error('ParametrizationList requires one or more modules.');
    this.unsafe = unsafe;
    modules.forEach((m, i) => this.addModule(String(i), m));
    const originalShape = original.shape.slice();
    const originalDtype = original.dtype;
    const value = noGrad((): Tensor | Tensor[] => {
      let v: Tensor | Tensor[] = original;
      for (const m of [...modules].reverse()) if (typeof m.rightInverse === 'function') v = m.rightInverse(v as Tensor);
      return v;
    });
    if (!(value instanceof Tensor) && !Array.isArray(value)) {
      throw new Error(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got ${typeName(value)}`);
    }
    this.isTensor = value instanceof Tensor;
    this.ntensors = value instanceof Tensor ? 1 : value.length;
    if (value instanceof Tensor) {
      if (!unsafe && value.dtype !== original.dtype) {
        throw new Error(`When \`right_inverse\` outputs one tensor, it may not change the dtype.\noriginal.dtype: ${original.dtype}\nright_inverse(original).dtype: ${value.dtype}`);
      }
      let orig = original;
      if (value !== original) {
        if (sameShape(value.shape, original.shape)) {
          const v = value;
          noGrad(() => orig.copy_(v));
        } else {
          orig = original instanceof Parameter ? new Parameter(value.detach(), original.requiresGrad) : value.detach();
        }
      }
      registerParamOrBuffer(this, 'original', orig);
    } else {
      value.forEach((vi, i) => {
        if (!(vi instanceof Tensor)) throw new Error(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got element ${i} of the sequence with type ${typeName(vi)}.`);
        const oi = original instanceof Parameter ? new Parameter(vi.detach(), original.requiresGrad) : vi.detach();
        if (!(original instanceof Parameter) && original.requiresGrad) oi.requiresGrad_(true);
        registerParamOrBuffer(this, `original${i}`, oi);
      });
    }
    if (unsafe) return;
    const z = this.forward();
    if (!(z instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typeName(z)}.`);
    if (z.dtype !== originalDtype) {
      throw new Error(`Registering a parametrization may not change the dtype of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized dtype: ${originalDtype}\nparametrized dtype: ${z.dtype}`);
    }
    if (!sameShape(z.shape, originalShape)) {
      throw new Error(
        'Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\n' +
          `unparametrized shape: torch.Size([${originalShape.join(', ')}])\nparametrized shape: torch.Size([${z.shape.join(', ')}])`,
      );
    }
  }

  /** The parametrizations in order (children '0', '1', ...). */
  private list(): Parametrization[] {
    return [...this._modules.values()] as Parametrization[];
  }

  /** The originals: `[original]`, or `[original0, original1, ...]`. */
  originals(): Tensor[] {
    const self = this as unknown as Record<string, Tensor>;
    return this.isTensor ? [self.original] : Array.from({ length: this.ntensors }, (_, i) => self[`original${i}`]);
  }

  forward(): Tensor {
    const mods = this.list();
    let x = (mods[0] as unknown as (...a: Tensor[]) => Tensor)(...this.originals());
    for (let i = 1; i < mods.length; i++) x = (mods[i] as unknown as (a: Tensor) => Tensor)(x);
    return x;
  }

  /** Stores `value` through the right inverses (what `module.weight = value` does). */
  rightInverse(value: Tensor): void {
    if (!(value instanceof Tensor)) throw new TypeError(`cannot assign '${typeName(value)}' to a parametrized tensor (Tensor required)`);
    noGrad(() => {
      let v: Tensor | Tensor[] = value;
      for (const m of this.list().reverse()) {
        if (typeof m.rightInverse !== 'function') {
          throw new Error(`parametrization ${m._getName()} does not implement right_inverse.`);
        }
        v = m.rightInverse(v as Tensor);
      }
      const origs = this.originals();
      const vs = this.isTensor ? [v as Tensor] : (v as Tensor[]);
      if (!this.isTensor && (!Array.isArray(v) || v.length !== this.ntensors)) {
        throw new Error(`'right_inverse' must return a sequence of tensors of length ${this.ntensors}. Got a sequence of length ${Array.isArray(v) ? v.length : 1}.`);
      }
      vs.forEach((t, i) => {
        if (!(t instanceof Tensor)) throw new Error(`\`right_inverse\` should return a tensor. Got ${typeName(t)}`);
        if (!sameShape(t.shape, origs[i].shape)) {
          throw new Error(`The tensor returned by \`right_inverse\` has shape [${t.shape.join(', ')}] while the original has shape [${origs[i].shape.join(', ')}]`);
        }
        origs[i].copy_(t);
      });
    });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function parametrizationsOf(module: Module): ModuleDict<ParametrizationList> | null {
  const p = module._modules.get('parametrizations');
  return p instanceof ModuleDict ? (p as ModuleDict<ParametrizationList>) : null;
}

/** True if `module` has any parametrization (or one on `tensorName`). */
export function isParametrized(module: Module, tensorName?: string): boolean {
  const p = parametrizationsOf(module);
  if (p === null) return false;
  return tensorName === undefined ? p.size > 0 : p.has(tensorName);
}

function defineAccessor(module: Module, name: string): void {
  Reflect.defineProperty(_rawTarget(module) as object, name, {
    configurable: true,
    enumerable: false,
    get(this: Module): Tensor {
      const list = parametrizationsOf(this)!.get(name)!;
      if (cacheDepth === 0) return list();
      let c = cache.get(this);
      if (!c) cache.set(this, (c = new Map()));
      let t = c.get(name);
      if (t === undefined) c.set(name, (t = list()));
      return t;
    },
    set(this: Module, value: Tensor) {
      parametrizationsOf(this)!.get(name)!.rightInverse(value);
    },
  });
}

/**
 * Makes `module[tensorName]` the output of `parametrization` applied to the stored original
 * (PyTorch's `register_parametrization`); registering again on the same tensor chains them.
 * Returns the module.
 */
export function registerParametrization<M extends Module>(
  module: M,
  tensorName: string,
  parametrization: Parametrization,
  opts: RegisterParametrizationOptions = {},
): M {
  if (!(module instanceof Module)) throw new TypeError(`registerParametrization: module must be an nn.Module, got ${typeName(module)}`);
  if (!(parametrization instanceof Module)) {
    throw new TypeError(`registerParametrization: the parametrization must be an nn.Module, got ${typeName(parametrization)}`);
  }
  const unsafe = !!opts.unsafe;
  parametrization.train(module.training);
  const existing = parametrizationsOf(module)?.get(tensorName);
  if (existing) {
    if (!unsafe) {
      const y = (module as unknown as Record<string, Tensor>)[tensorName];
      const x = (parametrization as unknown as (t: Tensor) => unknown)(y);
      if (!(x instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typeName(x)}.`);
      if (!sameShape(x.shape, y.shape)) {
        throw new Error(
          'Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\n' +
            `unparametrized shape: torch.Size([${y.shape.join(', ')}])\nparametrized shape: torch.Size([${x.shape.join(', ')}])`,
        );
      }
    }
    existing.addModule(String(existing._modules.size), parametrization);
    existing.unsafe = existing.unsafe || unsafe;
    return module;
  }
  if (!module._parameters.has(tensorName) && !module._buffers.has(tensorName)) {
    throw new Error(`Module '${module._getName()}' does not have a parameter, a buffer, or a parametrized element with name '${tensorName}'`);
  }
  const original = (module as unknown as Record<string, Tensor | null>)[tensorName];
  if (original === null) throw new Error(`Module '${module._getName()}' has '${tensorName}' registered as None; nothing to parametrize`);
  const list = new ParametrizationList([parametrization], original, unsafe);
  delete (module as unknown as Record<string, unknown>)[tensorName];
  if (parametrizationsOf(module) === null) {
    (module as unknown as Record<string, unknown>).parametrizations = new ModuleDict();
    const base = Object.getPrototypeOf(module)._getName as () => string;
    Reflect.defineProperty(_rawTarget(module) as object, '_getName', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: function (this: Module) {
        return 'Parametrized' + base.call(this);
      },
    });
  }
  defineAccessor(module, tensorName);
  parametrizationsOf(module)!.set(tensorName, list);
  return module;
}

/**
 * Undoes `registerParametrization` on `tensorName`: with `leaveParametrized` (default) the tensor
 * keeps its current parametrized value, else it gets the original back. Returns the module.
 */
export function removeParametrizations<M extends Module>(module: M, tensorName: string, leaveParametrized = true): M {
  if (!isParametrized(module, tensorName)) {
    throw new Error(`Module ${module._getName()} does not have a parametrization on ${tensorName}`);
  }
  const dict = parametrizationsOf(module)!;
  const list = dict.get(tensorName)!;
  let original: Tensor;
  if (list.isTensor) {
    original = (list as unknown as Record<string, Tensor>).original;
    if (leaveParametrized) {
      const t = noGrad(() => (module as unknown as Record<string, Tensor>)[tensorName]);
      if (sameShape(t.shape, original.shape)) {
        const o = original;
        noGrad(() => o.copy_(t));
      } else {
        original = original instanceof Parameter ? new Parameter(t.detach(), original.requiresGrad) : t.detach();
      }
    }
  } else {
    if (!leaveParametrized) {
      throw new Error('Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.');
    }
    const t = noGrad(() => (module as unknown as Record<string, Tensor>)[tensorName]);
    const o0 = list.originals()[0];
    original = o0 instanceof Parameter ? new Parameter(t.detach(), o0.requiresGrad) : t.detach();
  }
  Reflect.deleteProperty(_rawTarget(module) as object, tensorName);
  dict.delete(tensorName);
  registerParamOrBuffer(module, tensorName, original);
  if (dict.size === 0) {
    delete (module as unknown as Record<string, unknown>).parametrizations;
    Reflect.deleteProperty(_rawTarget(module) as object, '_getName');
  }
  return module;
}
