/** Shared helpers for the training tests (fixtures from scripts/fixtures/gen_training.py). */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Tensor } from '../../lib/tensor';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'training');

export interface FixTensor {
  shape: number[];
  data: number[];
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export function T(f: FixTensor, requiresGrad = false): Tensor {
  const t = new Tensor(Float32Array.from(f.data), f.shape);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}
