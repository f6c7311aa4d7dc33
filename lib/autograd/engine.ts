/**
 * The backward pass: orders the graph reachable from the root, runs each node once all gradients
 * for its outputs have arrived, and accumulates into the `.grad` of leaves.
 */
import { sameShape } from '../shape';
import { Tensor } from '../tensor';
import { noGrad } from './grad-mode';
import type { Node } from './node';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (PyTorch's `retain_graph`). */
  retainGraph?: boolean;
}

function addGrads(a: Tensor | null, b: Tensor): Tensor {
  return a === null ? b : a.add(b);
}

function runHooks(hooks: readonly ((g: Tensor) => Tensor | void | undefined)[], g: Tensor): Tensor {
  for (const h of hooks) {
    const r = h(g);
    if (r !== undefined && r !== null) {
      if (!(r instanceof Tensor)) {
        throw new TypeError(`tensor hook must return a Tensor or undefined, got ${typeof r}`);
      }
      if (!sameShape(r.shape, g.shape)) {
        throw new Error(`hook returned a gradient of shape [${r.shape.join(', ')}], expected [${g.shape.join(', ')}]`);
      }
      g = r;
    }
  }
  return g;
}

/** Runs backward from `root` with initial gradient `grad`. Gradients are not themselves recorded. */
export function runBackward(root: Tensor, grad: Tensor, opts: BackwardOptions = {}): void {
  const retain = !!opts.retainGraph;
  noGrad(() => {
    const leafGrads = new Map<Tensor, Tensor>();
    // Storages a leaf's .grad must not take over (PyTorch's AccumulateGrad steals a gradient only
    // when nothing else holds it): the caller's gradient, every gradient handed to a node (a
    // backward may pass it through, or return a view of it), and anything a hook returned.
    // Everything else a backward returns is storage it allocated, which the leaf can keep instead
    // of copying (a 4 MiB weight gradient copy per step otherwise).
    const shared = new Set<unknown>([grad._storage]);
    if (root.gradFn === null) {
      leafGrads.set(root, grad);
    } else {
      // Count, for every node, how many edges point at it, so it runs after all its consumers.
      const deps = new Map<Node, number>();
      const stack: Node[] = [root.gradFn];
      const seen = new Set<Node>([root.gradFn]);
      while (stack.length) {
        const n = stack.pop()!;
        for (const e of n.edges) {
          const next = e?.node;
          if (!next) continue;
          deps.set(next, (deps.get(next) ?? 0) + 1);
          if (!seen.has(next)) {
            seen.add(next);
            stack.push(next);
          }
        }
      }
      const pending = new Map<Node, (Tensor | null)[]>();
      const slots = (n: Node) => {
        let s = pending.get(n);
        if (!s) pending.set(n, (s = new Array<Tensor | null>(n.numOutputs).fill(null)));
        return s;
      };
      slots(root.gradFn)[root._outputIndex] = grad;
      const ready: Node[] = [root.gradFn];
      while (ready.length) {
        const node = ready.pop()!;
        let gradOutputs = pending.get(node) ?? new Array<Tensor | null>(node.numOutputs).fill(null);
        pending.delete(node);
        let gradInputs: (Tensor | null)[];
        if (gradOutputs.every((g) => g === null)) {
          // No gradient reached this node; it still counts as done for the nodes below it.
          gradInputs = node.inputs.map(() => null);
        } else {
          gradOutputs = gradOutputs.map((g, i) =>
            g && node.outputHooks[i].length ? runHooks(node.outputHooks[i], g) : g);
          for (const h of node.preHooks) gradOutputs = h(gradOutputs) ?? gradOutputs;
          for (const g of gradOutputs) if (g) shared.add(g._storage);
          gradInputs = node.apply(gradOutputs, retain);
          for (const h of node.postHooks) gradInputs = h(gradInputs, gradOutputs) ?? gradInputs;
          if (node.postHooks.length) for (const g of gradInputs) if (g) shared.add(g._storage);
        }
        node.inputs.forEach((t, i) => {
          const e = node.edges[i];
          if (!t || !e) return;
          const g = gradInputs[i];
          if (e.node === null) {
            if (g) leafGrads.set(t, addGrads(leafGrads.get(t) ?? null, g));
            return;
          }
          const next = e.node;
          if (g) {
            const s = slots(next);
            s[e.index] = addGrads(s[e.index], g);
          }
          const left = deps.get(next)! - 1;
          deps.set(next, left);
          if (left === 0) ready.push(next);
        });
      }
    }
    for (const [leaf, g] of leafGrads) {
      if (leaf._disposed) {
        throw new Error(`backward: a leaf tensor of shape [${leaf.shape.join(', ')}] that requires grad has been disposed`);
      }
      const h = runHooks(leaf._hooks, g);
      if (!leaf.requiresGrad) continue;
      if (leaf.grad !== null) {
        leaf.grad.add_(h);
      } else if (h === g && !shared.has(h._storage) && h.isContiguous() && h._offset === 0 && h._storage!.length === h.numel() &&
        h._base === null && h.dtype === 'float32') {
        shared.add(h._storage);  // one leaf per storage
        leaf.grad = h;
      } else {
        leaf.grad = h.clone();
      }
    }
  });
}
