#!/usr/bin/env node
'use strict';
/*
 * prepack guard: `npm pack` / `npm publish` must not silently ship a tarball without the prebuilds
 * (users would then need a compiler), nor with prebuilds older than the C++ they were built from.
 *
 * Required: $TORCHLET_REQUIRE_PREBUILDS (comma-separated <platform>-<arch> folders), default the two
 * this machine builds: linux-x64 (`npm run prebuilds`) and linux-arm64 (`npm run prebuilds:arm64`).
 * The release workflow sets the full list after collecting every platform's folder.
 * It also deletes the dist/ .map files left by builds from before tsconfig.json stopped emitting maps: they
 * point at lib/*.ts, which the tarball does not ship.
 */
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const required = (process.env.TORCHLET_REQUIRE_PREBUILDS || 'linux-x64,linux-arm64').split(',').map((s) => s.trim()).filter(Boolean);
const how = { 'linux-x64': 'npm run prebuilds', 'linux-arm64': 'npm run prebuilds:arm64' };

function newestSource(dir) {
  let newest = { file: '', mtime: 0 };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (!entry.isDirectory() && !/\.(cc|c|h|inc|gypi)$/.test(entry.name)) continue;  // what the compiler reads
    const cand = entry.isDirectory() ? newestSource(p) : { file: p, mtime: fs.statSync(p).mtimeMs };
    if (cand.mtime > newest.mtime) newest = cand;
  }
  return newest;
}

const problems = [];
const source = newestSource(path.join(root, 'native'));
for (const folder of required) {
  const dir = path.join(root, 'prebuilds', folder);
  const binaries = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  if (binaries.length === 0) {
    problems.push(`prebuilds/${folder}/ has no .node file (build it with \`${how[folder] || 'the release workflow'}\`)`);
    continue;
  }
  for (const b of binaries) {
    if (fs.statSync(path.join(dir, b)).mtimeMs < source.mtime) {
      problems.push(`prebuilds/${folder}/${b} is older than ${path.relative(root, source.file)}: rebuild it`);
    }
  }
}
if (problems.length) {
  console.error('torchlet prepack: refusing to pack:\n  ' + problems.join('\n  ') +
    '\n(TORCHLET_REQUIRE_PREBUILDS lists the required folders; default linux-x64,linux-arm64)');
  process.exit(1);
}
(function dropMaps(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) dropMaps(p);
    else if (entry.name.endsWith('.map')) fs.rmSync(p);
  }
})(path.join(root, 'dist'));
// stderr: stdout is the tarball listing under `npm pack --json`
console.error(`torchlet prepack: prebuilds present for ${required.join(', ')}`);
