/**
 * Workers terminated with plan.runAsync calls in flight take nothing else down: the process exits
 * cleanly and the main thread's own runs stay correct meanwhile.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';

jest.setTimeout(120_000);

test('terminating workers mid-run never aborts the process or disturbs the main thread', () => {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'plan-teardown.js'), '6', '3'],
    { encoding: 'utf8', timeout: 100_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toEqual({ rounds: 6, terminated: 18, mainRuns: 24, mainWrong: 0 });
});
