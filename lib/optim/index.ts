/**
 * `torch.optim`: optimisers with PyTorch's update rules, and LR schedulers (also as
 * `optim.lrScheduler`, like `torch.optim.lr_scheduler`).
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.lrScheduler.StepLR(opt, 10, { gamma: 0.5 });
 */
export { Optimizer } from './optimizer';
export type { ParamGroup, ParamsInput, ParamState, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions } from './adam';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { LRScheduler, StepLR, MultiStepLR, CosineAnnealingLR, LinearLR, OneCycleLR, ReduceLROnPlateau } from './lr-scheduler';
export type { OneCycleLROptions, ReduceLROnPlateauOptions } from './lr-scheduler';
import * as lrScheduler from './lr-scheduler';
export { lrScheduler };
