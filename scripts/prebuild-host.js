#!/usr/bin/env node
'use strict';
/*
 * `npm run prebuilds`: prebuildify for this machine's platform, through the cmake-js shim.
 * prebuildify takes its result by renaming it out of build/Release, which would leave a checkout
 * (and the suite, whose pack test calls this) without its own node-gyp build: this keeps the
 * developer's build/Release/torchlet.node aside while prebuildify runs and puts it back after.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dev = path.join(root, 'build', 'Release', 'torchlet.node');
const kept = path.join(root, 'build', `torchlet.node.kept-${process.pid}`);
const had = fs.existsSync(dev);
if (had) fs.renameSync(dev, kept);
let status = 1;
try {
  const bin = path.join(path.dirname(require.resolve('prebuildify/package.json')), 'bin.js');
  const r = spawnSync(process.execPath, [bin, '--napi', '--strip', '--tag-libc',
    '--node-gyp', path.join(root, 'native', 'tools', 'cmake-js-as-node-gyp.js'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' });
  status = r.status ?? 1;
} finally {
  // rename over whatever the shim left: a process that loaded that file keeps its own inode
  if (had) fs.renameSync(kept, dev);
}
process.exit(status);
