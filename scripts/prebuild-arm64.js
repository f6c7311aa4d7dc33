#!/usr/bin/env node
'use strict';
/*
 * The linux-arm64 prebuild, cross-built on an x64 Debian machine, and its test under qemu-user.
 *
 *   node scripts/prebuild-arm64.js build   cross-compile (g++-aarch64-linux-gnu) → prebuilds/linux-arm64/torchlet.glibc.node
 *   node scripts/prebuild-arm64.js node    unpack Debian's nodejs:arm64 .debs into the arm64 root (once)
 *   node scripts/prebuild-arm64.js test [jest args]   run the jest subset with that Node under qemu-aarch64
 *
 * prebuildify is not used for this one: it takes the addon from build/Release, where it would replace
 * the host's own build. The arm64 root is $TORCHLET_ARM64_ROOT, default ~/.cache/torchlet/arm64-root;
 * `node` fills it from $TORCHLET_ARM64_DEBS (a folder of .debs) if set, else with `apt-get download`
 * (needs `dpkg --add-architecture arm64 && apt-get update` once). Needs: qemu-user, binutils-aarch64-linux-gnu.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const arm64Root = process.env.TORCHLET_ARM64_ROOT || path.join(os.homedir(), '.cache', 'torchlet', 'arm64-root');
const arm64Node = path.join(arm64Root, 'usr', 'bin', 'node');
const prebuild = path.join(root, 'prebuilds', 'linux-arm64', 'torchlet.glibc.node');
// Debian 12's nodejs (18.20) and what it links; node-* are the JS modules Debian's build unbundles.
const DEBS = ['nodejs', 'libnode108', 'libc6', 'libgcc-s1', 'libstdc++6', 'libuv1', 'libicu72', 'libssl3', 'zlib1g',
  'libbrotli1', 'libc-ares2', 'libnghttp2-14', 'node-acorn', 'node-cjs-module-lexer', 'node-undici'];
// The kernels (every ISA path against scalar, the JS reference and PyTorch's fixtures), the tensor
// core's elementwise/reduce paths, and Module/layers on top: what an arm64 user first runs.
const SUBSET = ['test/kernels/', 'test/native/', 'test/layers/isa.test.ts', 'test/layers/layers.test.ts',
  'test/nn/module.test.ts', 'test/nn/layers.test.ts', 'test/nn/hooks.test.ts', 'test/packaging/arm64.test.ts'];

function die(msg) {
  console.error(`prebuild-arm64: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) die(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function build() {
  const out = path.join('build-prebuild', 'arm64');
  run(process.execPath, [path.join(root, 'native', 'tools', 'cmake-js-as-node-gyp.js'), 'rebuild', '--arch=arm64', '--release'],
    { cwd: root, env: { ...process.env, TORCHLET_BUILD_DEST: out } });
  fs.mkdirSync(path.dirname(prebuild), { recursive: true });
  const tmp = `${prebuild}.tmp-${process.pid}`;
  fs.copyFileSync(path.join(root, out, 'Release', 'torchlet.node'), tmp);
  run('aarch64-linux-gnu-strip', ['--strip-all', tmp]);  // what prebuildify --strip does
  fs.renameSync(tmp, prebuild);
  console.log(`prebuild-arm64: wrote ${path.relative(root, prebuild)}`);
}

function ensureNode() {
  if (fs.existsSync(arm64Node)) return;
  const debDir = process.env.TORCHLET_ARM64_DEBS || fs.mkdtempSync(path.join(os.tmpdir(), 'torchlet-debs-'));
  if (!process.env.TORCHLET_ARM64_DEBS) run('apt-get', ['download', ...DEBS.map((d) => `${d}:arm64`)], { cwd: debDir });
  const debs = fs.readdirSync(debDir).filter((f) => f.endsWith('.deb'));
  for (const want of DEBS) {
    if (!debs.some((f) => f.startsWith(`${want}_`))) die(`${debDir} has no ${want}_*.deb`);
  }
  fs.mkdirSync(arm64Root, { recursive: true });
  for (const deb of debs) run('dpkg', ['-x', path.join(debDir, deb), arm64Root]);
  if (!fs.existsSync(arm64Node)) die(`unpacking gave no ${arm64Node}`);
}

// qemu-user cannot follow an emulated execve into another arm64 binary without binfmt_misc, which
// containers rarely have. So every Node the tests start (jest workers, TORCHLET_ISA children) goes
// through this host-side script, which re-enters qemu: the preload points process.execPath at it.
function writeLauncher() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlet-arm64-'));
  const launcher = path.join(dir, 'node');
  fs.writeFileSync(launcher, `#!/bin/sh\nexec qemu-aarch64 -L '${arm64Root}' '${arm64Node}' "$@"\n`, { mode: 0o755 });
  const preload = path.join(dir, 'preload.js');
  fs.writeFileSync(preload, `process.execPath = ${JSON.stringify(launcher)};\n`);
  return { dir, launcher, preload };
}

function test(extra) {
  if (!fs.existsSync(prebuild)) die(`${path.relative(root, prebuild)} is missing: run \`node scripts/prebuild-arm64.js build\``);
  ensureNode();
  const { dir, launcher, preload } = writeLauncher();
  try {
    const probe = execFileSync(launcher, ['-p', 'process.arch + " " + process.version'], { env: { ...process.env, PREBUILDS_ONLY: '1' } });
    console.log(`prebuild-arm64: testing with node ${probe.toString().trim()} under qemu-aarch64`);
    // PREBUILDS_ONLY: node-gyp-build must load prebuilds/linux-arm64, not the host's build/Release.
    const env = { ...process.env, PREBUILDS_ONLY: '1', TORCHLET_EXPECT_ARCH: 'arm64',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim() };
    const args = extra.length ? extra : SUBSET;
    const r = spawnSync(launcher, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--maxWorkers=2', ...args],
      { cwd: root, stdio: 'inherit', env });
    process.exitCode = r.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'build') build();
else if (cmd === 'node') ensureNode();
else if (cmd === 'test') test(rest);
else die('usage: node scripts/prebuild-arm64.js build | node | test [jest args]');
