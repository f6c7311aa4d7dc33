/** Runtime information and thread control. */
import { native } from './native';

export interface Backend {
  /** torchlet's version. */
  version: string;
  /** The SIMD kernel set in use: 'avx512' | 'avx2' | 'neon' | 'scalar'. */
  isa: string;
  /** The best set this CPU supports, and every set it supports (for TORCHLET_ISA). */
  isaDetected: string;
  isaSupported: string[];
  /** Set when TORCHLET_ISA asked for something that could not be honoured. */
  isaNote: string;
  /** Threads a native op uses (setNumThreads). */
  threads: number;
  napiVersion: number;
  /** glibc malloc keeps large freed blocks for reuse (TORCHLET_MALLOC_TUNING=0 turns this off). */
  mallocTuned: boolean;
}

const pkg = require('../package.json') as { version: string };

/** Version, SIMD ISA in use and thread count. TORCHLET_ISA=scalar|avx2|avx512 forces an ISA at load. */
export function backend(): Backend {
  const b = native.backend();
  return {
    version: pkg.version, isa: b.isa, isaDetected: b.isaDetected, isaSupported: b.isaSupported,
    isaNote: b.isaNote, threads: b.threads, napiVersion: b.napiVersion, mallocTuned: b.mallocTuned,
  };
}

/** Threads used by native ops, process-wide (like torch.set_num_threads). Default: the machine's cores. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: n must be a positive integer, got ${n}`);
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Flush denormal floats to zero in the conv, linear, matmul, pooling and batch-norm kernels (like
 * torch.set_flush_denormal; off by default, as in PyTorch). Faster on x86 when denormals occur,
 * at the cost of results that differ from PyTorch's defaults. Process-wide.
 * @returns whether the CPU supports it (false leaves everything unchanged).
 */
export function setFlushDenormal(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new TypeError(`setFlushDenormal: on must be a boolean, got ${typeof on}`);
  return (native as unknown as { setFlushDenormal(on: boolean): boolean }).setFlushDenormal(on);
}
