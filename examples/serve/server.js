#!/usr/bin/env node
/**
 * Serve an image classifier over HTTP from Node with a traced torchlet plan.
 *
 *   node examples/serve/server.js                       # LeNet, weights of `npm run example` if present
 *   node examples/serve/server.js --weights lenet.safetensors --port 8080
 *   node examples/serve/server.js --weights model.pth --mode sync
 *
 * Options: --weights FILE (.safetensors or a PyTorch .pt/.pth state dict)  --port N (0: any free)
 *          --mode async|sync  --max-batch N  --max-delay-ms N  --threads N
 *
 * POST /classify with {"image": [784 numbers in 0..1]} (JSON) or 784 little-endian float32s
 * (application/octet-stream) answers {"class": k, "probs": [10 numbers]}. GET /stats reports
 * requests served and the event-loop delay (p50/p99, ms) since the last GET /stats.
 *
 * --mode async (default) runs the plan with plan.runAsync on a libuv worker, so the event loop only
 * parses and answers requests; concurrent requests are batched (up to --max-batch, waiting at most
 * --max-delay-ms for more) into one run. --mode sync runs plan(x) on the event loop, per request.
 */
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { monitorEventLoopDelay } = require('perf_hooks');
const torch = require('../..');
const { LeNet } = require('../models/lenet');

const F = torch.nn.functional;
const IMAGE = 28 * 28;

function parseArgs(argv) {
  const a = { weights: null, port: 8080, mode: 'async', maxBatch: 32, maxDelayMs: 1, threads: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k === '--weights') a.weights = next();
    else if (k === '--port') a.port = parseInt(next(), 10);
    else if (k === '--mode') a.mode = next();
    else if (k === '--max-batch') a.maxBatch = parseInt(next(), 10);
    else if (k === '--max-delay-ms') a.maxDelayMs = parseFloat(next());
    else if (k === '--threads') a.threads = parseInt(next(), 10);
    else if (k === '-h' || k === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*\*/, '').replace(/^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown argument ${k} (try --help)`);
  }
  if (a.mode !== 'async' && a.mode !== 'sync') throw new Error(`--mode must be async or sync, got ${a.mode}`);
  if (!(a.maxBatch >= 1)) throw new Error(`--max-batch must be at least 1, got ${a.maxBatch}`);
  return a;
}

/** The model with its weights; a random LeNet (said so) when no weights file is at hand. */
function loadModel(weights) {
  const model = new LeNet();
  const file = weights ?? path.join(os.tmpdir(), 'torchlet-lenet-mnist.safetensors');
  if (fs.existsSync(file)) {
    model.loadStateDict(torch.load(file));
    return { model, source: file };
  }
  if (weights) throw new Error(`weights file ${weights} not found`);
  return { model, source: 'random weights (run `npm run example` first to train and save real ones)' };
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(Object.assign(new Error('request body too large'), { status: 413 })); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The image of a request as a [1, 1, 28, 28] tensor, or an error with status 400. */
function parseImage(req, body) {
  const bad = (msg) => Object.assign(new Error(msg), { status: 400 });
  let px;
  if ((req.headers['content-type'] || '').startsWith('application/octet-stream')) {
    if (body.length !== IMAGE * 4) throw bad(`expected ${IMAGE} float32 values (${IMAGE * 4} bytes), got ${body.length} bytes`);
    px = new Float32Array(IMAGE);
    for (let i = 0; i < IMAGE; i++) px[i] = body.readFloatLE(i * 4);
  } else {
    let msg;
    try { msg = JSON.parse(body.toString('utf8')); } catch { throw bad('body is not valid JSON'); }
    if (!msg || !Array.isArray(msg.image) || msg.image.length !== IMAGE || !msg.image.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw bad(`expected {"image": [${IMAGE} finite numbers]}`);
    }
    px = Float32Array.from(msg.image);
  }
  return torch.tensor(px, { shape: [1, 1, 28, 28] });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.threads) torch.setNumThreads(args.threads);
  const { model, source } = loadModel(args.weights);
  model.eval();
  const plan = torch.jit.trace(model, torch.zeros(1, 1, 28, 28));
  const classify = args.mode === 'async'
    ? ((run) => async (x) => F.softmax(await run(x), 1).storage)(plan.batched({ maxBatch: args.maxBatch, maxDelayMs: args.maxDelayMs }))
    : async (x) => F.softmax(plan(x), 1).storage;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let served = 0;
  const server = http.createServer(async (req, res) => {
    const reply = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    try {
      if (req.method === 'GET' && req.url === '/stats') {
        reply(200, { served, mode: args.mode, eventLoopDelayMs: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } });
        delay.reset();
        return;
      }
      if (req.method !== 'POST' || req.url !== '/classify') return reply(404, { error: 'POST /classify or GET /stats' });
      const x = parseImage(req, await readBody(req, 1 << 20));
      const probs = await classify(x);
      let k = 0;
      for (let i = 1; i < probs.length; i++) if (probs[i] > probs[k]) k = i;
      served++;
      reply(200, { class: k, probs: Array.from(probs, (p) => Math.round(p * 1e4) / 1e4) });
    } catch (e) {
      reply(e.status || 500, { error: e.message });
    }
  });
  server.listen(args.port, '127.0.0.1', () => {
    // The first line is machine-readable: bench/serve-load.js waits for it.
    console.log(JSON.stringify({ listening: server.address().port, mode: args.mode, weights: source, steps: plan.steps }));
  });
  const stop = () => server.close(() => { plan.dispose(); process.exit(0); });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
