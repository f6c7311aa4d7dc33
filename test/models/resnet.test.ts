/**
 * torch.models.resnet18/34 have torchvision's module tree: state-dict keys, shapes and dtypes (so a
 * torchvision checkpoint loads strictly) and the printed repr, from torchvision 0.14
 * (scripts/fixtures/gen_models.py).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';

const load = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'models', `${name}.json`), 'utf8')) as
    { state_dict: [string, number[], string][]; repr: string };

test.each([['resnet18', torch.models.resnet18], ['resnet34', torch.models.resnet34]] as const)('%s matches torchvision', (name, ctor) => {
  const fx = load(name);
  const m = ctor({ numClasses: 10 });
  const sd = m.stateDict();
  const dt = (d: string) => (d === 'torch.int64' ? 'int64' : 'float32');
  expect(Object.entries(sd).map(([k, v]) => [k, [...v.shape], v.dtype])).toEqual(fx.state_dict.map(([k, s, d]) => [k, s, dt(d)]));
  expect(String(m)).toBe(fx.repr);
  // torchvision's init: BatchNorm weight 1, bias 0; conv weights kaiming normal (fan_out, relu).
  expect(sd['bn1.weight'].sum().item()).toBe(64);
  const w = sd['layer4.1.conv2.weight'];
  const std = Math.sqrt(w.square().mean().item());
  expect(Math.abs(std - Math.sqrt(2 / (512 * 9)))).toBeLessThan(0.05 * Math.sqrt(2 / (512 * 9)));
  // A strict round trip of its own state dict.
  expect(ctor({ numClasses: 10 }).loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
});
