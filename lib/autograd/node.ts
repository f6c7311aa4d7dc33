/**
 * A node of the dynamic graph (PyTorch's `grad_fn`): the op that produced one or more tensors, the
 * inputs it got its values from, and how to turn gradients of its outputs into gradients of its
 * inputs. Ops call `record` after computing their outputs.
 */
import type { Tensor } from '../tensor';
import { isGradEnabled } from './grad-mode';

/** Backward of one op: gradients of its outputs in, one gradient (or null) per input out. */
export type BackwardFn = (gradOutputs: (Tensor | null)[]) => ReadonlyArray<Tensor | null | undefined>;

/** A hook on a tensor's gradient: may return a replacement. */
export type TensorHook = (grad: Tensor) => Tensor | void | undefined;

export class Node {
  /** Op name, e.g. `MulBackward`. */
  readonly name: string;
  /** Inputs that carry gradient (null where an input did not require grad). */
  readonly inputs: (Tensor | null)[];
  /**
   * Per input: the node that produced it and its output slot, fixed when this node was recorded (an
   * in-place op may later give the input tensor a new history; this node still feeds the old one,
   * as PyTorch's edges). node null: the input is a leaf, whose gradient accumulates into it.
   */
  readonly edges: ({ node: Node | null; index: number } | null)[];
  /** Number of outputs; gradients arrive per output slot. */
  readonly numOutputs: number;
  /** Per output slot: hooks registered on that output tensor with `registerHook`. */
  readonly outputHooks: TensorHook[][];
  /** Runs before `backward` with the output grads; may replace them (module backward pre-hooks). */
  preHooks: ((gradOutputs: (Tensor | null)[]) => (Tensor | null)[] | void)[] = [];
  /** Runs after `backward` with (gradInputs, gradOutputs); may replace gradInputs (module backward hooks). */
  postHooks: ((gradInputs: (Tensor | null)[], gradOutputs: (Tensor | null)[]) => (Tensor | null)[] | void)[] = [];
  private fn: BackwardFn | null;
  private readonly versions: [Tensor, number][];

  constructor(name: string, inputs: (Tensor | null)[], numOutputs: number, fn: BackwardFn, saved: Tensor[]) {
    this.name = name;
    this.inputs = inputs;
    this.edges = inputs.map((t) => (t ? { node: t._gradFn, index: t._outputIndex } : null));
    this.numOutputs = numOutputs;
    this.outputHooks = Array.from({ length: numOutputs }, () => []);
    this.fn = fn;
    this.versions = saved.map((t) => [t, t._version]);
  }

  /** @internal Runs the backward function; the engine calls this once per pass. */
  apply(gradOutputs: (Tensor | null)[], retainGraph: boolean): (Tensor | null)[] {
    if (this.fn === null) {
      throw new Error(
        `${this.name}: trying to backward through the graph a second time (or directly access saved tensors ` +
          'after they have already been freed). Pass { retainGraph: true } to the first backward() if you ' +
          'need to backward through the graph a second time.',
      );
    }
    for (const [t, v] of this.versions) {
      if (t._disposed) {
        throw new Error(`${this.name}: a tensor of shape [${t.shape.join(', ')}] saved for backward has been disposed`);
      }
      if (t._version !== v) {
        throw new Error(
          `${this.name}: one of the variables needed for gradient computation has been modified by an inplace ` +
            `operation: tensor of shape [${t.shape.join(', ')}] is at version ${t._version}; expected version ${v}.`,
        );
      }
    }
    const out = this.fn(gradOutputs);
    if (!retainGraph) this.fn = null;  // frees the saved tensors with the closure
    return this.inputs.map((_, i) => out[i] ?? null);
  }

  /** @internal True once a backward pass without retainGraph has run through this node. */
  get released(): boolean {
    return this.fn === null;
  }
}

/** True when an op on these inputs should be recorded. */
export function needsGrad(...inputs: ReadonlyArray<Tensor | null | undefined>): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Records `outputs = op(inputs)` in the graph if grad mode is on and an input requires grad; the
 * outputs then require grad and point at the new node. `saved` lists exactly the tensors the
 * backward reads (inputs or outputs): an in-place change to one of them before backward is an error,
 * as PyTorch's saved-variable version check. Omitted, every input counts as saved (outputs never do).
 * Returns the node, or null when nothing was recorded.
 */
export function record(
  name: string,
  inputs: ReadonlyArray<Tensor | null | undefined>,
  outputs: Tensor[],
  backward: BackwardFn,
  saved?: Tensor[],
): Node | null {
  if (!needsGrad(...inputs)) return null;
  const edges = inputs.map((t) => (t && t.requiresGrad ? t : null));
  const check = saved ?? inputs.filter((t): t is Tensor => !!t);
  const node = new Node(name, edges, outputs.length, backward, check);
  outputs.forEach((o, i) => o._setGradFn(node, i));
  return node;
}
