/**
 * Type tests (issue 15, typed containers): test/types/fixtures/*.ts are compiled with `strict`;
 * lines that must compile are plain code, lines that must not are marked `@ts-expect-error`, which
 * tsc reports as unused if the line compiles after all.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

test('container, clipGradNorm_ and DataLoader typings: what must compile does, what must not does not', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  let out = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(__dirname, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(out).toBe('');
}, 60_000);
