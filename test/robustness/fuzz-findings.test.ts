/**
 * Findings of scripts/fuzz.js turned into regressions (the fuzzer's own CI runs are test/fuzz/*).
 * Native cases run in a child process so that a crash or a runaway loop is a failed assertion.
 */
import { runNative } from './child';

test('gemmAsync with batch 2^32 and m = 0 resolves at once instead of spinning a libuv thread through 2^32 empty items', () => {
  const r = runNative(`
    const E = new Float32Array(0);
    const t0 = Date.now();
    await N.gemmAsync(2 ** 32, false, false, 0, 3, 4, E, 0, new Float32Array(12), 12, E, 0);
    await N.gemmAsync(2 ** 50, false, false, 2, 0, 4, new Float32Array(8), 0, E, 0, E, 0);
    out(Date.now() - t0);
  `);
  expect(r.signal).toBeNull();
  expect(r.threw).toBeNull();
  expect(r.out[0]).toBeLessThan(1000);
});
