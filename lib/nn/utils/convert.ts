/** `nn.utils.parametersToVector` / `vectorToParameters` (torch/nn/utils/convert_parameters.py). */
import { Tensor } from '../../tensor';
import { cat } from '../../ops/shape';
import { noGrad } from '../../autograd/grad-mode';
import { typeName } from '../module';

/** All parameters flattened and concatenated into one 1-D tensor (differentiable). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  if (parameters === null || parameters === undefined || typeof (parameters as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`parametersToVector: expected an iterable of Tensors, got ${typeName(parameters)}`);
  }
  const vec: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeName(p)}`);
    vec.push(p.reshape(-1));
  }
  if (vec.length === 0) throw new RangeError('parametersToVector: no parameters given (torch.cat needs a non-empty list)');
  return cat(vec, 0);
}

/**
 * Copies consecutive slices of `vec` into the parameters (in place: the parameters keep their
 * identity, so optimizers holding them see the new values).
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeName(vec)}`);
  if (vec.dim() !== 1) throw new RangeError(`vectorToParameters: vec must be 1-D, got shape [${vec.shape.join(', ')}]`);
  const params = [...parameters];
  let total = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeName(p)}`);
    total += p.numel();
  }
  if (total !== vec.numel()) {
    throw new RangeError(`vectorToParameters: vec has ${vec.numel()} elements but the parameters have ${total}`);
  }
  let pointer = 0;
  noGrad(() => {
    for (const p of params) {
      const n = p.numel();
      p.copy_(vec.narrow(0, pointer, n).reshape(p.shape as number[]));
      pointer += n;
    }
  });
}

/**
 * Strips `prefix` from every key of `stateDict` that starts with it, in place (PyTorch's
 * `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present`): loads a checkpoint saved from a
 * `DistributedDataParallel`/`DataParallel` wrapper (`module.` prefix) into the bare model.
 */
export function consumePrefixInStateDictIfPresent(stateDict: Record<string, unknown>, prefix: string): void {
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new TypeError(`consumePrefixInStateDictIfPresent: stateDict must be an object, got ${typeName(stateDict)}`);
  }
  if (typeof prefix !== 'string') throw new TypeError(`consumePrefixInStateDictIfPresent: prefix must be a string, got ${typeName(prefix)}`);
  for (const key of Object.keys(stateDict)) {
    if (key.startsWith(prefix)) {
      // delete then set: the renamed key moves to the end, as Python's pop + insert does
      const v = stateDict[key];
      delete stateDict[key];
      stateDict[key.slice(prefix.length)] = v;
    }
  }
}
