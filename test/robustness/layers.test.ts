/**
 * Bad input to every layer and nn.functional op, as a user would write it. Contract (README):
 * "Bad input is an error that names the op and the problem, never a crash", PyTorch-like wording.
 * These run in-process: the TypeScript layer validates before any native call (the native layer
 * itself is attacked in native-bounds.test.ts). test.failing marks the bugs.
 */
import * as torch from '../../lib';
import { nn } from '../../lib';
import { Case, expectThrow } from './expect-throw';

const F = nn.functional as any;
const T = torch as any;
const NN = nn as any;
const x4 = () => torch.randn(1, 1, 8, 8);


beforeAll(() => {
  // kaiming init of zero-element weights warns (as PyTorch does); keep the output readable.
  jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});

describe('Conv2d / F.conv2d', () => {
  test.each<Case>([
    ['wrong input channels', () => new nn.Conv2d(3, 6, 3)(torch.randn(1, 4, 8, 8)), /conv2d: expected input\[1, 4, 8, 8\] to have 3 channels .* but got 4 channels/],
    ['groups not dividing outChannels', () => new nn.Conv2d(4, 6, 3, { groups: 4 }), /out_channels must be divisible by groups/],
    ['groups not dividing inChannels', () => new nn.Conv2d(3, 6, 3, { groups: 2 }), /in_channels must be divisible by groups/],
    ['kernel larger than input', () => new nn.Conv2d(1, 1, 5)(torch.randn(1, 1, 3, 3)), /conv2d: .*smaller than the effective kernel size 5 x 5/],
    ['zero spatial size', () => new nn.Conv2d(1, 1, 3)(torch.randn(1, 1, 0, 8)), /conv2d: input\[1, 1, 0, 8\]/],
    ['kernel size 0', () => new nn.Conv2d(1, 1, 0)(x4()), /conv2d: weight\[1, 1, 0, 0\] has an empty dimension/],
    ['negative channels', () => new nn.Conv2d(-1, 1, 3), /Conv2d: in_channels must be a non-negative integer, got -1/],
    ['stride 0', () => new nn.Conv2d(1, 1, 3, { stride: 0 })(x4()), /conv2d: stride must be an integer >= 1/],
    ['negative padding', () => new nn.Conv2d(1, 1, 3, { padding: -1 })(x4()), /conv2d: padding must be an integer >= 0/],
    ["padding 'same' with stride 2", () => new nn.Conv2d(1, 1, 3, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided convolutions/],
    ['unknown padding string', () => new nn.Conv2d(1, 1, 3, { padding: 'full' as any }), /Invalid padding string 'full'/],
    ['5-D input', () => new nn.Conv2d(1, 1, 3)(torch.randn(1, 1, 1, 8, 8)), /conv2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got input\[1, 1, 1, 8, 8\]/],
    ['2-D weight', () => F.conv2d(x4(), torch.randn(3, 3)), /conv2d: expected a 4-D weight/],
    ['bias of the wrong size', () => F.conv2d(x4(), torch.randn(2, 1, 3, 3), torch.randn(3)), /conv2d: expected bias of shape \[2\]/],
    ['groups 0', () => F.conv2d(torch.randn(1, 2, 8, 8), torch.randn(2, 1, 3, 3), null, { groups: 0 }), /conv2d: groups must be a positive integer, got 0/],
    ['dilation 0', () => F.conv2d(x4(), torch.randn(1, 1, 3, 3), null, { dilation: 0 }), /conv2d: dilation must be an integer >= 1/],
    ['stride NaN', () => F.conv2d(x4(), torch.randn(1, 1, 3, 3), null, { stride: NaN }), /conv2d: stride must be an integer >= 1/],
    ['stride of 3 entries', () => F.conv2d(x4(), torch.randn(1, 1, 3, 3), null, { stride: [1, 1, 1] }), /conv2d: stride must be an integer >= 1 or a pair/],
    ['input not a tensor', () => F.conv2d([[1]], torch.randn(1, 1, 3, 3)), /conv2d: input must be a Tensor, got an array/],
    ['disposed input', () => { const x = x4(); x.dispose(); return new nn.Conv2d(1, 1, 3)(x); }, /Tensor of shape \[1, 1, 8, 8\] has been disposed/],
    ['disposed weight', () => { const m = new nn.Conv2d(1, 1, 3); m.weight.dispose(); return m(x4()); }, /Tensor of shape \[1, 1, 3, 3\] has been disposed/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  test('zero batch gives an empty output', () => {
    expect(new nn.Conv2d(1, 2, 3)(torch.randn(0, 1, 8, 8)).shape).toEqual([0, 2, 6, 6]);
  });

  test('NaN and Infinity propagate as in PyTorch (no error, no crash)', () => {
    const y = new nn.Conv2d(1, 1, 3)(torch.full([1, 1, 5, 5], NaN));
    expect(Array.from(y.toFloat32Array()).every(Number.isNaN)).toBe(true);
  });

  // BUG: NaN channel count reports a groups problem (lib/nn/modules/conv.ts checks divisibility
  // before the type). PyTorch: "empty(): argument 'size' must be tuple of ints".
  test('Conv2d(NaN, ...) names the bad channel count, not groups', () => {
    expectThrow(() => new nn.Conv2d(NaN, 1, 3), /in_?[cC]hannels.*(integer|NaN)/);
  });

  // BUG: a huge padding makes the output allocation fail with Node's own
  // 'The value of "size" is out of range' — nothing names conv2d or the padding.
  test('huge padding: the allocation error names conv2d', () => {
    expectThrow(() => new nn.Conv2d(1, 1, 3, { padding: 1e9 })(x4()), /conv2d/);
  });

  // BUG: stride 2^40 is squeezed through an Int32Array on the way to native (lib/functional/conv.ts
  // params), which wraps it to 0; the user is told "stride must be positive, got 0".
  test('stride 2^40: the error does not claim the stride was 0', () => {
    let out: unknown;
    try {
      out = new nn.Conv2d(1, 1, 3, { stride: 2 ** 40 })(x4()).shape;
    } catch (e) {
      expect((e as Error).message).not.toMatch(/got 0/);
      expect((e as Error).message).toMatch(/^conv2d: stride/);
      return;
    }
    expect(out).toEqual([1, 1, 1, 1]);
  });
});

describe('pooling', () => {
  test.each<Case>([
    ['maxPool padding > kernel/2', () => new nn.MaxPool2d(2, { padding: 2 })(x4()), /maxPool2d: pad should be at most half of kernel size, but got padding \[2, 2\] for kernelSize \[2, 2\]/],
    ['maxPool stride 0', () => new nn.MaxPool2d(2, { stride: 0 })(x4()), /maxPool2d: stride must be an integer >= 1/],
    ['maxPool kernel 0', () => new nn.MaxPool2d(0)(x4()), /maxPool2d: kernelSize must be an integer >= 1/],
    ['maxPool dilation 0', () => new nn.MaxPool2d(2, { dilation: 0 })(x4()), /maxPool2d: dilation must be an integer >= 1/],
    ['maxPool kernel larger than input', () => new nn.MaxPool2d(10)(x4()), /maxPool2d: given input\[1, 1, 8, 8\], the calculated output size \[0, 0\] is too small/],
    ['maxPool 2-D input', () => new nn.MaxPool2d(2)(torch.randn(8, 8)), /maxPool2d: expected a 3-D \(C, H, W\) or 4-D/],
    ['avgPool padding > kernel/2', () => new nn.AvgPool2d(2, { padding: 2 })(x4()), /avgPool2d: pad should be at most half of kernel size/],
    ['avgPool negative kernel', () => new nn.AvgPool2d(-2)(x4()), /avgPool2d: kernelSize must be an integer >= 1 .*got -2/],
    ['avgPool fractional kernel', () => new nn.AvgPool2d(2.5)(x4()), /avgPool2d: kernelSize must be an integer >= 1 .*got 2.5/],
    ['avgPool divisorOverride 0', () => F.avgPool2d(x4(), 2, { divisorOverride: 0 }), /avgPool2d: divisorOverride must be a non-zero integer/],
    ['adaptiveAvgPool output 0', () => new nn.AdaptiveAvgPool2d(0)(x4()), /adaptiveAvgPool2d: outputSize entries must be positive integers or null, got 0/],
    ['adaptiveAvgPool output -1', () => new nn.AdaptiveAvgPool2d(-1)(x4()), /adaptiveAvgPool2d: outputSize entries must be positive/],
    ['adaptiveAvgPool empty input', () => new nn.AdaptiveAvgPool2d(2)(torch.randn(1, 1, 0, 8)), /adaptiveAvgPool2d: expected non-empty spatial dims, got input\[1, 1, 0, 8\]/],
    ['adaptiveMaxPool empty input', () => new nn.AdaptiveMaxPool2d(2)(torch.randn(1, 1, 0, 8)), /adaptiveMaxPool2d: expected non-empty spatial dims/],
    ['adaptiveMaxPool NaN size', () => new nn.AdaptiveMaxPool2d(NaN)(x4()), /adaptiveMaxPool2d: outputSize entries must be positive integers/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG: sizes >= 2^31 wrap in the Int32Array params (lib/functional/pool.ts) and the user gets the
  // binding's internal "torchlet.maxPool2d: params[7] must be a non-negative integer".
  test('maxPool stride 2^31: a message about the stride, not "params[7]"', () => {
    expectThrow(() => new nn.MaxPool2d(2, { stride: 2 ** 31 })(x4()), /^maxPool2d: stride/);
  });
  test('avgPool kernel 2^31: a message about the kernel size, not "params[5]"', () => {
    expectThrow(() => new nn.AvgPool2d(2 ** 31, { padding: 2 ** 30 })(x4()), /^avgPool2d: .*kernel/i);
  });
  // BUG: Node's raw allocation error ('The value of "size" is out of range'), nothing names the op.
  test('adaptiveAvgPool2d huge output size: the allocation error names the op', () => {
    expectThrow(() => new nn.AdaptiveAvgPool2d([2 ** 16, 2 ** 16])(x4()), /adaptiveAvgPool2d/);
  });
});

describe('Linear, BatchNorm2d, Dropout, activations, Flatten', () => {
  test.each<Case>([
    ['Linear wrong features', () => new nn.Linear(3, 4)(torch.randn(2, 5)), /linear: input\[2, 5\] has 5 features in its last dim, but weight\[4, 3\] expects 3/],
    ['Linear scalar input', () => new nn.Linear(3, 4)(torch.tensor(1)), /linear: input must have at least 1 dimension/],
    ['Linear negative size', () => new nn.Linear(-3, 4), /non-negative integers/],
    ['Linear fractional size', () => new nn.Linear(2.5, 4), /non-negative integers/],
    ['F.linear bias size', () => F.linear(torch.randn(2, 3), torch.randn(4, 3), torch.randn(5)), /linear: expected bias of shape \[4\]/],
    ['Linear number input', () => (new nn.Linear(2, 3) as any)(5), /linear: input must be a Tensor, got number/],
    ['BatchNorm2d wrong channels', () => new nn.BatchNorm2d(3)(torch.randn(2, 4, 2, 2)), /batchNorm: expected runningMean of shape \[4\]|channels/],
    ['BatchNorm2d 2-D input', () => new nn.BatchNorm2d(3)(torch.randn(2, 3)), /expected 4D input \(got 2D input\)/],
    ['BatchNorm2d one value per channel', () => new nn.BatchNorm2d(3)(torch.randn(1, 3, 1, 1)), /expected more than 1 value per channel when training/],
    ['BatchNorm2d zero batch when training', () => new nn.BatchNorm2d(2)(torch.randn(0, 2, 3, 3)), /batchNorm: expected more than 1 value per channel/],
    ['Dropout p > 1', () => new nn.Dropout(1.5), /dropout probability has to be between 0 and 1, but got 1.5/],
    ['F.dropout p < 0', () => F.dropout(torch.randn(3), -0.1, true), /dropout: probability has to be between 0 and 1, but got -0.1/],
    ['Dropout NaN', () => new nn.Dropout(NaN)(torch.randn(3)), /probability has to be between 0 and 1, but got NaN/],
    ['Softmax dim out of range', () => new nn.Softmax(3)(torch.randn(2, 3)), /softmax: dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)/],
    ['F.softmax without dim', () => F.softmax(torch.randn(2, 3)), /softmax: dim is required/],
    ['Flatten start dim', () => new nn.Flatten(3)(torch.randn(2, 3)), /flatten: dimension out of range/],
    ['Flatten start after end', () => new nn.Flatten(2, 1)(torch.randn(2, 3, 4)), /flatten: startDim \(2\) cannot come after endDim \(1\)/],
    ['ReLU without argument', () => (new nn.ReLU() as any)(), /relu: input must be a Tensor, got undefined/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG: Linear(0, 3) on a [4, 0] input: PyTorch returns the bias broadcast to [4, 3]; here the
  // output tensor is built with 0 values (lib/functional/linear.ts) and fails with
  // "Tensor: 0 values cannot have shape [4, 3]".
  test('Linear with zero in-features gives the bias, shape [4, 3]', () => {
    const m = new nn.Linear(0, 3);
    const y = m(torch.randn(4, 0));
    expect(y.shape).toEqual([4, 3]);
    expect(y.toArray()).toEqual([0, 1, 2, 3].map(() => m.bias!.toArray()));
  });

  // BUG: nn.Linear(1e6, 1e6) fails with V8's bare "Invalid typed array length: 1000000000000".
  test('allocation failure of a huge layer is an error naming the layer/op', () => {
    expectThrow(() => new nn.Linear(1e6, 1e6), /(Linear|empty|weight|allocat)/i);
  });
});

describe('losses', () => {
  test.each<Case>([
    ['class index too large', () => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, 3])), /crossEntropy: target 3 at index 1 is out of bounds for 3 classes/],
    ['negative class index', () => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, -2])), /crossEntropy: target -2 at index 1 is out of bounds/],
    ['fractional target', () => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, 1.5])), /crossEntropy: target must hold class indices \(integers\); got 1.5 at index 1/],
    ['NaN target', () => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, NaN])), /crossEntropy: target must hold class indices .*NaN/],
    ['target too long', () => F.crossEntropy(torch.randn(2, 3), [0, 1, 2]), /crossEntropy: expected 2 target values \(shape \[2\]\), got 3/],
    ['Int32Array target out of range', () => F.crossEntropy(torch.randn(2, 3), new Int32Array([0, 7])), /crossEntropy: target 7 at index 1 is out of bounds/],
    ['class weight of the wrong size', () => F.crossEntropy(torch.randn(2, 3), [0, 1], { weight: torch.ones(4) }), /crossEntropy: weight must have shape \[3\]/],
    ['labelSmoothing 2', () => F.crossEntropy(torch.randn(2, 3), [0, 1], { labelSmoothing: 2 }), /crossEntropy: labelSmoothing must be between 0 and 1, got 2/],
    ['bad reduction', () => F.crossEntropy(torch.randn(2, 3), [0, 1], { reduction: 'avg' }), /crossEntropy: reduction must be 'mean', 'sum' or 'none', got "avg"/],
    ['string target', () => F.crossEntropy(torch.randn(2, 3), 'ab'), /crossEntropy: target must be a Tensor, number\[\] or Int32Array/],
    ['null target', () => F.crossEntropy(torch.randn(2, 3), null), /crossEntropy: target must be a Tensor/],
    ['probability target of the wrong shape', () => F.crossEntropy(torch.randn(2, 3), torch.rand(2, 4)), /crossEntropy: expected target of shape \[2\]/],
    ['spatial target of the wrong shape', () => F.crossEntropy(torch.randn(2, 3, 4, 4), torch.zeros(2, 4, 5)), /crossEntropy: expected target of shape \[2, 4, 4\]/],
    ['nllLoss target 1e10', () => F.nllLoss(torch.randn(2, 3), [0, 1e10]), /nllLoss: target 10000000000 at index 1 is out of bounds for 3 classes/],
    ['mseLoss shapes', () => F.mseLoss(torch.randn(2, 3), torch.randn(3, 2)), /cannot be broadcast/],
    ['mseLoss reduction', () => F.mseLoss(torch.randn(2, 3), torch.randn(2, 3), { reduction: 'bogus' }), /mseLoss: reduction must be/],
    ['MSELoss with one argument', () => (new nn.MSELoss() as any)(torch.randn(2)), /mseLoss: target must be a Tensor, got undefined/],
    ['BCEWithLogits shapes', () => F.binaryCrossEntropyWithLogits(torch.randn(2), torch.randn(3)), /binaryCrossEntropyWithLogits: target size \[3\] must be the same as input size \[2\]/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  test('all targets ignored gives NaN like PyTorch (no crash)', () => {
    expect(Number.isNaN(F.crossEntropy(torch.randn(2, 3), [-100, -100]).item())).toBe(true);
  });

  // mseLoss names the internal "sub" op, PyTorch names the loss; kept as a documentation of wording.
  test('mseLoss shape mismatch names mseLoss, not the internal sub', () => {
    expectThrow(() => F.mseLoss(torch.randn(2, 3), torch.randn(3, 2)), /^mseLoss/);
  });
});

describe('module call with the wrong arguments', () => {
  test.each<Case>([
    ['no argument', () => (new nn.Linear(2, 3) as any)(), /linear: input must be a Tensor, got undefined/],
    ['nested array instead of a tensor', () => (new nn.Linear(2, 3) as any)([[1, 2]]), /linear: input must be a Tensor, got an array/],
    ['Sequential without argument', () => (new nn.Sequential(new nn.ReLU()) as any)(), /relu: input must be a Tensor/],
    ['base Module without forward', () => (new nn.Module() as any)(torch.randn(2)), /missing the required "forward" function/],
  ])('%s', (_n, fn, msg) => expectThrow(fn, msg));

  // BUG: extra positional arguments are silently dropped (JS semantics leak through the call path,
  // lib/nn/module.ts callable). PyTorch: TypeError "forward() takes 2 positional arguments but 3 were given".
  test.failing('model(x, extra) is an error, not silently ignored', () => {
    expectThrow(() => (new nn.Linear(2, 3) as any)(torch.randn(1, 2), torch.randn(1, 2)), /(argument|forward)/);
  });
  test.failing('a forward pre-hook returning 3 args to a 1-arg forward is an error', () => {
    const m = new nn.Linear(2, 3);
    m.registerForwardPreHook(() => [torch.randn(1, 2), torch.randn(1, 2), torch.randn(1, 2)]);
    expectThrow(() => m(torch.randn(1, 2)), /(argument|forward)/);
  });
});

void T;
void NN;
