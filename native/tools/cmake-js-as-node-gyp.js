#!/usr/bin/env node
'use strict';
// prebuildify has no cmake-js backend; it calls `<bin> rebuild --target=X --devdir=D --arch=A --release`
// and then takes the first .node file in build/Release. The N-API build needs no per-Node headers,
// so only --arch and --debug are forwarded. cmake-js builds in build-prebuild/ so it does not wipe
// the node-gyp tree in build/; the result is copied to where prebuildify looks for it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice(7);
const debug = args.includes('--debug');
const outDir = 'build-prebuild';
const cmd = ['rebuild', '--out', outDir, ...(arch ? ['--arch', arch] : []), ...(debug ? ['--debug'] : [])];
const r = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...cmd], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const config = debug ? 'Debug' : 'Release';
const dest = path.join('build', config);
fs.mkdirSync(dest, { recursive: true });
// Copy, then rename over the old file: a process that has the old addon loaded keeps its mapping
// (a new inode), where overwriting the file in place would change code under it and crash it.
const tmp = path.join(dest, `torchlet.node.tmp-${process.pid}`);
fs.copyFileSync(path.join(outDir, config, 'torchlet.node'), tmp);
fs.renameSync(tmp, path.join(dest, 'torchlet.node'));
