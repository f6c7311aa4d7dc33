/**
 * A small GPT-style model ported from PyTorch as a user would write it (token + position
 * Embedding, causal TransformerEncoder of norm-first GELU layers, final LayerNorm, Linear head),
 * with PyTorch 1.13's weights: logits, cross-entropy loss and every parameter gradient equal
 * PyTorch's (test/fixtures/attention/gpt.json, scripts/fixtures/gen_attention.py).
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';
import * as F from '../../lib/functional';
import { expectClose } from '../helpers/close';
import { loadFx, nums, stateOf } from '../layers/attention-fixtures';

const fx = loadFx('gpt');

class GPT extends nn.Module {
  tok_emb: nn.Embedding;
  pos_emb: nn.Embedding;
  blocks: nn.TransformerEncoder;
  ln_f: nn.LayerNorm;
  head: nn.Linear;

  constructor(vocab: number, block: number, d: number, heads: number, layers: number, ff: number) {
    super();
    this.tok_emb = new nn.Embedding(vocab, d);
    this.pos_emb = new nn.Embedding(block, d);
    const layer = new nn.TransformerEncoderLayer(d, heads, {
      dimFeedforward: ff, dropout: 0.0, activation: 'gelu', batchFirst: true, normFirst: true,
    });
    this.blocks = new nn.TransformerEncoder(layer, layers);
    this.ln_f = new nn.LayerNorm(d);
    this.head = new nn.Linear(d, vocab);
  }

  forward(idx: Tensor): Tensor {
    const T = idx.shape[1];
    const pos = torch.arange(T);
    const x = this.tok_emb(idx).add(this.pos_emb(pos));
    // nn.Transformer.generate_square_subsequent_mask(T)
    const mask = torch.full([T, T], -Infinity).triu(1);
    return this.head(this.ln_f(this.blocks(x, { mask })));
  }
}

describe('GPT-style port matches PyTorch', () => {
  const { vocab, block, d, heads, layers, ff } = fx.cfg;
  const model = new GPT(vocab, block, d, heads, layers, ff);

  test('keys, repr (modulo 2.x ModuleList folding) and strict load of the PyTorch state dict', () => {
    expect(Object.keys(model.stateDict())).toEqual(fx.keys);
    expect(model.toString()).toContain(`(0-${layers - 1}): ${layers} x TransformerEncoderLayer(`);
    expect(model.toString().split('\n')[0]).toBe('GPT(');
    const r = model.loadStateDict(stateOf(fx.state));
    expect(r.missingKeys).toEqual([]);
    expect(r.unexpectedKeys).toEqual([]);
  });

  test('logits, loss and gradients', () => {
    model.eval();
    const idx = torch.tensor(fx.idx.map(BigInt), { dtype: 'int64' }).reshape(fx.shape);
    const tgt = torch.tensor(fx.tgt.map(BigInt), { dtype: 'int64' }).reshape(-1);
    const logits = model(idx);
    expect(logits.shape).toEqual([...fx.shape, vocab]);
    expectClose(logits, nums(fx.logits), 1e-4, 1e-5, 'logits');
    const loss = F.crossEntropy(logits.reshape(-1, vocab), tgt);
    expect(Math.abs(loss.item() - fx.loss)).toBeLessThan(1e-5);
    loss.backward();
    for (const [name, p] of model.namedParameters()) expectClose(p.grad!, nums(fx.grads[name]), 1e-3, 1e-5, `grad ${name}`);
  });
});
