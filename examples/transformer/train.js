#!/usr/bin/env node
/**
 * Train a small character-level transformer on English words, in Node, with torchlet, then sample
 * new words from it.
 *
 *   npm run example:transformer     # 32,000 training / 4,000 validation words of the
 *                                   # `an-array-of-english-words` npm package, a few minutes on 2 cores
 *
 * Options: --epochs N  --batch-size N  --lr X  --seed N  --threads N  --train-words N  --val-words N
 *          --samples N  --temperature X
 *
 * The model is GPT-style: token and position embeddings, a causal nn.TransformerEncoder of
 * pre-norm GELU layers (fused scaled-dot-product attention), a final LayerNorm and a Linear head
 * over the 27 characters ('.' marks the start and end of a word). It trains with Adam and a
 * one-cycle schedule, shows a progress bar (loss, tokens/s), reports the validation loss after
 * every epoch, then samples words letter by letter. examples/transformer/train_pytorch.py trains
 * the same model on the same data with PyTorch, for comparison.
 */
'use strict';
const fs = require('fs');
const torch = require('../..');
const { nn, optim } = torch;
const F = nn.functional;
const { load, IGNORE } = require('./data');

function parseArgs(argv) {
  const args = { epochs: 4, batchSize: 64, lr: 3e-3, seed: 0, threads: null, trainWords: 32000, valWords: 4000, samples: 12, temperature: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = (v) => {
      const x = Number(v);
      if (!Number.isFinite(x)) throw new Error(`${a} needs a number, got ${v}`);
      return x;
    };
    if (a === '--epochs') args.epochs = num(next());
    else if (a === '--batch-size') args.batchSize = num(next());
    else if (a === '--lr') args.lr = num(next());
    else if (a === '--seed') args.seed = num(next());
    else if (a === '--threads') args.threads = num(next());
    else if (a === '--train-words') args.trainWords = num(next());
    else if (a === '--val-words') args.valWords = num(next());
    else if (a === '--samples') args.samples = num(next());
    else if (a === '--temperature') args.temperature = num(next());
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*\*/, '').replace(/^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return args;
}

class CharTransformer extends nn.Module {
  constructor(vocab, block, { d = 64, heads = 4, layers = 2, ff = 256, dropout = 0.0 } = {}) {
    super();
    this.tok_emb = new nn.Embedding(vocab, d);
    this.pos_emb = new nn.Embedding(block, d);
    const layer = new nn.TransformerEncoderLayer(d, heads, { dimFeedforward: ff, dropout, activation: 'gelu', batchFirst: true, normFirst: true });
    this.blocks = new nn.TransformerEncoder(layer, layers);
    this.ln_f = new nn.LayerNorm(d);
    this.head = new nn.Linear(d, vocab);
  }

  forward(idx) {
    const T = idx.shape[1];
    const x = this.tok_emb(idx).add(this.pos_emb(torch.arange(T)));
    return this.head(this.ln_f(this.blocks(x, { isCausal: true })));
  }
}

const tty = process.stdout.isTTY;
function bar(done, total, width = 24) {
  const n = Math.round((done / total) * width);
  return `[${'='.repeat(Math.max(0, n - 1))}${n > 0 ? (n === width ? '=' : '>') : ''}${' '.repeat(width - n)}]`;
}
const fmtTime = (s) => (s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);

/** The rows [from, to) of an encoded split as int64 tensors [n, T]. */
function rows(split, from, to, T) {
  const shape = [to - from, T];
  return [
    torch.tensor(split.x.subarray(from * T, to * T), { dtype: 'int64' }).reshape(shape),
    torch.tensor(split.y.subarray(from * T, to * T), { dtype: 'int64' }).reshape(shape),
  ];
}

/** Mean cross-entropy per predicted character over a split. */
function evaluate(model, split, T, vocab, batchSize = 500) {
  model.eval();
  let sum = 0, count = 0;
  torch.noGrad(() => {
    for (let i = 0; i < split.n; i += batchSize) {
      const [x, y] = rows(split, i, Math.min(split.n, i + batchSize), T);
      const yf = y.reshape(-1);
      sum += F.crossEntropy(model(x).reshape(-1, vocab), yf, { ignoreIndex: IGNORE, reduction: 'sum' }).item();
      count += yf.ne(IGNORE).sum().item();
    }
  });
  model.train();
  return sum / count;
}

function sample(model, block, temperature) {
  const letters = [0];
  torch.noGrad(() => {
    while (letters.length < block) {
      const x = torch.tensor(BigInt64Array.from(letters, BigInt), { dtype: 'int64' }).reshape(1, letters.length);
      const logits = model(x).select(1, letters.length - 1).div(temperature);
      const next = torch.multinomial(logits.softmax(-1), 1).item();
      if (next === 0) break;
      letters.push(next);
    }
  });
  return letters.slice(1).map((c) => String.fromCharCode(96 + c)).join('');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.threads) torch.setNumThreads(args.threads);
  const t0 = Date.now();
  const data = load({ trainWords: args.trainWords, valWords: args.valWords });
  const T = data.block, V = data.vocab;
  const be = torch.backend();
  console.log(`torchlet ${be.version ?? ''} | ISA ${be.isa} | ${torch.getNumThreads()} threads`);
  console.log(`data: an-array-of-english-words: ${data.train.n} train / ${data.val.n} validation words of < ${T} letters (loaded in ${fmtTime((Date.now() - t0) / 1000)})`);

  torch.manualSeed(args.seed);
  const model = new CharTransformer(V, T);
  const nParams = [...model.parameters()].reduce((s, p) => s + p.numel(), 0);
  const steps = Math.ceil(data.train.n / args.batchSize);
  console.log(`model: 2-layer pre-norm transformer, d 64, 4 heads, ${nParams.toLocaleString('en-US')} parameters; ` +
    `Adam + OneCycleLR(max ${args.lr}), batch ${args.batchSize} words, ${args.epochs} epochs`);
  console.log(`validation loss before training: ${evaluate(model, data.val, T, V).toFixed(4)} (uniform: ${Math.log(V).toFixed(4)})`);

  const opt = new optim.Adam(model.parameters(), { lr: args.lr });
  const sched = new optim.lrScheduler.OneCycleLR(opt, args.lr, { epochs: args.epochs, stepsPerEpoch: steps });
  const trainStart = Date.now();
  const curve = [];
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const e0 = Date.now();
    const perm = torch.randperm(data.train.n).toFloat32Array();
    let lossSum = 0, tokens = 0, lastDraw = 0;
    for (let step = 0; step < steps; step++) {
      const from = step * args.batchSize, to = Math.min(data.train.n, from + args.batchSize);
      const xb = new BigInt64Array((to - from) * T), yb = new BigInt64Array((to - from) * T);
      for (let i = from; i < to; i++) {
        const r = perm[i];
        xb.set(data.train.x.subarray(r * T, (r + 1) * T), (i - from) * T);
        yb.set(data.train.y.subarray(r * T, (r + 1) * T), (i - from) * T);
      }
      const x = torch.tensor(xb, { dtype: 'int64' }).reshape(to - from, T);
      const y = torch.tensor(yb, { dtype: 'int64' }).reshape(-1);
      const loss = F.crossEntropy(model(x).reshape(-1, V), y, { ignoreIndex: IGNORE });
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
      let n = 0;
      for (const v of yb) if (v !== BigInt(IGNORE)) n++;
      lossSum += loss.item() * n;
      tokens += n;
      const now = Date.now();
      if (tty && (now - lastDraw > 100 || step === steps - 1)) {
        lastDraw = now;
        process.stdout.write(`\repoch ${epoch}/${args.epochs} ${bar(step + 1, steps)} ${step + 1}/${steps} ` +
          `loss ${(lossSum / tokens).toFixed(4)} ${Math.round(tokens / Math.max(1e-3, (now - e0) / 1000))} chars/s  `);
      }
    }
    const secs = (Date.now() - e0) / 1000;
    const val = evaluate(model, data.val, T, V);
    curve.push({ epoch, train: lossSum / tokens, val, secs });
    const line = `epoch ${epoch}/${args.epochs} ${bar(1, 1)} loss ${(lossSum / tokens).toFixed(4)} ` +
      `${Math.round(tokens / secs)} chars/s | epoch ${secs.toFixed(1)}s | validation loss ${val.toFixed(4)}`;
    process.stdout.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
  console.log(`trained in ${fmtTime((Date.now() - trainStart) / 1000)}; validation loss ${curve[curve.length - 1].val.toFixed(4)} per character`);

  model.eval();
  const words = [];
  for (let i = 0; i < args.samples; i++) words.push(sample(model, T, args.temperature));
  console.log(`\n${args.samples} sampled words (temperature ${args.temperature}; * = not in the word list):`);
  console.log(words.map((w) => (data.all.has(w) ? w : `${w}*`)).join('  '));
  console.log(`\ntotal ${fmtTime((Date.now() - t0) / 1000)}`);
}

try {
  main();
} catch (e) {
  console.error(`error: ${e && e.message ? e.message : e}`);
  process.exit(1);
}
