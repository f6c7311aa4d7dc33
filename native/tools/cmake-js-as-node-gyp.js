#!/usr/bin/env node
'use strict';
// prebuildify has no cmake-js backend; it calls `<bin> rebuild --target=X --devdir=D --arch=A --release`.
// The N-API build needs no per-Node headers, so only --arch and --debug are forwarded.
const { spawnSync } = require('child_process');
const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice(7);
const out = ['rebuild', ...(arch ? ['--arch', arch] : []), ...(args.includes('--debug') ? ['--debug'] : [])];
const r = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...out], { stdio: 'inherit' });
process.exit(r.status ?? 1);
