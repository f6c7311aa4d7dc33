/** nn.TransformerEncoderLayer / nn.TransformerEncoder against PyTorch 1.13 (test/fixtures/attention/encoder.json). */
import * as torch from '../../lib';
import { nn } from '../../lib';
import { expectClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { camel, loadFx, nums, stateOf, ten } from './attention-fixtures';

const fx = loadFx('encoder');

/**
 * PyTorch 1.13 prints every layer of a ModuleList; torchlet's ModuleList prints repeated identical
 * children once as PyTorch 2.x does (`(0-2): 3 x TransformerEncoderLayer(`).
 */
function collapse(repr: string, n: number): string {
  const lines = repr.split('\n');
  const start = lines.findIndex((l) => l.trim() === '(0): TransformerEncoderLayer(');
  const end = lines.findIndex((l, i) => i > start && l === '    )');
  const block = lines.slice(start, end + 1);
  block[0] = `    (0-${n - 1}): ${n} x TransformerEncoderLayer(`;
  return [...lines.slice(0, start), ...block, ...lines.slice(start + n * block.length)].join('\n');
}

function build(c: { ctor: Record<string, unknown>; layers: number | null; finalNorm: boolean }): nn.Module {
  const { d_model: d, nhead: h, ...rest } = c.ctor;
  const layer = new nn.TransformerEncoderLayer(d as number, h as number, camel(rest));
  if (c.layers === null) return layer;
  return new nn.TransformerEncoder(layer, c.layers, { norm: c.finalNorm ? new nn.LayerNorm(d as number) : null });
}

describe('TransformerEncoderLayer / TransformerEncoder match PyTorch', () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const m = build(c);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expect(m.toString()).toBe(c.layers ? collapse(c.repr, c.layers) : c.repr);
      m.loadStateDict(stateOf(c.state));
      m.eval();
      const x = ten(c.inputs[0]).requiresGrad_(true);
      const kw = camel(Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, ten(v as never)])));
      const out = m(x, kw);
      expectClose(out, nums(c.out), 1e-4, 1e-5, 'out');
      out.backward(ten(c.gy));
      expectClose(x.grad!, nums(c.gin[0]), 1e-3, 1e-4, 'grad input');
      for (const [name, p] of m.namedParameters()) expectClose(p.grad!, nums(c.gparams[name]), 1e-3, 2e-4, `grad ${name}`);
    });
  }

  test('positional masks as PyTorch: layer(src, srcMask, srcKeyPaddingMask)', () => {
    const c = fx.cases[1];
    const m = build(c);
    m.loadStateDict(stateOf(c.state));
    m.eval();
    const out = m(ten(c.inputs[0]), ten(c.kwargs.src_mask), ten(c.kwargs.src_key_padding_mask));
    expectClose(out, nums(c.out), 1e-4, 1e-5, 'out');
  });
});

describe('TransformerEncoderLayer', () => {
  test('defaults, repr and keys as PyTorch', () => {
    const l = new nn.TransformerEncoderLayer(16, 4);
    expect(l.toString()).toBe(fx.defaultRepr);
    expect(Object.keys(l.stateDict())).toEqual(fx.defaultKeys);
    expect(l.linear1.outFeatures).toBe(2048);
    expect(l.dropout.p).toBe(0.1);
    expect(l.normFirst).toBe(false);
  });

  test('isCausal equals the explicit causal mask', () => {
    torch.manualSeed(8);
    const l = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst: true, activation: 'gelu' });
    l.eval();
    const x = torch.randn([2, 6, 8]);
    const causal = torch.ones([6, 6]).triu(1).bool();
    expectClose(l(x, { isCausal: true }), Array.from(l(x, { srcMask: causal }).storage), 1e-5, 1e-6, 'out');
  });

  test('encoder layers are independent copies', () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 8 }), 2);
    expect(enc.layers[0].linear1.weight).not.toBe(enc.layers[1].linear1.weight);
    expect(Array.from(enc.layers[0].linear1.weight.storage)).toEqual(Array.from(enc.layers[1].linear1.weight.storage));
    expect(enc.norm).toBeNull();
  });

  test('gradcheck through a pre-norm GELU layer', () => {
    torch.manualSeed(9);
    const l = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true, activation: 'gelu' });
    gradcheck((x) => l(x, { isCausal: true }), [torch.randn([3, 2, 4])]);
  });

  test('bad arguments give named errors', () => {
    expect(() => new nn.TransformerEncoderLayer(8, 3)).toThrow(/divisible/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(/activation should be relu\/gelu, not tanh/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { dropout: 2 })).toThrow(/between 0 and 1/);
    const l = new nn.TransformerEncoderLayer(8, 2);
    expect(() => l(torch.randn([3, 2, 8]), { mask: null } as never)).toThrow(/unknown option 'mask'/);
  });
});
