/**
 * Environment teardown with native work in flight (issue 14, crash 1). worker.terminate() used to
 * abort the whole process ("terminate called after throwing an instance of 'Napi::Error'"): a
 * native call made while the worker was being stopped failed, and node-addon-api rethrew the
 * failed throw as a C++ exception out of a C callback; matmulAsync's completion also settled its
 * promise on the dying environment. Each case runs in a child process so an abort fails the test.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { runLib } from './child';

jest.setTimeout(120_000);

const SCRIPT = join(__dirname, '..', 'scripts', 'worker-teardown.js');

test('terminating workers with matmulAsync in flight never aborts the process', () => {
  // 10 rounds of 3 workers aborted 5 of 5 runs before the fix; two runs vary the timing further.
  for (const [rounds, per] of [[10, 3], [6, 5]]) {
    const r = spawnSync(process.execPath, [SCRIPT, String(rounds), String(per)], { encoding: 'utf8', timeout: 100_000 });
    expect({ signal: r.signal, status: r.status, stderr: r.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ rounds, terminated: rounds * per, busyAtTerminate: rounds * per });
  }
});

test('process.exit() with matmulAsync calls in flight exits cleanly with its own code', () => {
  for (const delay of [0, 2, 5]) {
    const r = runLib(`
      const a = torch.randn(300, 300), b = torch.randn(300, 300);
      for (let i = 0; i < 8; i++) torch.matmulAsync(a, b).catch(() => {});
      await new Promise((res) => setTimeout(res, ${delay}));
      process.exit(7);
    `);
    expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: 7 });
  }
});

test('matmulAsync still resolves with the right values after the rewrite', () => {
  const r = runLib(`
    const a = torch.tensor([[1, 2], [3, 4]]), b = torch.tensor([[5, 6], [7, 8]]);
    const ys = await Promise.all([torch.matmulAsync(a, b), torch.matmulAsync(b, a)]);
    out(ys.map((y) => Array.from(y.storage)));
    try { await torch.matmulAsync(a, torch.ones(3, 2)); } catch (e) { out(e.message); }
  `);
  expect(r.signal).toBeNull();
  expect(r.out[0]).toEqual([[19, 22, 43, 50], [23, 34, 31, 46]]);
  expect(r.out[1]).toMatch(/matmulAsync: shapes \[2, 2\] and \[3, 2\] cannot be multiplied/);
});
