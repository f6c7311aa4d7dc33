/**
 * The user's install: `npm run prebuilds` writes a stripped, libc-tagged prebuild that loads on
 * glibc 2.28+ with no libstdc++ from the system, `npm pack` makes the tarball, and it installs into
 * an empty folder with no compiler on PATH (so a source build would fail), loads through
 * node-gyp-build and runs an op.
 */
import { execFileSync, execSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ALLOWED_NEEDED, loadNeeds, maxVersions, parseDynamicSymbols, tooNew } from './symbol-versions';

const root = join(__dirname, '..', '..');
jest.setTimeout(600_000);

describe('npm pack → install without a compiler', () => {
  const work = mkdtempSync(join(tmpdir(), 'torchlet-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // The release workflow runs this file on every platform it builds (.github/workflows/release.yml).
  const host = `${process.platform}-${process.arch}`;
  const prebuildDir = join(root, 'prebuilds', host);
  const musl = process.platform === 'linux' && existsSync('/etc/alpine-release');
  const binName = process.platform !== 'linux' ? 'torchlet.node' : musl ? 'torchlet.musl.node' : 'torchlet.glibc.node';
  const posix = process.platform !== 'win32';
  // linux-arm64 too when Debian's cross compiler is here (as on the release machine): the tarball
  // then carries both, as `npm run pack:release` makes it.
  const hasCross = process.platform === 'linux' && process.arch === 'x64' && !musl &&
    spawnSync('sh', ['-c', 'command -v aarch64-linux-gnu-g++']).status === 0;
  const folders = [host, ...(hasCross ? ['linux-arm64'] : [])];
  const shipped = [`prebuilds/${host}/${binName}`, ...(hasCross ? ['prebuilds/linux-arm64/torchlet.glibc.node'] : [])];
  beforeAll(() => {
    execSync('npm run prebuilds', { cwd: root, stdio: 'pipe' });
    if (hasCross) execSync('npm run prebuilds:arm64', { cwd: root, stdio: 'pipe' });
    else console.log('no aarch64-linux-gnu-g++: the tarball is checked for the host prebuild only');
  });

  test('npm pack refuses when a required prebuild is missing', () => {
    const r = spawnSync('npm', ['pack', '--dry-run'], {
      cwd: root, env: { ...process.env, TORCHLET_REQUIRE_PREBUILDS: `${folders.join(',')},sunos-x64` }, encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('refusing to pack');
    expect(r.stderr).toContain('prebuilds/sunos-x64/ has no .node file');
  });

  test('the checker sees a symbol version newer than the limits', () => {
    const objdumpT = [
      '0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.27) powf',
      '0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.34) pthread_create',
      '0000000000000000      DF *UND*\t0000000000000000 (GLIBCXX_3.4.30) _ZSt28__throw_bad_array_new_lengthv',
      '0000000000000000      DF *UND*\t0000000000000000 (CXXABI_1.3.9) _ZdlPvm',
      '0000000000000000 g    DF .text\t0000000000000010  Base        napi_register_module_v1',
    ].join('\n');
    const needs = { versions: parseDynamicSymbols(objdumpT), needed: [] };
    expect(maxVersions(needs)).toEqual({ GLIBC: '2.34', GLIBCXX: '3.4.30', CXXABI: '1.3.9' });
    expect(tooNew(needs)).toEqual(['GLIBCXX_3.4.30: _ZSt28__throw_bad_array_new_lengthv', 'GLIBC_2.34: pthread_create']);
  });

  (process.platform === 'linux' && !musl ? test : test.skip)('the linux prebuild needs at most GLIBC_2.28 and no libstdc++ (objdump -T)', () => {
    const needs = loadNeeds(join(prebuildDir, 'torchlet.glibc.node'));
    // Reported for the issue note: what the binary asks of the system.
    console.log(`prebuilds/${process.platform}-${process.arch}: needs ${JSON.stringify(maxVersions(needs))}, NEEDED ${needs.needed.join(' ')}`);
    expect(tooNew(needs)).toEqual([]);
    expect(needs.versions.GLIBCXX).toBeUndefined();  // libstdc++ is linked in
    expect(needs.versions.CXXABI).toBeUndefined();
    expect(needs.needed.filter((n) => !ALLOWED_NEEDED.includes(n))).toEqual([]);
    expect(Object.keys(needs.versions.GLIBC ?? {}).length).toBeGreaterThan(0);  // the parser read the table
  });

  test('prebuild, pack, install, require, run', () => {
    const files = readdirSync(prebuildDir);
    expect(files).toContain(binName);
    if (process.platform === 'linux') {
      // --strip removed the symbol table (on macOS strip -Sx keeps the exported ones)
      const syms = execSync(`nm ${join(prebuildDir, binName)} 2>&1 || true`).toString();
      expect(syms).toMatch(/no symbols/);
    }

    const packed = JSON.parse(execSync(`npm pack --json --pack-destination ${work}`, {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TORCHLET_REQUIRE_PREBUILDS: folders.join(',') },
    }).toString());
    const tarball = join(work, packed[0].filename);
    const names: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(names).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'binding.gyp', 'CMakeLists.txt',
      'native/sources.gypi', 'README.md', 'LICENSE', 'package.json', ...shipped]));
    // No tests, no TS sources, no source maps (they would point at the unshipped lib/*.ts), no build trees.
    expect(names.filter((n) => /^(test|lib|build|build-prebuild|scripts|bench|docs)\//.test(n) || /\.(map|test\.ts|tgz)$/.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('dist/') && n.endsWith('.js'))
      .filter((n) => /sourceMappingURL/.test(readFileSync(join(root, n), 'utf8')))).toEqual([]);
    const meta = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(meta.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect([typeof meta.repository?.url, typeof meta.bugs?.url, typeof meta.homepage]).toEqual(['string', 'string', 'string']);
    const size = statSync(tarball).size;
    // Reported for the issue note: the size users download.
    console.log(`tarball ${packed[0].filename}: ${(size / 1024).toFixed(1)} KiB packed, ${(packed[0].unpackedSize / 1024).toFixed(1)} KiB unpacked, ${names.length} files`);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const script = `
      const torch = require('torchlet');
      const y = torch.ones(2, 3).matmul(torch.ones(3, 2)).sum();
      console.log(JSON.stringify({ y: y.item(), isa: torch.backend().isa }));
    `;
    let out: string;
    if (!posix) {
      // Windows: the normal PATH; that nothing was compiled is checked by the missing build/ below.
      execSync(`npm install --prefer-offline --no-audit --no-fund "${tarball}"`, { cwd: app, stdio: 'pipe' });
      out = execFileSync(process.execPath, ['-e', script], { cwd: app }).toString();
      expect(existsSync(join(app, 'node_modules', 'torchlet', 'build'))).toBe(false);
    } else {
      out = installWithoutCompiler(app, tarball, script);
    }
    const r = JSON.parse(out);
    expect(r.y).toBe(12);
    expect(['avx512', 'avx2', 'scalar', 'neon']).toContain(r.isa);
  });

  /** A PATH with node, npm and sh only: no cc, g++, make or python, so node-gyp could not build. */
  function installWithoutCompiler(app: string, tarball: string, script: string): string {
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const npmCli = execSync('npm root -g').toString().trim() + '/npm/bin/npm-cli.js';
    symlinkSync(npmCli, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));  // npm runs lifecycle scripts with sh
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
      expect(() => execFileSync(join(bin, 'sh'), ['-c', `command -v ${tool}`], { env: { PATH: bin } })).toThrow();
    }
    execFileSync(join(bin, 'npm'), ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: app, env: { PATH: bin, HOME: process.env.HOME ?? work, npm_config_cache: process.env.npm_config_cache ?? '' }, stdio: 'pipe',
    });
    expect(existsSync(join(app, 'node_modules', 'torchlet', 'build'))).toBe(false);  // nothing was compiled
    return execFileSync(join(bin, 'node'), ['-e', script], { cwd: app, env: { PATH: bin } }).toString();
  }
});
