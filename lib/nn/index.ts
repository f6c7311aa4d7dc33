/**
 * `torch.nn`: Module, Parameter, hooks, layers, containers, losses, `functional` and `init`.
 */
import * as functional from '../functional';
import * as init from './init';
export { functional, init };
import * as utils from './utils';
export { utils };
export { Module, IncompatibleKeys, KeyError, AttributeError } from './module';
export type {
  StateDictOptions,
  NamedMembersOptions,
  NamedModulesOptions,
  LoadStateDictOptions,
  ModuleToOptions,
  StateDictPreHook,
  StateDictPostHook,
  LoadStateDictPreHook,
  LoadStateDictPostHook,
} from './module';
export { Parameter } from './parameter';
export {
  RemovableHandle,
  registerModuleForwardPreHook,
  registerModuleForwardHook,
  registerModuleFullBackwardPreHook,
  registerModuleFullBackwardHook,
  registerModuleBufferRegistrationHook,
  registerModuleModuleRegistrationHook,
  registerModuleParameterRegistrationHook,
} from './hooks';
export type {
  ForwardPreHook,
  ForwardHook,
  BackwardPreHook,
  BackwardHook,
  ForwardHookOptions,
  ForwardPreHookOptions,
  PrependOption,
  RegistrationHook,
  Grads,
} from './hooks';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, IndexError } from './modules/container';
export { Linear, Identity } from './modules/linear';
export { Conv2d } from './modules/conv';
export type { Conv2dOptions } from './modules/conv';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './modules/pooling';
export type { MaxPool2dOptions, AvgPool2dOptions } from './modules/pooling';
export { BatchNorm2d } from './modules/batchnorm';
export type { BatchNorm2dOptions } from './modules/batchnorm';
export { Dropout } from './modules/dropout';
export { ReLU, Sigmoid, Tanh, Softmax, LogSoftmax } from './modules/activation';
export { Flatten } from './modules/flatten';
export * from './modules/loss';
export {
  ReLU6, LeakyReLU, ELU, GELU, SiLU, Mish, Hardswish, Hardsigmoid, Softplus, Softsign, PReLU,
} from './modules/activation-extra';
export type { LeakyReLUOptions, ELUOptions, SoftplusOptions, PReLUOptions } from './modules/activation-extra';
export { LayerNorm, GroupNorm, BatchNorm1d, InstanceNorm2d } from './modules/normalization';
export type { LayerNormOptions, GroupNormOptions, InstanceNormOptions } from './modules/normalization';
export { Embedding } from './modules/embedding';
export type { EmbeddingOptions } from './modules/embedding';
export { BCELoss, SmoothL1Loss, HuberLoss, KLDivLoss, CosineEmbeddingLoss } from './modules/loss-extra';
export { PixelShuffle } from './modules/upsampling';
export { ZeroPad2d } from './modules/padding';
export { Dropout2d, Unflatten } from './modules/conv-extra';
export type { Index } from './modules/container';
export type { StateDictMetadata } from './module';
export { MultiheadAttention, NonDynamicallyQuantizableLinear, TransformerEncoderLayer, TransformerEncoder } from './modules/transformer';
export type {
  MultiheadAttentionOptions, TransformerEncoderLayerOptions, TransformerActivation, EncoderLayerForwardOptions,
  TransformerEncoderForwardOptions,
} from './modules/transformer';
export { Conv1d, ConvTranspose1d, ConvTranspose2d } from './modules/conv-extra';
export type { Conv1dOptions, ConvTranspose1dOptions, ConvTranspose2dOptions } from './modules/conv-extra';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d } from './modules/upsampling';
export type { UpsampleOptions } from './modules/upsampling';
