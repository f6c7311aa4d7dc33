/** Runs scripts/fuzz.js with --json in a child process (shared by the test/fuzz tests). */
import { spawnSync } from 'child_process';
import { join } from 'path';

export const ROOT = join(__dirname, '..', '..');

export interface Entry { case: number; signal?: string | null; status?: number | null; repro?: string; call?: string; what?: string }
export interface Result {
  target: string; seed: number; cases: number; ok: number; threw: number; seconds: number;
  crashes: Entry[]; hangs: Entry[]; findings: Entry[]; internal: Entry[]; harness?: boolean;
  /** teardown target only */
  terminated?: number; busyAtTerminate?: number; asyncInFlight?: number; workerCases?: number;
}

export function fuzz(args: string[]): { results: Result[]; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'fuzz.js'), '--json', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 170_000, maxBuffer: 1 << 26,
  });
  const line = (r.stdout || '').trim().split('\n').pop() || '[]';
  return { results: JSON.parse(line) as Result[], status: r.status, stderr: r.stderr };
}
