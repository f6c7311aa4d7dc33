/**
 * The unary-op registry: one declaration per floating elementwise op with a portable kernel. Each
 * entry makes the `torch.X(t)` function (this module's export, re-exported by the package), the
 * `t.X()` method (installed on Tensor from this list, typed by {@link RegisteredUnaryMethods}), the
 * PyTorch fixture case (scripts/fixtures/gen_tensor.py reads `torch` and `domain` from these
 * lines), and the gradcheck and fixture tests (test/tensor/registry.test.ts walks the list).
 *
 * Adding an op: its kernel in native/core/strided.{h,cc} (one X(...) line and one case), and one
 * `unaryOp({...})` line here. See docs/CONTRIBUTING-internal.md.
 */
import { record } from '../autograd/node';
import { native, typedUnaryCode } from '../native';
import { Tensor } from '../tensor';
import * as E from './elementwise';
import { cast, checkTensor, rawTypedUnary } from './elementwise';
import { sigmoid } from './activation';

export interface UnaryDef {
  /** Method and function name (camelCase of PyTorch's). */
  name: string;
  /** PyTorch's spelling, for the fixture generator (`torch.<torch>(x)`). */
  torch: string;
  /** Input range the fixtures and the gradcheck sample from. */
  domain: readonly [number, number];
  /** The gradient: dL/dx from (g, x, y), written with differentiable ops. */
  grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor;
  /** Which of x and y the gradient reads (the version check guards exactly these). */
  saves: 'x' | 'y' | 'xy';
  /** TSDoc-style one-liner, shown by `torch.X.doc`. */
  doc: string;
}

/** A registered unary op: `(x) => y`, carrying its definition. */
export type UnaryOp = ((x: Tensor) => Tensor) & { readonly def: UnaryDef; readonly registeredUnary: true };

const registry: UnaryOp[] = [];

/** @internal Every registered op, in declaration order. */
export function registeredUnaryOps(): readonly UnaryOp[] {
  return registry;
}

function unaryOp(def: UnaryDef): UnaryOp {
  const code = typedUnaryCode(def.name);  // fails at load when the kernel is missing
  const backwardName = `${def.name[0].toUpperCase()}${def.name.slice(1)}Backward0`;
  const fn = (x: Tensor): Tensor => {
    checkTensor(def.name, x);
    // Integer and bool inputs promote to float32, as PyTorch's floating ops do.
    const xf = cast(x, 'float32');
    const out = E.emptyOf('float32', x.shape);
    if (out.numel() > 0) native.unaryTyped(code, xf._data(), out._storage!);
    record(backwardName, [x], [out], ([g]) => [def.grad(g!, xf, out)],
      def.saves === 'x' ? [x] : def.saves === 'y' ? [out] : [x, out]);
    return out;
  };
  const op = Object.assign(fn, { def, registeredUnary: true as const });
  registry.push(op);
  return op;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const sin = unaryOp({ name: 'sin', torch: 'sin', domain: [-4, 4], saves: 'x', doc: 'Elementwise sine.',
  grad: (g, x) => E.mul(g, rawTypedUnary('cos', x)) });
export const cos = unaryOp({ name: 'cos', torch: 'cos', domain: [-4, 4], saves: 'x', doc: 'Elementwise cosine.',
  grad: (g, x) => E.neg(E.mul(g, rawTypedUnary('sin', x))) });
export const tan = unaryOp({ name: 'tan', torch: 'tan', domain: [-1.2, 1.2], saves: 'y', doc: 'Elementwise tangent.',
  grad: (g, _x, y) => E.mul(g, E.add(E.square(y), 1)) });
export const atan = unaryOp({ name: 'atan', torch: 'atan', domain: [-3, 3], saves: 'x', doc: 'Elementwise arctangent.',
  grad: (g, x) => E.div(g, E.add(E.square(x), 1)) });
export const erf = unaryOp({ name: 'erf', torch: 'erf', domain: [-2, 2], saves: 'x', doc: 'The error function.',
  grad: (g, x) => E.mul(g, E.mul(E.exp(E.neg(E.square(x))), TWO_OVER_SQRT_PI)) });
export const erfinv = unaryOp({ name: 'erfinv', torch: 'erfinv', domain: [-0.95, 0.95], saves: 'y', doc: 'The inverse error function.',
  grad: (g, _x, y) => E.mul(g, E.mul(E.exp(E.square(y)), Math.sqrt(Math.PI) / 2)) });
export const log1p = unaryOp({ name: 'log1p', torch: 'log1p', domain: [0.25, 1.75], saves: 'x', doc: 'log(1 + x), accurate for small x.',
  grad: (g, x) => E.div(g, E.add(x, 1)) });
export const expm1 = unaryOp({ name: 'expm1', torch: 'expm1', domain: [-2, 2], saves: 'y', doc: 'exp(x) - 1, accurate for small x.',
  grad: (g, _x, y) => E.mul(g, E.add(y, 1)) });
export const rsqrt = unaryOp({ name: 'rsqrt', torch: 'rsqrt', domain: [0.25, 1.75], saves: 'y', doc: '1 / sqrt(x).',
  grad: (g, _x, y) => E.mul(g, E.mul(E.pow(y, 3), -0.5)) });
export const logSigmoid = unaryOp({ name: 'logSigmoid', torch: 'nn.functional.logsigmoid', domain: [-30, 30], saves: 'x',
  doc: 'log(sigmoid(x)), computed without overflow.', grad: (g, x) => E.mul(g, sigmoid(E.neg(x))) });

type Registered = typeof import('./unary-registry');
/** The `t.X()` methods the registry installs on Tensor. */
export type RegisteredUnaryMethods = {
  [K in keyof Registered as Registered[K] extends { readonly registeredUnary: true } ? K : never]: () => Tensor;
};

/** @internal Installs one method per registered op on the Tensor class (called once, by tensor.ts). */
export function installUnaryMethods(cls: { prototype: object }): void {
  for (const op of registry) {
    Object.defineProperty(cls.prototype, op.def.name, {
      value: function (this: Tensor) { return op(this); },
      writable: true,
      configurable: true,
    });
  }
}
