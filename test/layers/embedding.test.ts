/** nn.Embedding / F.embedding against PyTorch 1.13 (test/fixtures/layers/embedding.json). */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as torch from '../../lib';
import { Tensor } from '../../lib/tensor';
import * as F from '../../lib/functional';
import { nn } from '../../lib';
import { expectClose, flat } from '../helpers/close';

const cases = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'layers', 'embedding.json'), 'utf8')).cases;
const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]));

describe('embedding matches PyTorch', () => {
  for (const c of cases) {
    test(JSON.stringify({ idx: c.idx, kw: c.kwargs }), () => {
      const w = new Tensor(Float32Array.from(c.w), [c.num, c.dim]).requiresGrad_(true);
      // Float32 integral indices (int64 tensors take the same path once the tensor core has them).
      const i = new Tensor(Float32Array.from(flat(c.idx)), c.idxShape);
      const out = F.embedding(i, w, camel(c.kwargs));
      expect(out.shape).toEqual([...c.idxShape, c.dim]);
      expectClose(out, c.out, 1e-6, 1e-7, 'out');
      expectClose(w, c.wAfter, 1e-6, 1e-7, 'weight after maxNorm');
      out.backward(new Tensor(Float32Array.from(c.gy), out.shape));
      expectClose(w.grad!, c.gw, 1e-6, 1e-7, 'gradWeight');
    });
  }

  test('module: init, padding row, repr', () => {
    torch.manualSeed(0);
    const e = new nn.Embedding(10, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(9);
    expect(Array.from(e.weight.storage.subarray(27, 30))).toEqual([0, 0, 0]);
    expect(e.toString()).toBe('Embedding(10, 3, padding_idx=9)');
    expect(Object.keys(e.stateDict())).toEqual(['weight']);
    const y = e.forward(torch.tensor([[9, 1]]));
    expect(y.shape).toEqual([1, 2, 3]);
  });

  test('bad indices give named errors', () => {
    const w = torch.zeros(4, 2);
    expect(() => F.embedding(torch.tensor([4]), w)).toThrow(/embedding: index out of range in self: index 4 at position 0/);
    expect(() => F.embedding(torch.tensor([-1]), w)).toThrow(/index out of range/);
    expect(() => F.embedding(torch.tensor([1.5]), w)).toThrow(/embedding: indices must be integers, got 1.5/);
    expect(() => F.embedding(torch.tensor([1]), torch.zeros(4))).toThrow(/embedding: weight must be 2-D/);
    expect(() => F.embedding(torch.tensor([1]), w, { paddingIdx: 4 })).toThrow(/embedding: paddingIdx must be within \[-4, 4\)/);
  });
});
