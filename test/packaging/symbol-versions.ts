/**
 * Reads what a Linux prebuild needs from the system at load time (`objdump -T` version tags and
 * `objdump -p` NEEDED entries), and the limits it must stay within to load wherever Node 18+ runs:
 * glibc 2.28 (the oldest glibc Node's own linux binaries support: Debian 10, RHEL 8, Ubuntu 20.04)
 * and GCC 8's runtime libraries (libstdc++ GLIBCXX_3.4.25 / CXXABI_1.3.11, libgcc_s GCC_7.0.0).
 */
import { execFileSync } from 'child_process';

export const LIMITS: Record<string, string> = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11', GCC: '7.0.0' };

/** The libraries a prebuild may link dynamically: glibc's own, and libgcc_s (part of every glibc system). */
export const ALLOWED_NEEDED = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'libgcc_s.so.1',
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1'];

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The objdump that reads this file's architecture: binutils' host objdump reads only its own. */
export function objdumpFor(file: string): string {
  const head = execFileSync('file', ['-b', file]).toString();
  return /aarch64/.test(head) && process.arch !== 'arm64' ? 'aarch64-linux-gnu-objdump' : 'objdump';
}

export interface LoadNeeds {
  /** family (GLIBC, GLIBCXX, CXXABI, GCC) → version → the undefined symbols that need it */
  versions: Record<string, Record<string, string[]>>;
  needed: string[];
}

/** Parses `objdump -T` lines such as `0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.27) powf`. */
export function parseDynamicSymbols(objdumpT: string): LoadNeeds['versions'] {
  const versions: LoadNeeds['versions'] = {};
  for (const line of objdumpT.split('\n')) {
    const m = /\*UND\*\s+\S+\s+\(?(GLIBC|GLIBCXX|CXXABI|GCC)_([0-9.]+)\)?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, family, version, name] = m;
    ((versions[family] ??= {})[version] ??= []).push(name);
  }
  return versions;
}

export function loadNeeds(file: string): LoadNeeds {
  const objdump = objdumpFor(file);
  const versions = parseDynamicSymbols(execFileSync(objdump, ['-T', file]).toString());
  const needed = [...execFileSync(objdump, ['-p', file]).toString().matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);
  return { versions, needed };
}

/** Every needed version above its family's limit, as "GLIBC_2.34: pthread_create, ..." lines (empty when portable). */
export function tooNew(needs: LoadNeeds): string[] {
  const out: string[] = [];
  for (const [family, byVersion] of Object.entries(needs.versions)) {
    for (const [version, names] of Object.entries(byVersion)) {
      if (compareVersions(version, LIMITS[family]) > 0) out.push(`${family}_${version}: ${names.join(', ')}`);
    }
  }
  return out.sort();
}

/** The highest version needed in each family, e.g. { GLIBC: '2.27', GCC: '4.2.0' }. */
export function maxVersions(needs: LoadNeeds): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [family, byVersion] of Object.entries(needs.versions)) {
    out[family] = Object.keys(byVersion).sort(compareVersions).at(-1)!;
  }
  return out;
}
