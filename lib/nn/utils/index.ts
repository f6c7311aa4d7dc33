/** `torch.nn.utils`: parameter/vector conversion and parametrizations. */
import * as parametrize from './parametrize';
import * as parametrizations from './parametrizations';
export { parametrize, parametrizations };
export { parametersToVector, vectorToParameters, consumePrefixInStateDictIfPresent } from './convert';
export { clipGradNorm_, clipGradValue_ } from './clip-grad';
export type { ClipGradNormOptions } from './clip-grad';
