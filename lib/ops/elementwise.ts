/** Elementwise ops with broadcasting, and their gradients. One native call per op. */
import { needsGrad, record } from '../autograd/node';
import { BinaryOp, BinaryOpName, native, UnaryOp, UnaryOpName } from '../native';
import { broadcastShapes, fmtShape, numel, sameShape } from '../shape';
import { uninit } from '../storage';
import { Tensor, TensorOrNumber } from '../tensor';

function checkTensor(op: string, x: unknown, name = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
}

function checkOperand(op: string, y: unknown): void {
  if (typeof y === 'number') return;
  if (!(y instanceof Tensor)) throw new TypeError(`${op}: other must be a Tensor or a number, got ${y === null ? 'null' : typeof y}`);
}

/** An output tensor for a kernel that writes every element (uninitialised storage, see storage.ts). */
function output(shape: readonly number[]): Tensor {
  return new Tensor(uninit(numel(shape)), shape);
}

/** Raw (unrecorded) y = a op b with broadcasting. */
export function rawBinary(opName: BinaryOpName, a: Tensor, b: TensorOrNumber, reversed = false): Tensor {
  const code = BinaryOp[opName];
  if (typeof b === 'number') {
    const out = output(a.shape);
    native.binaryScalar(code, a.storage, b, out.storage, reversed);
    return out;
  }
  if (sameShape(a.shape, b.shape)) {
    const out = output(a.shape);
    native.binarySame(code, a.storage, b.storage, out.storage);
    return out;
  }
  const out = output(broadcastShapes(opName, a.shape, b.shape));
  native.binary(code, a.storage, a.shape, b.storage, b.shape, out.storage);
  return out;
}

function rawUnary(opName: UnaryOpName, x: Tensor): Tensor {
  const out = output(x.shape);
  native.unary(UnaryOp[opName], x.storage, out.storage);
  return out;
}

/** Sums a broadcast gradient back down to `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = output(shape);
  native.sumTo(g.storage, g.shape, out.storage, shape);
  return out;
}

function binary(
  op: string,
  opName: BinaryOpName,
  a: Tensor,
  b: TensorOrNumber,
  grad: (g: Tensor, a: Tensor, b: TensorOrNumber, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  checkTensor(op, a);
  checkOperand(op, b);
  const out = rawBinary(opName, a, b);
  const bt = typeof b === 'number' ? null : b;
  if (needsGrad(a, bt)) {
    record(`${op[0].toUpperCase()}${op.slice(1)}Backward0`, [a, bt], [out], ([g]) => {
      const [ga, gb] = grad(g!, a, b, out);
      return [
        a.requiresGrad && ga ? sumTo(ga, a.shape) : null,
        bt && bt.requiresGrad && gb ? sumTo(gb, bt.shape) : null,
      ];
    });
  }
  return out;
}

function scaled(b: TensorOrNumber, alpha: number | undefined): TensorOrNumber {
  if (alpha === undefined || alpha === 1) return b;
  return typeof b === 'number' ? b * alpha : mul(b, alpha);
}

/** a + alpha * b (PyTorch's `add(input, other, alpha=1)`). */
export function add(a: Tensor, b: TensorOrNumber, alpha?: number): Tensor {
  return binary('add', 'add', a, scaled(b, alpha), (g) => [g, g]);
}

export function sub(a: Tensor, b: TensorOrNumber, alpha?: number): Tensor {
  return binary('sub', 'sub', a, scaled(b, alpha), (g) => [g, neg(g)]);
}

export function mul(a: Tensor, b: TensorOrNumber): Tensor {
  return binary('mul', 'mul', a, b, (g, a, b) => [mul(g, b), typeof b === 'number' ? null : mul(g, a)]);
}

export function div(a: Tensor, b: TensorOrNumber): Tensor {
  return binary('div', 'div', a, b, (g, a, b, out) => [
    div(g, b),
    typeof b === 'number' ? null : neg(div(mul(g, out), b)),
  ]);
}

export function pow(a: Tensor, b: TensorOrNumber): Tensor {
  return binary('pow', 'pow', a, b, (g, a, b, out) => {
    if (typeof b === 'number') {
      if (b === 0) return [mul(g, 0), null];
      return [mul(mul(g, b), rawBinary('pow', a, b - 1)), null];
    }
    const ga = mul(mul(g, b), rawBinary('pow', a, rawBinary('sub', b, 1)));
    // d/db a^b = a^b log a; PyTorch masks a == 0 to 0 so 0^b does not give NaN gradients.
    const logA = rawUnary('log', rawBinary('add', a, rawBinary('eq', a, 0)));
    const gb = mul(mul(g, out), logA);
    return [ga, gb];
  });
}

/** Elementwise max/min; ties split the gradient evenly between the operands, as PyTorch does. */
function extremum(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  checkTensor(op, b, 'other');
  return binary(op, op, a, b, (g, a, b) => {
    const wins = rawBinary(op === 'maximum' ? 'gt' : 'lt', a, b), tie = rawBinary('eq', a, b as Tensor);
    const wa = rawBinary('add', wins, rawBinary('mul', tie, 0.5));
    return [mul(g, wa), mul(g, rawBinary('sub', wa, 1, true))];
  });
}

export const maximum = (a: Tensor, b: Tensor): Tensor => extremum('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => extremum('minimum', a, b);

function comparison(op: BinaryOpName) {
  return (a: Tensor, b: TensorOrNumber): Tensor => {
    checkTensor(op, a);
    checkOperand(op, b);
    return rawBinary(op, a, b);  // 0/1 floats; not differentiable, as in PyTorch
  };
}
export const eq = comparison('eq');
export const ne = comparison('ne');
export const gt = comparison('gt');
export const lt = comparison('lt');
export const ge = comparison('ge');
export const le = comparison('le');

/** Unary op y = f(x) recorded with the native derivative kernel (which reads x or y). */
export function unary(opName: UnaryOpName, x: Tensor, uses: 'x' | 'y' | 'none'): Tensor {
  checkTensor(opName, x);
  const out = rawUnary(opName, x);
  if (needsGrad(x)) {
    const name = `${opName[0].toUpperCase()}${opName.slice(1)}Backward0`;
    record(name, [x], [out], ([g]) => {
      const gx = output(x.shape);
      native.unaryBackward(UnaryOp[opName], uses === 'x' ? x.storage : null, uses === 'y' ? out.storage : null,
        g!.storage, gx.storage);
      return [gx];
    });
  }
  return out;
}

export const neg = (x: Tensor) => unary('neg', x, 'none');
export const exp = (x: Tensor) => unary('exp', x, 'y');
export const log = (x: Tensor) => unary('log', x, 'x');
export const sqrt = (x: Tensor) => unary('sqrt', x, 'y');
export const abs = (x: Tensor) => unary('abs', x, 'x');
export const square = (x: Tensor) => unary('square', x, 'x');
export const reciprocal = (x: Tensor) => unary('reciprocal', x, 'y');
export const sign = (x: Tensor) => unary('sign', x, 'none');

/** In place `t = t op (alpha * other)`; not recorded (see Tensor._beginWrite). */
export function inPlace(op: string, t: Tensor, opName: BinaryOpName, other: TensorOrNumber, alpha: number): void {
  checkOperand(op, other);
  const dst = t._beginWrite(op);
  if (typeof other === 'number') {
    native.binaryScalar(BinaryOp[opName], dst, other * alpha, dst, false);
    return;
  }
  const shape = broadcastShapes(op, t.shape, other.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(`${op}: output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  let src = other;
  if (alpha !== 1) {
    src = output(other.shape);
    native.binaryScalar(BinaryOp.mul, other.storage, alpha, src.storage, false);
  }
  if (sameShape(src.shape, t.shape)) native.binarySame(BinaryOp[opName], dst, src.storage, dst);
  else native.binary(BinaryOp[opName], dst, t.shape, src.storage, src.shape, dst);
}

/** Copies `src` (broadcastable) into `t` in place. */
export function copyInto(op: string, t: Tensor, src: Tensor): void {
  checkTensor(op, src, 'src');
  if (sameShape(src.shape, t.shape)) {
    const s = src.storage;
    t._beginWrite(op).set(s);
    return;
  }
  const shape = broadcastShapes(op, t.shape, src.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(`${op}: source of shape ${fmtShape(src.shape)} cannot be broadcast to ${fmtShape(t.shape)}`);
  }
  const dst = t._beginWrite(op);
  const zeros = new Float32Array(dst.length);
  native.binary(BinaryOp.add, zeros, t.shape, src.storage, src.shape, dst);
}

