/** The extra losses against PyTorch 1.13 (test/fixtures/layers/losses.json). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { nn } from '../../lib';
import { expectClose } from '../helpers/close';

const cases = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'layers', 'losses.json'), 'utf8')).cases;
const T = (v: number[], shape: readonly number[]) => new Tensor(Float32Array.from(v), shape);

describe('extra losses match PyTorch', () => {
  for (const c of cases) {
    test(`${c.kind} ${c.reduction}`, () => {
      if (c.kind === 'cosine') {
        const a = T(c.a, [5, 4]).requiresGrad_(true), b = T(c.b, [5, 4]).requiresGrad_(true);
        const out = F.cosineEmbeddingLoss(a, b, T(c.y, [5]), { margin: -0.2, reduction: c.reduction });
        expectClose(out, c.out, 1e-5, 1e-6, 'out');
        out.backward(T(c.gy, out.shape));
        expectClose(a.grad!, c.ga, 1e-4, 1e-6, 'grad1');
        expectClose(b.grad!, c.gb, 1e-4, 1e-6, 'grad2');
        return;
      }
      const x = T(c.x, [3, 4]).requiresGrad_(true), t = T(c.t, [3, 4]);
      const r = c.reduction;
      let out: Tensor;
      switch (c.kind) {
        case 'bce': out = new nn.BCELoss({ reduction: r }).forward(x, t); break;
        case 'bceWeight': out = F.binaryCrossEntropy(x, t, { weight: T(c.w, [3, 4]), reduction: r }); break;
        case 'smoothL1': out = new nn.SmoothL1Loss({ reduction: r, beta: c.beta }).forward(x.mul(3), t); break;
        case 'huber': out = new nn.HuberLoss({ reduction: r, delta: c.delta }).forward(x.mul(3), t); break;
        case 'klDiv': out = new nn.KLDivLoss({ reduction: r }).forward(x.log(), t); break;
        case 'klDivLogTarget': out = F.klDiv(x.log(), t.log(), { reduction: r, logTarget: true }); break;
        default: throw new Error(c.kind);
      }
      expectClose(out, c.out, 1e-5, 1e-6, 'out');
      out.backward(T(c.gy, out.shape));
      expectClose(x.grad!, c.gx, 1e-4, 1e-6, 'gradInput');
    });
  }

  test('bad arguments give named errors', () => {
    const x = torch.tensor([0.5, 2]), t = torch.tensor([1, 0]);
    expect(() => F.binaryCrossEntropy(x, t)).toThrow(/binaryCrossEntropy: all elements of input should be between 0 and 1, got 2/);
    expect(() => F.smoothL1Loss(x, torch.zeros(3))).toThrow(/smoothL1Loss: target\[3\] must have the same shape as input\[2\]/);
    expect(() => F.huberLoss(x, t, { delta: 0 })).toThrow(/huberLoss: delta must be a positive number, got 0/);
    expect(() => F.klDiv(x, t, { reduction: 'avg' as any })).toThrow(/klDiv: reduction must be 'mean', 'sum', 'none', 'batchmean', got "avg"/);
    expect(() => F.cosineEmbeddingLoss(torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor([1, 0]))).toThrow(/target values must be 1 or -1, got 0/);
  });

  test('reprs as PyTorch', () => {
    expect(new nn.BCELoss().toString()).toBe('BCELoss()');
    expect(new nn.HuberLoss().toString()).toBe('HuberLoss()');
  });
});
