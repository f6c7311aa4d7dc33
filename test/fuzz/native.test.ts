/**
 * The native-binding fuzzer (scripts/fuzz.js, issue 14) in CI: a fixed-seed batch of random calls on
 * every function the addon exports, with hostile types, lengths, sizes and buffers (detached,
 * SharedArrayBuffer, unaligned views). Cases run in child processes, so a crash is a failed test that
 * names the seed and the call, not a dead jest worker. Deeper runs: `node scripts/fuzz.js --minutes N`.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { fuzz, Result, ROOT } from './run';

const brief = (r: Result): string[] =>
  [...r.crashes, ...r.hangs].map((c) => `${c.signal || `exit ${c.status}`}: ${c.repro}`)
    .concat([...r.findings, ...r.internal].map((f) => `case ${f.case}: ${f.call}: ${f.what}`));

test('6000 random native calls (seed 1): every one returns or throws an Error naming the op; no crash, hang or slow case', () => {
  const { results, status } = fuzz(['--target', 'native', '--iterations', '6000', '--batch', '3000']);
  const [r] = results;
  expect(brief(r)).toEqual([]);
  expect(r.cases).toBe(6000);
  // Both outcomes are exercised: valid calls reach the kernels, broken ones are refused.
  expect(r.ok).toBeGreaterThan(1500);
  expect(r.threw).toBeGreaterThan(1500);
  expect(r.ok + r.threw).toBe(6000);
  expect(status).toBe(0);
}, 180_000);

test('a crash in a case is caught, attributed to that case with its repro line, and fuzzing resumes after it', () => {
  const { results, status } = fuzz(['--target', 'native', '--iterations', '300', '--batch', '100', '--self-test-crash-at', '150']);
  const [r] = results;
  expect(r.crashes).toHaveLength(1);
  expect(r.crashes[0]).toMatchObject({ case: 150, signal: 'SIGABRT', repro: 'node scripts/fuzz.js --target native --seed 1 --case 150' });
  expect(r.cases).toBe(300);
  expect(status).toBe(1);
}, 60_000);

test('--case prints the call of a case, the same one every time', () => {
  const run = () => spawnSync(process.execPath, [join(ROOT, 'scripts', 'fuzz.js'), '--target', 'native', '--seed', '7', '--case', '42'], { encoding: 'utf8' }).stdout;
  const a = run();
  expect(a).toMatch(/^native case 42 \(seed 7\): N\.[A-Za-z0-9]+\(/);
  expect(run()).toBe(a);
});
