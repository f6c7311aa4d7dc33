/**
 * The hook through which ops report themselves to `torch.jit.trace`. It imports nothing, so any op
 * module can call it without an import cycle; outside a trace it costs one null check per op.
 * @internal
 */
import type { Tensor } from '../tensor';

/** What a traced op reports: its kind, tensor inputs, output and the attributes a plan step needs. */
export interface TraceSink {
  op(kind: string, inputs: readonly Tensor[], output: Tensor, attrs?: Record<string, unknown>): void;
}

/** The active trace, or null. Read as `tracer.active` (a live binding). */
export const tracer: { active: TraceSink | null } = { active: null };
