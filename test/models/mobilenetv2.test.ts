/**
 * The MobileNetV2 port (test/models/mobilenetv2.ts) against torchvision 0.14: a seeded
 * width-0.35 model saved by PyTorch (test/fixtures/layers-conv/mobilenet_v2.pth, written by
 * scripts/fixtures/gen_layers_conv.py) loads strictly; eval output, a training-mode loss, its
 * gradients and the BatchNorm running statistics equal PyTorch's.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import type { Tensor } from '../../lib';
import { expectClose } from '../helpers/close';
import { MobileNetV2 } from './mobilenetv2';

const FIX = join(__dirname, '..', 'fixtures', 'layers-conv');
const ckpt = torch.load<any>(join(FIX, 'mobilenet_v2.pth'));

function build(): MobileNetV2 {
  const m = new MobileNetV2({ widthMult: 0.35, numClasses: 10 });
  const res = m.loadStateDict(ckpt.model as Record<string, Tensor>);
  expect(res.missingKeys).toEqual([]);
  expect(res.unexpectedKeys).toEqual([]);
  return m;
}

describe('MobileNetV2 port matches torchvision', () => {
  test('module tree: repr and state-dict keys as torchvision', () => {
    const m = new MobileNetV2({ widthMult: 0.35, numClasses: 10 });
    expect(m.toString()).toBe(readFileSync(join(FIX, 'mobilenet_v2_repr.txt'), 'utf8'));
    expect(Object.keys(m.stateDict())).toEqual(Object.keys(ckpt.model));
  });

  test('eval output', () => {
    const m = build();
    m.eval();
    const out = torch.noGrad(() => m(ckpt.x));
    expect(out.shape).toEqual([1, 10]);
    expectClose(out, ckpt.out_eval.storage, 1e-5, 1e-5, 'logits');
  });

  test('training mode: loss, gradients, running statistics', () => {
    const m = build();
    m.train();
    m.classifier[0].eval();  // Dropout as identity: the two libraries' random streams differ
    const loss = torch.nn.functional.crossEntropy(m(ckpt.x_train), ckpt.target);
    expectClose([loss.item()], ckpt.loss.storage, 1e-5, 1e-6, 'loss');
    loss.backward();
    const params = Object.fromEntries(m.namedParameters());
    for (const [name, g] of Object.entries(ckpt.grads as Record<string, Tensor>)) {
      const p = params[name];
      expect(p.grad!.shape).toEqual(g.shape);
      // Gradients reach through 50+ layers of float32 sums: relative error against the
      // largest gradient of the tensor (measured: at most 3.3e-4 of it).
      const scale = Math.max(...g.storage.map(Math.abs));
      expectClose(p.grad!, g.storage, 1e-3, 1e-3 * scale, name);
    }
    const buffers = Object.fromEntries(m.namedBuffers());
    for (const [name, v] of Object.entries(ckpt.running as Record<string, Tensor>)) {
      expectClose(buffers[name], v.storage, 1e-4, 1e-5, name);
    }
  });
});
