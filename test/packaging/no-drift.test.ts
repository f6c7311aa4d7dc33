/** binding.gyp and CMakeLists.txt build one source list with one N-API version: they cannot drift. */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('one source list, one N-API version', () => {
  const gypi = JSON.parse(read('native/sources.gypi')) as { sources: string[] };

  test('sources.gypi lists exactly the .cc files under native/', () => {
    const onDisk = walk(join(root, 'native')).filter((p) => p.endsWith('.cc')).map((p) => relative(join(root, 'native'), p)).sort();
    expect([...gypi.sources].sort()).toEqual(onDisk);
  });

  test('binding.gyp includes sources.gypi and takes the N-API version from package.json', () => {
    const gyp = read('binding.gyp');
    expect(gyp).toContain('"includes": ["native/sources.gypi"]');
    expect(gyp).toContain("require('./package.json').binary.napi_versions[0]");
    expect(gyp).not.toMatch(/"sources"/);
  });

  test('CMakeLists.txt reads the same two files', () => {
    const cmake = read('CMakeLists.txt');
    expect(cmake).toContain('file(READ "${CMAKE_CURRENT_SOURCE_DIR}/native/sources.gypi" _gypi)');
    expect(cmake).toContain('string(JSON TORCHLET_NAPI_VERSION GET "${_pkg}" binary napi_versions 0)');
    expect(cmake).not.toMatch(/\.cc\b(?!\\")/);
  });

  test('package.json is the only place the N-API version number is written', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.binary.napi_versions).toEqual([expect.any(Number)]);
    const files = ['binding.gyp', 'CMakeLists.txt', ...walk(join(root, 'native')).map((p) => relative(root, p))];
    for (const f of files) {
      expect([f, /NAPI_VERSION\s*[=:]\s*\d/.test(read(f))]).toEqual([f, false]);
    }
  });
});

describe('op codes', () => {
  test('lib/native.ts mirrors native/core/ops.h', () => {

    const { UnaryOp, BinaryOp, ReduceOp } = require('../../lib/native');
    const header = read('native/core/ops.h');
    const enums: Record<string, number> = {};
    for (const m of header.matchAll(/\bk([A-Z][A-Za-z]*) = (\d+)/g)) enums[m[1]] = Number(m[2]);
    const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
    for (const [name, code] of Object.entries({ ...UnaryOp, ...BinaryOp, ...ReduceOp })) {
      expect([name, enums[cap(name)]]).toEqual([name, code]);
    }
    expect(enums.UnaryCount).toBe(Object.keys(UnaryOp).length);
    expect(enums.BinaryCount).toBe(Object.keys(BinaryOp).length);
    expect(enums.ReduceCount).toBe(Object.keys(ReduceOp).length);
  });
});

describe('npm scripts', () => {
  const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;
  test('every `node <file>` script points at a file that exists', () => {
    const targets = Object.values(scripts).flatMap((cmd) => [...cmd.matchAll(/\bnode ((?:\.\/)?[\w./-]+\.js)\b/g)].map((m) => m[1]));
    expect(targets.length).toBeGreaterThan(3);
    expect(targets.filter((t) => !existsSync(join(root, t)))).toEqual([]);
  });

  test('`npm run fixtures` runs every generator in scripts/fixtures', () => {
    expect(scripts.fixtures).toContain('scripts/fixtures/gen_*.py');
    expect(readdirSync(join(root, 'scripts', 'fixtures')).filter((f) => /^gen_.*\.py$/.test(f)).length).toBeGreaterThan(0);
  });
});
