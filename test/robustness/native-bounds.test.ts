/**
 * The raw addon (lib/native.ts `native`, lib/native-nn.ts `nnNative`) called directly with wrong
 * lengths, types and out-of-range integers. native/binding/args.h promises that "every failure throws
 * a JS error naming the op and the argument" and that these checks are "the last line that keeps a
 * bad call from touching memory it does not own". Each case runs in a child process so that a
 * segfault is a failed assertion (with its signal), not a dead jest worker.
 *
 * Cases marked test.failing are bugs: today they crash (SIGSEGV) or touch memory out of bounds.
 * The common root cause is int64 overflow in the size products the binding checks buffer lengths
 * against (Numel / outer*n*inner / (batch-1)*stride + m*k / n*c*h*w): a product that wraps to 0 or
 * to the length of a tiny buffer passes RequireLen, and the kernel then loops over the huge
 * dimensions. 2^64 + 1 = 274177 * 67280421310721 gives a wrap to exactly 1.
 */
import { runNative, expectCleanThrow } from './child';

const F = 'new Float32Array';
const I = 'new Int32Array';
// 274177 * 67280421310721 = 2^64 + 1: both factors are exact doubles and valid int64.
const P1 = 274177, P2 = 67280421310721;

describe('native: arguments of the wrong type are TypeErrors naming the op', () => {
  test.each([
    ['unary', `N.unary(0, [1, 2], ${F}(2))`, /torchlet\.unary: x must be a Float32Array/],
    ['binary', `N.binary(0, [1, 2], [2], ${F}(2), [2], ${F}(2))`, /torchlet\.binary: a must be a Float32Array/],
    ['binary (Float64Array)', `N.binarySame(0, new Float64Array(2), ${F}(2), ${F}(2))`, /torchlet\.binary: a must be a Float32Array/],
    ['randperm', `N.randperm(${F}(3))`, /torchlet\.randperm: out must be an Int32Array/],
    ['manualSeed', `N.manualSeed('x')`, /torchlet\.manualSeed: seed must be a number/],
    ['detachBuffer', `N.detachBuffer(5)`, /torchlet\.dispose: expected an ArrayBuffer/],
    ['conv2d weight', `N.conv2d(${F}(16), null, null, [1,1,4,4,1,3,3,1,1,0,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: weight must be a Float32Array/],
    ['maxPool2dBackward indices', `N.maxPool2dBackward(${F}(4), ${F}(4), 1, 16, ${F}(16))`, /torchlet\.maxPool2dBackward: indices must be an Int32Array/],
    ['linear rows', `N.linear(${F}(6), '2', 3, ${F}(12), 4, null, ${F}(8))`, /torchlet\.linear: rows must be a number/],
  ])('%s', (_name, code, msg) => {
    expectCleanThrow(runNative(code), msg);
  });
});

describe('native: wrong lengths and out-of-range integers are RangeErrors naming the op', () => {
  test.each([
    ['unary out length', `N.unary(0, ${F}(4), ${F}(3))`, /torchlet\.unary: out holds 3 values, expected 4/],
    ['unary op code', `N.unary(99, ${F}(4), ${F}(4))`, /torchlet\.unary: op must be an integer/],
    ['unary on a detached (disposed) buffer', `const a = ${F}(4); N.detachBuffer(a.buffer); N.unary(0, a, ${F}(4))`, /torchlet\.unary: .*holds/],
    ['binary broadcast', `N.binary(0, ${F}(2), [2], ${F}(3), [3], ${F}(3))`, /torchlet\.binary: shapes \[2\] and \[3\] cannot be broadcast/],
    ['binary negative shape', `N.binary(0, ${F}(1), [-1, -1], ${F}(1), [1], ${F}(1))`, /torchlet\.binary: aShape\[0\] must be a non-negative integer/],
    ['binary NaN shape', `N.binary(0, ${F}(1), [NaN], ${F}(1), [1], ${F}(1))`, /torchlet\.binary: aShape\[0\] must be a non-negative integer/],
    ['binary fractional shape', `N.binary(0, ${F}(1), [0.5, 2], ${F}(1), [1], ${F}(1))`, /torchlet\.binary: aShape\[0\] must be a non-negative integer/],
    ['permute repeated', `N.permute(${F}(6), [2, 3], [0, 0], ${F}(6))`, /torchlet\.permute: perm \[0, 0\] is not a permutation/],
    ['permute out of range', `N.permute(${F}(6), [2, 3], [0, 5], ${F}(6))`, /torchlet\.permute: perm \[0, 5\] is not a permutation/],
    ['reduce out length', `N.reduce(0, ${F}(6), 2, 3, 1, ${F}(3))`, /torchlet\.reduce: out holds 3 values, expected 2/],
    ['reduce negative n', `N.reduce(0, ${F}(6), 2, -3, 1, ${F}(2))`, /torchlet\.reduce: n must be an integer/],
    ['argReduce empty dim', `N.argReduce(true, ${F}(0), 1, 0, 1, ${F}(1), ${I}(1))`, /torchlet\.argReduce: cannot reduce over an empty dimension/],
    ['scatterAlongDim index', `N.scatterAlongDim(${F}(2), ${I}([0, 9]), 2, 3, 1, ${F}(6))`, /torchlet\.scatterAlongDim: index 9 at 1 is out of range for size 3/],
    ['scatterAlongDim negative index', `N.scatterAlongDim(${F}(2), ${I}([0, -1]), 2, 3, 1, ${F}(6))`, /torchlet\.scatterAlongDim: index -1 .*out of range/],
    ['copy2d cols > stride', `N.copy2d(${F}(4), 0, 2, ${F}(4), 0, 2, 2, 3)`, /torchlet\.copy2d: cols exceeds a row stride/],
    ['copy2d src too short', `N.copy2d(${F}(3), 0, 2, ${F}(4), 0, 2, 2, 2)`, /torchlet\.copy2d: src holds 3 values, expected at least 4/],
    ['copy2d negative offset', `N.copy2d(${F}(4), -1, 2, ${F}(4), 0, 2, 2, 2)`, /torchlet\.copy2d: srcOffset must be an integer/],
    ['gemm c too short', `N.gemm(1, false, false, 2, 2, 2, ${F}(4), 0, ${F}(4), 0, ${F}(3), 0, 1, 0)`, /torchlet\.matmul: c holds 3 values, expected at least 4/],
    ['gemm negative m', `N.gemm(1, false, false, -1, 2, 2, ${F}(4), 0, ${F}(4), 0, ${F}(4), 0, 1, 0)`, /torchlet\.matmul: m must be an integer/],
    ['gemm overlapping outputs', `N.gemm(2, false, false, 2, 2, 2, ${F}(8), 4, ${F}(8), 4, ${F}(8), 1, 1, 0)`, /torchlet\.matmul: output batch items overlap/],
    ['setNumThreads 0', `N.setNumThreads(0)`, /torchlet\.setNumThreads: n must be an integer in \[1, 1024\]/],
    ['bernoulli p', `N.bernoulli(${F}(3), 2, 1)`, /torchlet\.dropout: p must be in \[0, 1\]/],
    ['conv2d params count', `N.conv2d(${F}(1), ${F}(1), null, [1, 1, 1], ${F}(1))`, /torchlet\.conv2d: params must have 16 entries, got 3/],
    ['conv2d stride 0', `N.conv2d(${F}(16), ${F}(9), null, [1,1,4,4,1,3,3,0,1,0,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: stride must be positive, got 0/],
    ['conv2d groups not dividing', `N.conv2d(${F}(32), ${F}(9), null, [1,2,4,4,1,3,3,1,1,0,0,1,1,3,2,2], ${F}(4))`, /torchlet\.conv2d: channels \(2 in, 1 out\) must be positive multiples of groups 3/],
    ['conv2d out length', `N.conv2d(${F}(16), ${F}(9), null, [1,1,4,4,1,3,3,1,1,0,0,1,1,1,2,2], ${F}(3))`, /torchlet\.conv2d: out holds 3 values, expected 4/],
    ['conv2d weight length', `N.conv2d(${F}(16), ${F}(8), null, [1,1,4,4,1,3,3,1,1,0,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: weight holds 8 values, expected 9/],
    ['conv2d bias length', `N.conv2d(${F}(16), ${F}(9), ${F}(2), [1,1,4,4,1,3,3,1,1,0,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: bias holds 2 values, expected 1/],
    ['conv2d negative param (Int32Array)', `N.conv2d(${F}(16), ${F}(9), null, ${I}([1,1,4,4,1,3,3,1,1,-1,0,1,1,1,2,2]), ${F}(4))`, /torchlet\.conv2d: params\[9\] must be a non-negative integer/],
    ['conv2d NaN param', `N.conv2d(${F}(16), ${F}(9), null, [1,1,4,4,1,3,3,1,1,NaN,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: params\[9\] must be a non-negative integer/],
    ['conv2d param too large', `N.conv2d(${F}(16), ${F}(9), null, [1,1,4,4,1,3,3,1,1,2**31,0,1,1,1,2,2], ${F}(4))`, /torchlet\.conv2d: params\[9\] is too large/],
    ['conv2dBackward gradInput length', `N.conv2dBackward(${F}(16), ${F}(9), ${F}(4), [1,1,4,4,1,3,3,1,1,0,0,1,1,1,2,2], ${F}(15), null, null)`, /torchlet\.conv2dBackward: gradInput holds 15 values, expected 16/],
    ['maxPool2d padding > kernel/2', `N.maxPool2d(${F}(16), [1,4,4,2,2,2,2,2,2,3,3,1,1,0,0], ${F}(4), null)`, /torchlet\.maxPool2d: padding must be at most half the kernel size/],
    // PyTorch's rule on the int64 values (issue 14: (kh - 1) * dh + 1 overflowed int): 2^16 * 2^16.
    ['maxPool2d padding check with a huge dilation', `N.maxPool2d(${F}(16), [1,4,4,1,1,2,2,1,1,2**16,0,2**16,1,0,0], ${F}(1), null)`, /torchlet\.maxPool2d: padding must be at most half the kernel size/],
    ['avgPool2d padding > kernel/2', `N.avgPool2d(${F}(16), [1,4,4,4,4,1,1,1,1,1,0,1,1,0,0], ${F}(16))`, /torchlet\.avgPool2d: padding must be at most half the kernel size/],
    ['maxPool2d kernel 0', `N.maxPool2d(${F}(16), [1,4,4,2,2,0,2,2,2,0,0,1,1,0,0], ${F}(4), null)`, /torchlet\.maxPool2d: kernel height must be positive/],
    ['avgPool2d output past the input', `N.avgPool2d(${F}(16), [1,4,4,20,20,2,2,2,2,0,0,1,1,0,0], ${F}(400))`, /torchlet\.avgPool2d: output size leaves windows entirely outside the input/],
    ['adaptiveMaxPool2d empty planes', `N.adaptiveMaxPool2d(${F}(0), [1,0,0,2,2], ${F}(4), null)`, /torchlet\.adaptiveMaxPool2d: input planes must be non-empty/],
    ['adaptiveAvgPool2d output 0', `N.adaptiveAvgPool2d(${F}(4), [1,2,2,0,2], ${F}(0))`, /torchlet\.adaptiveAvgPool2d: output size must be positive/],
    ['batchNorm eval without running stats', `N.batchNorm(${F}(4), [1,2,2], null, null, null, null, false, 0.1, 1e-5, ${F}(4), ${F}(2), ${F}(2))`, /torchlet\.batchNorm: running stats are required in eval mode/],
    ['batchNorm only one running stat', `N.batchNorm(${F}(4), [1,2,2], null, null, ${F}(2), null, true, 0.1, 1e-5, ${F}(4), ${F}(2), ${F}(2))`, /torchlet\.batchNorm: runningMean and runningVar must both be given/],
    ['linear out length', `N.linear(${F}(6), 2, 3, ${F}(12), 4, null, ${F}(7))`, /torchlet\.linear: out holds 7 values, expected 8/],
    ['linear rows too large', `N.linear(${F}(6), 2**40, 3, ${F}(12), 4, null, ${F}(8))`, /torchlet\.linear: rows must be an integer/],
    ['classLossBackward without logp', `N.classLossBackward(0, null, 1, 3, 1, ${I}([0]), null, 0, 1, 1, ${F}(1), ${F}(3))`, /torchlet\.classLossBackward: logp holds 0 values, expected 3/],
    ['classLossBackward target out of range', `N.classLossBackward(1, null, 1, 3, 1, ${I}([3]), null, 0, 1, 1, ${F}(1), ${F}(3))`, /torchlet\.classLossBackward: target\[0\] = 3 is not a class in \[0, 3\)/],
    ['classLoss target type', `N.classLoss(0, ${F}(3), 1, 3, 1, [0], null, -100, 0, 1, ${I}(1), ${F}(3), ${F}(1), new Float64Array(1))`, /torchlet\.classLoss: target must be an Int32Array, Float32Array or Float64Array/],
    ['classLoss outer*c*inner too large', `N.classLoss(0, ${F}(3), 2**40, 3, 2**20, ${F}(1), null, -100, 0, 1, ${I}(1), ${F}(3), ${F}(1), new Float64Array(1))`, /torchlet\.classLoss: outer \* c \* inner is too large/],
    ['bceWithLogits weight period', `N.bceWithLogits(${F}(4), ${F}(4), ${F}(3), null, 1, ${F}(1))`, /torchlet\.bceWithLogits: weight holds 3 values, which does not divide the input's 4/],
    ['gatherRows index', `N.gatherRows(${F}(6), 3, 2, ${I}([5]), ${F}(2))`, /torchlet\.gatherRows: index 5 at 0 is out of range for 3 rows/],
  ])('%s', (_name, code, msg) => {
    expectCleanThrow(runNative(code), msg);
  });

  test.each([['1e300'], ['NaN'], ['-1e300'], ['2**31'], ['-0.5'], ['Infinity']])('classLoss reports target %s as invalid (index 0)', (v) => {
    const r = runNative(`out(N.classLoss(0, ${F}(3), 1, 3, 1, new Float64Array([${v}]), null, -100, 0, 1, ${I}(1), ${F}(3), ${F}(1), new Float64Array(1)))`);
    expect(r.signal).toBeNull();
    expect(r.out[0]).toBe(0);
  });

  test('maxPool2dBackward ignores out-of-range saved indices instead of writing out of bounds', () => {
    const r = runNative(`const gx = ${F}(16); N.maxPool2dBackward(${F}([1, 2, 3, 4]), ${I}([0, 1e9, -5, 3]), 1, 16, gx); out(Array.from(gx));`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.out[0]).toEqual([1, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

/**
 * BUGS: size products overflow int64, the length checks pass on tiny (or empty) buffers, and the
 * kernels then run over the huge logical sizes: SIGSEGV today (or silent wild reads/writes).
 * Expected: a RangeError "torchlet.<op>: ... too large" (or a length mismatch) before any memory is touched.
 */
describe('native: size products that overflow int64 must be rejected, not wrap', () => {
  const tooLarge = (op: string) => new RegExp(`torchlet\\.${op}: .*(too large|overflow|holds|expected)`);
  test.each([
    // native/binding/ops_tensor.cc GemmJs: m*k, k*n, m*n all wrap to 0 with m = n = k = 2^32.
    ['gemm: m = n = k = 2^32 on empty buffers', `N.gemm(1, false, false, 2**32, 2**32, 2**32, ${F}(0), 0, ${F}(0), 0, ${F}(0), 0, 1, 0)`, 'matmul'],
    // GemmJs: (batch - 1) * strideA = 8 * 2^61 wraps to 0; item i then reads a + i * 2^61.
    ['gemm: (batch-1)*stride wraps', `N.gemm(9, false, false, 1, 1, 1, ${F}(1), 2**61, ${F}(1), 0, ${F}(1), 2**61, 1, 0)`, 'matmul'],
    // native/binding/async_gemm.cc GemmWorker: the same checks, then Execute() on a libuv thread.
    ['gemmAsync: m = n = k = 2^32 on empty buffers', `await N.gemmAsync(1, false, false, 2**32, 2**32, 2**32, ${F}(0), 0, ${F}(0), 0, ${F}(0), 0)`, 'matmulAsync'],
    // Copy2dJs: so + (rows - 1) * ss + cols with ss = 2^61, rows = 9 wraps to 1.
    ['copy2d: (rows-1)*stride wraps', `N.copy2d(${F}(1), 0, 2**61, ${F}(9), 0, 1, 9, 1)`, 'copy2d'],
    // ArgAxis: outer*n*inner = 4 * 2^62 wraps to 0.
    ['reduce: outer*n*inner wraps to 0', `N.reduce(0, ${F}(0), 4, 2**62, 1, ${F}(4))`, 'reduce'],
    ['reduce: outer*n*inner wraps to 1', `N.reduce(0, ${F}(1), ${P1}, ${P2}, 1, ${F}(${P1}))`, 'reduce'],
    ['argReduce: outer*n*inner wraps to 1', `N.argReduce(true, ${F}(1), ${P1}, ${P2}, 1, ${F}(${P1}), ${I}(${P1}))`, 'argReduce'],
    // ScatterAlongDimJs: out length outer*n*inner wraps to 0; writes out[o*n + idx]: a wild WRITE.
    ['scatterAlongDim: out length wraps to 0 (wild write)', `N.scatterAlongDim(${F}(4), ${I}([0, 1, 2, 3]), 4, 2**62, 1, ${F}(0))`, 'scatterAlongDim'],
    // SoftmaxJs / SoftmaxBackwardJs: 4 * (2^62 + 1024) wraps to 4096.
    ['softmax: outer*n*inner wraps to 4096', `N.softmax(${F}(4096), 4, 2**62 + 1024, 1, ${F}(4096), false)`, 'softmax'],
    ['softmaxBackward (log): outer*n*inner wraps to 4096', `N.softmaxBackward(${F}(4096), ${F}(4096), 4, 2**62 + 1024, 1, ${F}(4096), true)`, 'softmaxBackward'],
    // SumTo: Numel(gradShape) wraps to 1.
    ['sumTo: Numel(gradShape) wraps to 1', `N.sumTo(${F}(1), [${P1}, ${P2}], ${F}(${P1}), [${P1}, 1])`, 'sumTo'],
  ])('%s', (_name, code, op) => {
    expectCleanThrow(runNative(code), tooLarge(op));
  });
  // The nn bindings (native/binding/ops_nn.cc).
  test.each([
    // native/binding/ops_nn.cc BatchNormJs: n*c*hw = 2^30 * 16 * 2^30 wraps to 0.
    ['batchNorm: n*c*hw wraps to 0', `N.batchNorm(${F}(0), [2**30, 16, 2**30], null, null, null, null, true, 0.1, 1e-5, ${F}(0), ${F}(16), ${F}(16))`, 'batchNorm'],
    // ArgConv: n*oc*oh*ow = 16 * 2^30 * 2^30 wraps to 0 (passes "< 2^40"); Conv2dBackward has no empty guard.
    ['conv2dBackward: n*oc*oh*ow wraps to 0', `N.conv2dBackward(${F}(16), ${F}(1), ${F}(0), [16,1,1,1,1,1,1,1,1,0,0,1,1,1,2**30,2**30], null, null, ${F}(1))`, 'conv2dBackward'],
    // ArgPool: planes*oh*ow = 16 * 2^30 * 2^30 wraps to 0 (passes "< 2^40"); a stride of 1 leaves
    // windows outside the input. Reads gradOutput (empty).
    ['avgPool2dBackward: planes*oh*ow wraps to 0', `N.avgPool2dBackward(${F}(0), [16,1,1,2**30,2**30,1,1,1,1,0,0,1,1,0,0], ${F}(16))`, 'avgPool2dBackward'],
    // ArgAdaptive: planes*oh*ow = 16 * 2^30 * 2^30 wraps to 0.
    ['adaptiveAvgPool2dBackward: planes*oh*ow wraps to 0', `N.adaptiveAvgPool2dBackward(${F}(0), [16, 1, 1, 2**30, 2**30], ${F}(16))`, 'adaptiveAvgPool2dBackward'],
  ])('%s', (_name, code, op) => {
    expectCleanThrow(runNative(code), tooLarge(op));
  });
});
