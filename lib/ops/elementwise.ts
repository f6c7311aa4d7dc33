/**
 * Elementwise ops with broadcasting and PyTorch's type promotion, and their gradients. One native
 * call per op: contiguous float32 operands take the SIMD kernels; other dtypes and strided views
 * the dtype-generic strided kernel (native/core/strided.cc), which reads views in place.
 */
import { needsGrad, record } from '../autograd/node';
import { BinaryOp, BinaryOpName, native, TypedBinaryOp, TypedBinaryOpName, typedUnaryCode, TypedUnaryOpName, UnaryOp, UnaryOpName } from '../native';
import { broadcastShapes, fmtShape, numel, sameShape } from '../shape';
import { uninit } from '../storage';
import { allocArray, DType, parseDType, promoteTypes, promoteWithScalar, scalarDType, StorageArray } from '../dtype';
import { Tensor, TensorOrNumber } from '../tensor';
import { tracer } from '../jit/tracer';

export type Scalar = number | boolean;
export type Operand = Tensor | Scalar;

export function checkTensor(op: string, x: unknown, name = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
}

function checkOperand(op: string, y: unknown): asserts y is Operand {
  if (typeof y === 'number' || typeof y === 'boolean') return;
  if (!(y instanceof Tensor)) throw new TypeError(`${op}: other must be a Tensor or a number, got ${y === null ? 'null' : typeof y}`);
}

/** An output tensor for a kernel that writes every element (uninitialised storage, see storage.ts). */
function output(shape: readonly number[]): Tensor {
  return new Tensor(uninit(numel(shape)), shape);
}

/** A new contiguous tensor of `dtype` (zeroed). @internal */
export function emptyOf(dtype: DType, shape: readonly number[]): Tensor {
  return dtype === 'float32' ? new Tensor(new Float32Array(numel(shape)), shape) : new Tensor(allocArray(dtype, numel(shape)), shape);
}

/** Strides that read `t` broadcast to `shape` (0 on broadcast dims). @internal */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const off = shape.length - t.dim();
  return shape.map((s, i) => {
    if (i < off) return 0;
    const ts = t.shape[i - off];
    return ts === 1 && s !== 1 ? 0 : t._strides[i - off];
  });
}

/** A 1-element array holding a scalar as `dtype`. */
function scalarArray(v: Scalar, dtype: DType): StorageArray {
  const n = typeof v === 'boolean' ? Number(v) : v;
  if (dtype === 'float32') return Float32Array.of(n);
  if (dtype === 'int64') return BigInt64Array.of(BigInt(Math.trunc(n)));
  return Uint8Array.of(n !== 0 ? 1 : 0);
}

/** The common dtype of two operands (PyTorch's result_type). @internal */
export function resultType(a: Tensor, b: Operand): DType {
  if (!(b instanceof Tensor)) return promoteWithScalar(a.dtype, scalarDType(b));
  // A 0-dim tensor counts like a scalar against a tensor with dims, as in PyTorch.
  if (a.dim() === 0 && b.dim() > 0) return promoteWithScalar(b.dtype, a.dtype);
  if (b.dim() === 0 && a.dim() > 0) return promoteWithScalar(a.dtype, b.dtype);
  return promoteTypes(a.dtype, b.dtype);
}

/** `t` as `dtype` (itself when it already is). Not recorded. @internal */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = emptyOf(dtype, t.shape);
  if (t.numel() > 0) native.copyStrided(t._storage!, t._offset, t._strides, out._storage!, 0, out._strides, t.shape);
  return out;
}

const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'logicalAnd', 'logicalOr', 'logicalXor']);

/**
 * Raw (unrecorded) `a op b` with broadcasting, computed in dtype `ct` (the operands are cast to it);
 * comparisons and logical ops give bool.
 */
function typedBinary(opName: TypedBinaryOpName, a: Tensor, b: Operand, ct: DType, reversed = false): Tensor {
  const bShape = b instanceof Tensor ? b.shape : [];
  const shape = broadcastShapes(opName, a.shape, bShape);
  const outType: DType = COMPARISONS.has(opName) ? 'bool' : ct;
  const out = emptyOf(outType, shape);
  if (out.numel() === 0) return out;
  const ca = cast(a, ct);
  let bArr: StorageArray, bOff: number, bStr: number[];
  if (b instanceof Tensor) {
    const cb = cast(b, ct);
    bArr = cb._storage!;
    bOff = cb._offset;
    bStr = broadcastStrides(cb, shape);
  } else {
    bArr = scalarArray(b, ct);
    bOff = 0;
    bStr = shape.map(() => 0);
  }
  const aArr = ca._storage!, aStr = broadcastStrides(ca, shape);
  if (ca.numel() > 0) ca._live();  // throws the disposed error
  if (reversed) native.binaryStrided(TypedBinaryOp[opName], bArr, bOff, bStr, aArr, ca._offset, aStr, out._storage!, shape);
  else native.binaryStrided(TypedBinaryOp[opName], aArr, ca._offset, aStr, bArr, bOff, bStr, out._storage!, shape);
  return out;
}

/**
 * Raw (unrecorded) y = a op b with broadcasting and type promotion. Contiguous float32 operands take
 * the SIMD kernels; comparisons give bool.
 */
export function rawBinary(opName: BinaryOpName, a: Tensor, b: Operand, reversed = false): Tensor {
  const ct = resultType(a, b);
  if (ct === 'float32' && a.dtype === 'float32' && a._contig && !COMPARISONS.has(opName)) {
    const code = BinaryOp[opName];
    if (typeof b === 'number' || typeof b === 'boolean') {
      const out = output(a.shape);
      native.binaryScalar(code, a.storage, Number(b), out.storage, reversed);
      return out;
    }
    if (b.dtype === 'float32' && b._contig && !reversed) {
      if (sameShape(a.shape, b.shape)) {
        const out = output(a.shape);
        native.binarySame(code, a.storage, b.storage, out.storage);
        return out;
      }
      const out = output(broadcastShapes(opName, a.shape, b.shape));
      native.binary(code, a.storage, a.shape, b.storage, b.shape, out.storage);
      return out;
    }
  }
  return typedBinary(opName, a, b, ct, reversed);
}

/** As rawBinary, for the float-valued masks the gradient formulas multiply with (0/1 float32). */
function rawMask(opName: 'eq' | 'gt' | 'lt', a: Tensor, b: Operand): Tensor {
  return cast(rawBinary(opName, a, b), 'float32');
}

/** Raw float32 unary op through the SIMD kernel (x cast to float32 first). */
function rawUnary(opName: UnaryOpName, x: Tensor): Tensor {
  const xf = cast(x, 'float32');
  const out = output(x.shape);
  native.unary(UnaryOp[opName], xf.storage, out.storage);
  return out;
}

/** Raw unary op of the portable typed kernel, for dtypes / ops without a SIMD kernel. @internal */
export function rawTypedUnary(opName: TypedUnaryOpName, x: Tensor, outType: DType = x.dtype): Tensor {
  const out = emptyOf(outType, x.shape);
  if (x.numel() > 0) native.unaryTyped(typedUnaryCode(opName), x._data(), out._storage!);
  return out;
}

/** Sums a broadcast gradient back down to `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = output(shape);
  native.sumTo(g.storage, g.shape, out.storage, shape);
  return out;
}

function refuseBool(op: string, a: Tensor, b: Operand): void {
  const bd = b instanceof Tensor ? b.dtype : scalarDType(b);
  if (op === 'sub' && a.dtype === 'bool' && bd === 'bool') {
    throw new TypeError('sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.');
  }
}

function binary(
  op: string,
  opName: BinaryOpName,
  a: Tensor,
  b: Operand,
  grad: (g: Tensor, a: Tensor, b: Operand, out: Tensor) => [Tensor | null, Tensor | null],
  saves: 'none' | 'a' | 'b' | 'ab' | 'both' | 'b-out' | 'all',
  ct?: DType,
): Tensor {
  checkTensor(op, a);
  checkOperand(op, b);
  const type = ct ?? resultType(a, b);
  let out: Tensor;
  if (type === 'bool' && (opName === 'add' || opName === 'mul' || opName === 'sub')) {
    // PyTorch: bool + bool is logical or, bool * bool logical and; bool - bool is refused.
    refuseBool(opName, a, b);
    out = typedBinary(opName === 'add' ? 'logicalOr' : 'logicalAnd', a, b, 'bool');
  } else out = type === resultType(a, b) ? rawBinary(opName, a, b) : typedBinary(opName, a, b, type);
  const bt = b instanceof Tensor ? b : null;
  if (needsGrad(a, bt)) {
    const saved = saves === 'none' ? [] : saves === 'a' ? [a] : saves === 'b' ? (bt ? [bt] : [])
      : saves === 'both' ? [a, ...(bt ? [bt] : [])]
      : saves === 'ab' ? [...(bt && bt.requiresGrad ? [a] : []), ...(bt && a.requiresGrad ? [bt] : [])] : saves === 'b-out' ? [...(bt ? [bt] : []), out] : [a, ...(bt ? [bt] : []), out];
    record(`${op[0].toUpperCase()}${op.slice(1)}Backward0`, [a, bt], [out], ([g]) => {
      const [ga, gb] = grad(g!, a, b, out);
      return [
        a.requiresGrad && ga ? sumTo(ga, a.shape) : null,
        bt && bt.requiresGrad && gb ? sumTo(gb, bt.shape) : null,
      ];
    }, saved);
  }
  return out;
}

function scaled(b: Operand, alpha: number | undefined): Operand {
  if (alpha === undefined || alpha === 1) return b;
  return b instanceof Tensor ? mul(b, alpha) : Number(b) * alpha;
}

/** a + alpha * b (PyTorch's `add(input, other, alpha=1)`). */
export function add(a: Tensor, b: Operand, alpha?: number): Tensor {
  const out = binary('add', 'add', a, scaled(b, alpha), (g) => [g, g], 'none');
  if (tracer.active !== null) {
    tracer.active.op(b instanceof Tensor && (alpha ?? 1) === 1 ? 'add' : 'add with a scalar or alpha', b instanceof Tensor ? [a, b] : [a], out);
  }
  return out;
}

export function sub(a: Tensor, b: Operand, alpha?: number): Tensor {
  checkTensor('sub', a);
  if (b instanceof Tensor || typeof b === 'boolean') refuseBool('sub', a, b);
  return binary('sub', 'sub', a, scaled(b, alpha), (g) => [g, neg(g)], 'none');
}

export function mul(a: Tensor, b: Operand): Tensor {
  return binary('mul', 'mul', a, b, (g, a, b) => [mul(g, b), b instanceof Tensor ? mul(g, a) : null], 'ab');
}

/**
 * True division (integers give float32, as PyTorch); `roundingMode` 'trunc' or 'floor' keeps
 * integer dtypes (PyTorch's `div(..., rounding_mode=)`).
 */
export function div(a: Tensor, b: Operand, opts: { roundingMode?: 'trunc' | 'floor' | null } = {}): Tensor {
  checkTensor('div', a);
  checkOperand('div', b);
  const mode = opts?.roundingMode ?? null;
  if (mode === 'floor') return floorDivide(a, b);
  const t = resultType(a, b);
  if (mode === 'trunc') {
    if (t === 'float32') return (binaryNoGrad('div', a, b) as Tensor).trunc();
    return typedBinary('div', a, b, t === 'bool' ? 'int64' : t);
  }
  if (mode !== null) throw new RangeError(`div: roundingMode must be 'trunc', 'floor' or null, got ${String(mode)}`);
  return binary('div', 'div', a, b, (g, a, b, out) => [
    div(g, b),
    b instanceof Tensor ? neg(div(mul(g, out), b)) : null,
  ], 'b-out', 'float32');
}

function binaryNoGrad(opName: BinaryOpName, a: Tensor, b: Operand): Tensor {
  return rawBinary(opName, cast(a, 'float32'), b instanceof Tensor ? cast(b, 'float32') : b);
}

/** Floor division; integer dtypes stay integer (division by zero is an error, as in PyTorch). */
export function floorDivide(a: Tensor, b: Operand): Tensor {
  checkTensor('floorDivide', a);
  checkOperand('floorDivide', b);
  const t = resultType(a, b);
  return typedBinary('floorDivide', a, b, t === 'bool' ? 'int64' : t);
}

/** Python's modulus: the result has the divisor's sign (PyTorch's `remainder`). */
export function remainder(a: Tensor, b: Operand): Tensor {
  checkTensor('remainder', a);
  checkOperand('remainder', b);
  const t = resultType(a, b);
  const out = typedBinary('remainder', a, b, t === 'bool' ? 'int64' : t);
  if (needsGrad(a)) record('RemainderBackward0', [a], [out], ([g]) => [g], []);
  return out;
}

export function pow(a: Tensor, b: Operand): Tensor {
  return binary('pow', 'pow', a, b, (g, a, b, out) => {
    if (!(b instanceof Tensor)) {
      const e = Number(b);
      if (e === 0) return [mul(g, 0), null];
      return [mul(mul(g, e), rawBinary('pow', a, e - 1)), null];
    }
    const ga = mul(mul(g, b), rawBinary('pow', a, rawBinary('sub', b, 1)));
    // d/db a^b = a^b log a; PyTorch masks a == 0 to 0 so 0^b does not give NaN gradients.
    const logA = rawUnary('log', rawBinary('add', a, rawMask('eq', a, 0)));
    const gb = mul(mul(g, out), logA);
    return [ga, gb];
  }, 'all');
}

/** Elementwise max/min (NaN propagates); ties split the gradient evenly, as PyTorch does. */
function extremum(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  checkTensor(op, b, 'other');
  const t = resultType(a, b);
  if (t !== 'float32') return typedBinary(op, a, b, t);
  return binary(op, op, a, b, (g, a, b) => {
    const wins = rawMask(op === 'maximum' ? 'gt' : 'lt', a, b), tie = rawMask('eq', a, b as Tensor);
    const wa = rawBinary('add', wins, rawBinary('mul', tie, 0.5));
    return [mul(g, wa), mul(g, rawBinary('sub', wa, 1, true))];
  }, 'both');
}

export const maximum = (a: Tensor, b: Tensor): Tensor => extremum('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => extremum('minimum', a, b);

function comparison(op: TypedBinaryOpName) {
  return (a: Tensor, b: Operand): Tensor => {
    checkTensor(op, a);
    checkOperand(op, b);
    return typedBinary(op, a, b, resultType(a, b));  // bool results; not differentiable, as in PyTorch
  };
}
export const eq = comparison('eq');
export const ne = comparison('ne');
export const gt = comparison('gt');
export const lt = comparison('lt');
export const ge = comparison('ge');
export const le = comparison('le');
export const logicalAnd = comparison('logicalAnd');
export const logicalOr = comparison('logicalOr');
export const logicalXor = comparison('logicalXor');

export function logicalNot(x: Tensor): Tensor {
  checkTensor('logicalNot', x);
  return rawTypedUnary('logicalNot', x, 'bool');
}

/** True where x is +-Infinity (never for integer dtypes). */
export function isinf(x: Tensor): Tensor {
  checkTensor('isinf', x);
  if (x.dtype !== 'float32') return emptyOf('bool', x.shape);
  return typedBinary('eq', rawTypedUnary('abs', x), Infinity, 'float32');
}

/** True where x is finite (always for integer dtypes). */
export function isfinite(x: Tensor): Tensor {
  checkTensor('isfinite', x);
  if (x.dtype !== 'float32') return logicalNot(emptyOf('bool', x.shape));
  return typedBinary('lt', rawTypedUnary('abs', x), Infinity, 'float32');
}

export function isnan(x: Tensor): Tensor {
  checkTensor('isnan', x);
  return rawTypedUnary('isnan', x, 'bool');
}

/**
 * Unary op y = f(x) recorded with the native derivative kernel (which reads x or y). Integer and bool
 * inputs are promoted to float32 first, as PyTorch's floating ops do.
 */
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
    }, uses === 'x' ? [x] : uses === 'y' ? [out] : []);
  }
  return out;
}

/** Ops that keep an integer dtype (neg, abs, sign) use the typed kernel on int64. */
function integerKeeping(opName: 'neg' | 'abs' | 'sign', uses: 'x' | 'none') {
  return (x: Tensor): Tensor => {
    checkTensor(opName, x);
    if (x.dtype === 'int64') return rawTypedUnary(opName, x);
    if (x.dtype === 'bool') {
      if (opName === 'neg') throw new TypeError('neg: Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.');
      return opName === 'abs' ? cast(x, 'bool') : rawTypedUnary(opName, cast(x, 'int64')).bool();
    }
    return unary(opName, x, uses);
  };
}

export const neg = integerKeeping('neg', 'none');
export const exp = (x: Tensor) => unary('exp', x, 'y');
export const log = (x: Tensor) => unary('log', x, 'x');
export const sqrt = (x: Tensor) => unary('sqrt', x, 'y');
export const abs = integerKeeping('abs', 'x');
export const square = (x: Tensor): Tensor => (x.dtype === 'float32' ? unary('square', x, 'x') : mul(x, x));
export const reciprocal = (x: Tensor) => unary('reciprocal', x, 'y');
export const sign = integerKeeping('sign', 'none');

/**
 * `x` converted to `dtype` (PyTorch's `to(dtype)`): the same tensor when it already has it; a copy
 * otherwise (float to int truncates toward zero; to bool is `!= 0`). Not differentiable across dtypes
 * (only floating tensors carry gradients).
 */
export function toDType(x: Tensor, dtype: unknown): Tensor {
  checkTensor('to', x);
  const d = parseDType('to', dtype);
  return cast(x, d);
}

/** In place `t = t op (alpha * other)` for the common contiguous float32 case; false when it does not apply. @internal */
export function fastInPlace(t: Tensor, opName: BinaryOpName, other: TensorOrNumber, alpha: number): boolean {
  if (t.dtype !== 'float32' || !t._contig) return false;
  const dst = t.storage;
  if (typeof other === 'number') {
    native.binaryScalar(BinaryOp[opName], dst, other * alpha, dst, false);
    return true;
  }
  if (!(other instanceof Tensor) || other.dtype !== 'float32' || !other._contig) return false;
  const shape = broadcastShapes(opName, t.shape, other.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(`${opName}_: output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  let src = other.storage;
  if (alpha !== 1) {
    const s = new Float32Array(src.length);
    native.binaryScalar(BinaryOp.mul, src, alpha, s, false);
    src = s;
  }
  if (sameShape(other.shape, t.shape)) native.binarySame(BinaryOp[opName], dst, src, dst);
  else native.binary(BinaryOp[opName], dst, t.shape, src, other.shape, dst);
  return true;
}
