/** Reading test/fixtures/attention/*.json (scripts/fixtures/gen_attention.py). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';

export interface FxTensor { shape: number[]; data: (number | string | boolean)[] }


export const loadFx = (name: string): any =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'attention', name + '.json'), 'utf8'));

/** Infinities travel as strings; Number() reads them back. */
export const nums = (t: FxTensor): number[] => t.data.map((v) => Number(v));

export const ten = (t: FxTensor): Tensor => (typeof t.data[0] === 'boolean'
  ? torch.tensor(t.data as boolean[], { dtype: 'bool' }).reshape(t.shape)
  : new Tensor(Float32Array.from(nums(t)), t.shape));

export const stateOf = (s: Record<string, FxTensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, ten(v)]));

export const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]));
