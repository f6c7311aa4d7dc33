#!/usr/bin/env node
// Checks (default) or applies (--fix) clang-format on every C/C++ file under native/, with the
// repo's .clang-format. The clang-format binary comes from the `clang-format` dev dependency, so
// CI needs no system package. Exits 1 listing the files that are not formatted.
'use strict';
const { execFileSync } = require('child_process');
const { readdirSync } = require('fs');
const { join, relative } = require('path');

const root = join(__dirname, '..');
const fix = process.argv.includes('--fix');
const bin = join(root, 'node_modules', 'clang-format', 'index.js');

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(cc|h|inc|c)$/.test(e.name)) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'native'), []).sort();
const bad = [];
for (const f of files) {
  const args = fix ? ['-i', '--style=file', f] : ['--dry-run', '--Werror', '--style=file', f];
  try {
    execFileSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    bad.push(relative(root, f));
  }
}
if (bad.length) {
  console.error(`clang-format: ${bad.length} file(s) not formatted (run node scripts/check-format.js --fix):`);
  for (const f of bad) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`clang-format: ${files.length} files ${fix ? 'formatted' : 'clean'}`);
