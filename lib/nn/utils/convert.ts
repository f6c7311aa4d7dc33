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
