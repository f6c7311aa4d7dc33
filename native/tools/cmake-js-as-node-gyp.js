#!/usr/bin/env node
'use strict';
// prebuildify has no cmake-js backend; it calls `<bin> rebuild --target=X --devdir=D --arch=A --release`
// and then takes the first .node file in build/Release. The N-API build needs no per-Node headers,
// so only --arch and --debug are forwarded. cmake-js builds in build-prebuild/<arch>/ so it does not
// wipe the node-gyp tree in build/; the result is copied to where prebuildify looks for it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice(7);
const debug = args.includes('--debug');
const target = arch || process.arch;
const outDir = path.join('build-prebuild', target);
// Two compile jobs by default: the build machines are small and shared (TORCHLET_JOBS overrides).
const jobs = process.env.TORCHLET_JOBS || '2';
const cmd = ['rebuild', '--out', outDir, '--arch', target, '--parallel', jobs, ...(debug ? ['--debug'] : [])];
// Linux arm64 from an x64 host: Debian's cross toolchain (apt-get install g++-aarch64-linux-gnu).
const env = { ...process.env };
if (process.platform === 'linux' && target !== process.arch) {
  const triple = { arm64: 'aarch64-linux-gnu', x64: 'x86_64-linux-gnu' }[target];
  if (!triple) throw new Error(`cmake-js-as-node-gyp: no cross toolchain known for arch ${target}`);
  env.CC = `${triple}-gcc`;
  env.CXX = `${triple}-g++`;
  cmd.push(`--CDCMAKE_SYSTEM_NAME=Linux`, `--CDCMAKE_SYSTEM_PROCESSOR=${triple.split('-')[0]}`);
}
const r = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...cmd], { stdio: 'inherit', env });
if (r.status !== 0) process.exit(r.status ?? 1);
const config = debug ? 'Debug' : 'Release';
// scripts/prebuild-arm64.js sets TORCHLET_BUILD_DEST: a cross-built addon must not replace the
// host's build/Release/torchlet.node, which node-gyp-build loads first in this checkout.
const dest = path.join(process.env.TORCHLET_BUILD_DEST || 'build', config);
fs.mkdirSync(dest, { recursive: true });
// Copy, then rename over the old file: a process that has the old addon loaded keeps its mapping
// (a new inode), where overwriting the file in place would change code under it and crash it.
const tmp = path.join(dest, `torchlet.node.tmp-${process.pid}`);
fs.copyFileSync(path.join(outDir, config, 'torchlet.node'), tmp);
fs.renameSync(tmp, path.join(dest, 'torchlet.node'));
