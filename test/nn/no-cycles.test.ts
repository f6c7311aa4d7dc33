/**
 * The module machinery's import graph has no value cycles through nn/module.ts (call.ts and
 * hooks.ts only import its types), so load order can never hand one of them a half-initialised
 * module.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

const valueImports = (file: string) =>
  [...readFileSync(join(__dirname, '..', '..', 'lib', 'nn', file), 'utf8').matchAll(/^import (?!type )[^;]*from '([^']+)';/gm)]
    .map((m) => m[1]);

test.each(['call.ts', 'hooks.ts', 'names.ts'])('%s has no value import of ./module', (file) => {
  expect(valueImports(file)).not.toContain('./module');
});
