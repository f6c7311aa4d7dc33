/**
 * `nn.Parameter`: a leaf Tensor that a Module registers when it is assigned to a property
 * (PyTorch's `torch.nn.Parameter`). It shares storage with the tensor it wraps.
 */
import { inspect } from 'util';
import { Tensor } from '../tensor';

export class Parameter extends Tensor {
  /**
   * @param data the values (storage is shared, as in PyTorch; the parameter is a new leaf).
   *   Omitted: an empty tensor of shape [0].
   * @param requiresGrad defaults to true.
   */
  constructor(data?: Tensor | null, requiresGrad = true) {
    const src = data ?? new Tensor(new Float32Array(0), [0]);
    if (!(src instanceof Tensor)) throw new TypeError('Parameter: data must be a Tensor');
    super(src._live(), src.shape, src._strides, src._offset);
    this.requiresGrad_(requiresGrad);
  }

  toString(): string {
    return 'Parameter containing:\n' + super.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** True for `nn.Parameter` instances. */
export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
