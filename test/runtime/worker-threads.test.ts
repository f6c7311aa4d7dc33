/** The addon keeps no process-wide JS state: several worker_threads can load and use it at once. */
import { execFileSync } from 'child_process';
import { join } from 'path';

jest.setTimeout(120_000);

test('four worker_threads and the main thread compute identical seeded results', () => {
  const out = JSON.parse(execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'workers.js'), '4']).toString());
  expect(out.workers).toHaveLength(4);
  for (const v of out.workers) expect(v).toBe(out.main);
  expect(Number.isFinite(out.main)).toBe(true);
});
