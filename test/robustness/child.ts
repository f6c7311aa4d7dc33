/**
 * Runs a snippet in a fresh Node process, so a segfault/abort shows up as a failed test with its
 * signal instead of killing jest. Two flavours:
 * - runNative(code): `N` is the raw addon (node-gyp-build on the repository root).
 * - runLib(code): `torch` is lib/index.ts, transpiled on the fly with the repository's TypeScript
 *   (no dependency on a possibly stale dist/).
 * The snippet's last expression value is not used: it should print with `out(...)`. A thrown JS error
 * is reported as { threw: { name, message } }.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';

export const ROOT = join(__dirname, '..', '..');

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The error the snippet threw (JS level), if any. */
  threw: { name: string; message: string } | null;
  /** Lines the snippet printed with out(). */
  out: unknown[];
  stderr: string;
  /** One-line summary for failure messages. */
  summary: string;
}

const PRELUDE = `
const __outs = [];
const out = (v) => __outs.push(v);
const __done = (threw) => { process.stdout.write('@@RESULT@@' + JSON.stringify({ threw, out: __outs }) + '\\n'); };
`;

const TS_HOOK = `
{
  const ts = require(${JSON.stringify(join(ROOT, 'node_modules', 'typescript'))});
  const fs = require('fs');
  require.extensions['.ts'] = (m, f) => {
    const src = fs.readFileSync(f, 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true } }).outputText;
    m._compile(js, f);
  };
}
`;

function run(setup: string, code: string, timeoutMs: number): ChildResult {
  const body = `${PRELUDE}${setup}
(async () => {
  try { ${code}\n; __done(null); }
  catch (e) { __done({ name: e && e.constructor ? e.constructor.name : typeof e, message: String(e && e.message) }); }
})();`;
  const r = spawnSync(process.execPath, ['-e', body], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  let threw: ChildResult['threw'] = null;
  let outs: unknown[] = [];
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line) ({ threw, out: outs } = JSON.parse(line.slice('@@RESULT@@'.length)));
  const summary =
    `status=${r.status} signal=${r.signal}` + (threw ? ` threw ${threw.name}: ${threw.message}` : line ? ' (no throw)' : ' (no result: crashed?)') +
    (r.stderr ? ` stderr=${r.stderr.slice(0, 300)}` : '');
  return { status: r.status, signal: r.signal, threw, out: outs, stderr: r.stderr || '', summary };
}

/** `N` is the raw native addon. */
export function runNative(code: string, timeoutMs = 30000): ChildResult {
  return run(`const N = require(${JSON.stringify(join(ROOT, 'node_modules', 'node-gyp-build'))})(${JSON.stringify(ROOT)});`, code, timeoutMs);
}

/** `torch` is the library (lib/index.ts, transpiled in the child). */
export function runLib(code: string, timeoutMs = 60000): ChildResult {
  return run(`${TS_HOOK}\nconst torch = require(${JSON.stringify(join(ROOT, 'lib', 'index.ts'))});`, code, timeoutMs);
}

/**
 * The contract for a bad call: the process survives (exit 0, no signal) and the snippet threw a JS
 * error whose message matches `msg`.
 */
export function expectCleanThrow(r: ChildResult, msg: RegExp): void {
  if (r.signal !== null || r.status !== 0) throw new Error(`process died: ${r.summary}`);
  if (!r.threw) throw new Error(`expected a thrown error matching ${msg}, but the call returned: ${r.summary}`);
  if (!msg.test(r.threw.message)) throw new Error(`error message ${JSON.stringify(r.threw.message)} does not match ${msg}`);
}
