/**
 * Worker-teardown fuzzing (scripts/fuzz.js --target teardown) in CI: rounds of worker_threads run
 * random native fuzz cases with gemmAsync work in flight and are terminated after a random delay.
 * Terminating a worker used to abort the whole process (issue 14, crash 1); here no round may
 * crash, and every worker must have been busy when it was terminated.
 */
import { fuzz } from './run';

test('30 rounds of 3 workers terminated mid-run (seed 1): no crash, no hang', () => {
  const { results, status } = fuzz(['--target', 'teardown', '--rounds', '30', '--workers', '3']);
  const [r] = results;
  expect([...r.crashes, ...r.hangs].map((c) => `${c.signal || `exit ${c.status}`}: ${c.repro}`)).toEqual([]);
  expect(r.cases).toBe(30);
  expect(r.terminated).toBe(90);
  expect(r.busyAtTerminate).toBe(90);
  // gemmAsync calls were in flight at teardown and fuzz cases ran inside the workers.
  expect(r.asyncInFlight).toBeGreaterThan(90);
  expect(r.workerCases).toBeGreaterThan(90);
  expect(status).toBe(0);
}, 120_000);

test('--minutes: a timed run stops on time with a fresh seed and reports it', () => {
  const { results, status } = fuzz(['--target', 'native', '--minutes', '0.02']);
  const [r] = results;
  expect(r.seconds).toBeGreaterThan(1);
  expect(r.seconds).toBeLessThan(10);
  expect(r.cases).toBeGreaterThan(100);
  expect(r.seed).not.toBe(1);
  expect(status).toBe(0);
}, 60_000);
