/**
 * Memory stays flat: dropped tensors are collected (V8 sees their storage), and a training loop's
 * graph is freed after each backward. Figures are printed for the issue notes.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

jest.setTimeout(300_000);
const script = join(__dirname, '..', 'scripts', 'rss-loop.js');
const run = (mode: string, iters: number) =>
  JSON.parse(execFileSync(process.execPath, [script, mode, String(iters)]).toString());

test('100k allocate-and-drop iterations keep RSS flat', () => {
  const r = run('alloc', 100_000);
  console.log(`alloc loop: RSS ${r.beforeMiB} MiB → ${r.afterMiB} MiB (peak ${r.peakMiB}) over ${r.iters} iterations, ${r.seconds}s`);
  expect(r.last).toBe(8192);
  expect(r.peakMiB - r.beforeMiB).toBeLessThan(64);
});

test('10k-step MLP forward+backward+SGD loop keeps RSS flat and learns', () => {
  const r = run('train', 10_000);
  console.log(`train loop: RSS ${r.beforeMiB} MiB → ${r.afterMiB} MiB (peak ${r.peakMiB}) over ${r.iters} steps, ${r.seconds}s; loss ${r.first.toFixed(4)} → ${r.last.toFixed(4)}`);
  expect(r.last).toBeLessThan(r.first);
  expect(r.peakMiB - r.beforeMiB).toBeLessThan(64);
});
