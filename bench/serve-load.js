#!/usr/bin/env node
/**
 * Load test of examples/serve: for each mode (the plan's async path with batching, the same plan
 * run synchronously on the event loop), starts the server on a free loopback port, drives it with
 * autocannon for a bounded time, and prints requests/s, latency p50/p99 and the server's event-loop
 * delay p99 side by side. Rounds are interleaved (async, sync, async, sync, ...).
 *
 *   node bench/serve-load.js [--seconds 10] [--connections 32] [--rounds 2] [--weights FILE]
 *
 * onnxruntime-node is not driven by this script yet (its HTTP server would need an ONNX export of
 * the same weights); bench/run.js compares it on the model workloads.
 */
'use strict';
const { spawn } = require('child_process');
const os = require('os');
const path = require('path');
const autocannon = require('autocannon');

const arg = (k, d) => { const i = process.argv.indexOf('--' + k); return i > 0 ? process.argv[i + 1] : d; };
const seconds = +arg('seconds', '10'), connections = +arg('connections', '32'), rounds = +arg('rounds', '2');
const weights = arg('weights', null);
const SERVER = path.join(__dirname, '..', 'examples', 'serve', 'server.js');

function startServer(mode) {
  return new Promise((resolve, reject) => {
    const argv = [SERVER, '--port', '0', '--mode', mode, ...(weights ? ['--weights', weights] : [])];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(buf.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`server (${mode}) exited with ${code}`)));
  });
}

async function stats(port) {
  return (await fetch(`http://127.0.0.1:${port}/stats`)).json();
}

async function measure(mode) {
  const { child, info } = await startServer(mode);
  const port = info.listening;
  const image = Array.from({ length: 784 }, (_, i) => ((i * 7919) % 256) / 255);
  const body = JSON.stringify({ image });
  // Warm-up, then reset the server's event-loop histogram.
  await autocannon({ url: `http://127.0.0.1:${port}/classify`, method: 'POST', body, connections, duration: 1,
    headers: { 'content-type': 'application/json' } });
  await stats(port);
  const r = await autocannon({ url: `http://127.0.0.1:${port}/classify`, method: 'POST', body, connections,
    duration: seconds, headers: { 'content-type': 'application/json' } });
  const s = await stats(port);
  child.kill('SIGTERM');
  return { mode, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx,
    loopP99: s.eventLoopDelayMs.p99 };
}

(async () => {
  const load = os.loadavg()[0];
  console.log(`serve load test: LeNet, ${connections} connections, ${seconds} s per run, ${rounds} rounds interleaved; ` +
    `${os.cpus().length} CPUs (${os.cpus()[0].model}), load average ${load.toFixed(2)} at start`);
  const results = { async: [], sync: [] };
  for (let i = 0; i < rounds; i++) for (const mode of ['async', 'sync']) results[mode].push(await measure(mode));
  const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('| path | requests/s | latency p50 (ms) | latency p99 (ms) | event-loop delay p99 (ms) | errors |');
  console.log('|---|---|---|---|---|---|');
  for (const [mode, rs] of Object.entries(results)) {
    const label = mode === 'async' ? 'plan.runAsync (batched)' : 'plan(x) on the event loop';
    console.log(`| ${label} | ${med(rs.map((r) => r.rps)).toFixed(0)} | ${med(rs.map((r) => r.p50))} | ${med(rs.map((r) => r.p99))} | ` +
      `${med(rs.map((r) => r.loopP99)).toFixed(2)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
