/**
 * The user's install: `npm run prebuilds` writes a stripped, libc-tagged prebuild, `npm pack`
 * makes the tarball, and it installs into an empty folder with no compiler on PATH (so a source
 * build would fail), loads through node-gyp-build and runs an op.
 */
import { execFileSync, execSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..', '..');
jest.setTimeout(600_000);

describe('npm pack → install without a compiler', () => {
  const work = mkdtempSync(join(tmpdir(), 'torchlet-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('prebuild, pack, install, require, run', () => {
    execSync('npm run prebuilds', { cwd: root, stdio: 'pipe' });
    const prebuildDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    const files = readdirSync(prebuildDir);
    expect(files).toContain('torchlet.glibc.node');
    // --strip removed the symbol table
    const syms = execSync(`nm ${join(prebuildDir, 'torchlet.glibc.node')} 2>&1 || true`).toString();
    expect(syms).toMatch(/no symbols/);

    const packed = JSON.parse(execSync(`npm pack --json --pack-destination ${work}`, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    const tarball = join(work, packed[0].filename);
    const names: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(names).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'binding.gyp', 'CMakeLists.txt',
      'native/sources.gypi', 'prebuilds/linux-x64/torchlet.glibc.node', 'README.md']));
    expect(names.some((n) => n.startsWith('test/') || n.startsWith('lib/'))).toBe(false);
    const size = statSync(tarball).size;
    // Reported for the issue note: the size users download.
    console.log(`tarball ${packed[0].filename}: ${(size / 1024).toFixed(1)} KiB packed, ${(packed[0].unpackedSize / 1024).toFixed(1)} KiB unpacked, ${names.length} files`);

    // A PATH with node, npm and sh only: no cc, g++, make or python, so node-gyp could not build.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const npmCli = execSync('npm root -g').toString().trim() + '/npm/bin/npm-cli.js';
    symlinkSync(npmCli, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));  // npm runs lifecycle scripts with sh
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
      expect(() => execFileSync(join(bin, 'sh'), ['-c', `command -v ${tool}`], { env: { PATH: bin } })).toThrow();
    }
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    execFileSync(join(bin, 'npm'), ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: app, env: { PATH: bin, HOME: process.env.HOME ?? work, npm_config_cache: process.env.npm_config_cache ?? '' }, stdio: 'pipe',
    });
    expect(existsSync(join(app, 'node_modules', 'torchlet', 'build'))).toBe(false);  // nothing was compiled
    const out = execFileSync(join(bin, 'node'), ['-e', `
      const torch = require('torchlet');
      const y = torch.ones(2, 3).matmul(torch.ones(3, 2)).sum();
      console.log(JSON.stringify({ y: y.item(), isa: torch.backend().isa }));
    `], { cwd: app, env: { PATH: bin } }).toString();
    const r = JSON.parse(out);
    expect(r.y).toBe(12);
    expect(['avx512', 'avx2', 'scalar', 'neon']).toContain(r.isa);
  });
});
