/**
 * `torch.nn.functional`: stateless ops with PyTorch's names and arguments (options objects carry
 * PyTorch's keyword arguments in camelCase). Each is differentiable.
 */
export { relu, sigmoid, tanh, softmax, logSoftmax } from '../ops/activation';
export { conv2d } from './conv';
export { linear } from './linear';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d } from './pool';
export { batchNorm } from './batchnorm';
export { dropout } from './dropout';
export { crossEntropy, nllLoss, mseLoss, l1Loss, binaryCrossEntropyWithLogits } from './loss';
export {
  relu6, relu_, leakyRelu, leakyRelu_, elu, elu_, gelu, silu, mish, hardswish, hardsigmoid, softplus, softsign, prelu,
} from './activation';
export type { GeluApproximate } from './activation';
export { layerNorm, groupNorm, instanceNorm } from './normalization';
export type { InstanceNormOptions } from './normalization';
export { embedding } from './embedding';
export type { EmbeddingOptions } from './embedding';
export { binaryCrossEntropy, smoothL1Loss, huberLoss, klDiv, cosineEmbeddingLoss } from './loss-extra';
export { pixelShuffle, zeroPad2d } from './interpolate';
export type { Padding2d } from './interpolate';
export { scaledDotProductAttention } from './attention';
export type { ScaledDotProductAttentionOptions } from './attention';
export { multiHeadAttentionForward } from './attention';
export type { MultiHeadAttentionParams, MultiHeadAttentionOptions } from './attention';
export { conv1d, convTranspose1d, convTranspose2d } from './conv-extra';
export type { Conv1dOptions, ConvTranspose1dOptions, ConvTranspose2dOptions, Size1 } from './conv-extra';
export { interpolate } from './interpolate';
export type { InterpolateOptions, InterpolateMode } from './interpolate';
