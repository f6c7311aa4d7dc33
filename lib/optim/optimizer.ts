/**
 * `torch.optim.Optimizer`: parameter groups with per-group options, per-parameter state, `zeroGrad`,
 * and `stateDict`/`loadStateDict` in PyTorch's structure
 * (`{ state: { 0: {...} }, param_groups: [{ lr, ..., params: [0, 1] }] }`, snake_case keys, tensors as
 * Tensors), so `torch.save(opt.stateDict(), 'opt.pt')` writes what PyTorch's `optimizer.state_dict()`
 * holds and a PyTorch optimizer checkpoint loads back.
 *
 * Updates run as in-place tensor ops under `noGrad` (one native call per elementary step, no
 * per-element JavaScript), following PyTorch's single-tensor (non-foreach) implementations.
 */
import { enableGrad, noGrad } from '../autograd/grad-mode';
import { fmtShape, sameShape } from '../shape';
import { Tensor } from '../tensor';

/** One parameter group: its tensors plus the options (lr, momentum, ...) that apply to them. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;

  [option: string]: any;
}

/** What a constructor accepts: tensors (one group), or groups `{ params, ...options }`. */
export type ParamsInput = Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> | Tensor; [option: string]: unknown }>;

/** State of one parameter (momentum buffers, moments, step count...). */
export type ParamState = Record<string, Tensor | number | null>;

/** PyTorch's state dict layout. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number | null>>;

  param_groups: Array<Record<string, any> & { params: number[] }>;
}

export function camelToSnake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function snakeToCamel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export abstract class Optimizer<Options extends { lr: number } = { lr: number }> {
  /** Default options, applied to groups that do not set them. */
  readonly defaults: Options;
  /** The parameter groups, each with its options (mutable: schedulers change `lr`). */
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state, keyed by the parameter tensor. */
  readonly state = new Map<Tensor, ParamState>();
  /** @internal name used in messages */
  protected abstract readonly name: string;

  constructor(params: ParamsInput, defaults: Options) {
    this.defaults = { ...defaults };
    if (params instanceof Tensor) {
      throw new TypeError('params argument given to the optimizer should be an iterable of Tensors or objects, but got a Tensor');
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('optimizer: params must be an iterable of Tensors (e.g. model.parameters()) or of parameter groups');
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list) this.addParamGroup(g as { params: Iterable<Tensor> | Tensor });
  }

  /** Adds a group `{ params, ...options }`; missing options take the defaults. */
  addParamGroup(group: { params: Iterable<Tensor> | Tensor; [option: string]: unknown }): void {
    if (typeof group !== 'object' || group === null || !('params' in group)) {
      throw new TypeError('addParamGroup: a parameter group must be an object with a params field');
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    const own = new Set<Tensor>();
    for (const p of params) {
      if (seen.has(p)) throw new Error('some parameters appear in more than one parameter group');
      if (own.has(p)) throw new Error('optimizer: a parameter group contains the same tensor twice');
      own.add(p);
    }
    const full: ParamGroup = { ...(this.defaults as object), ...group, params } as ParamGroup;
    if (typeof full.lr !== 'number') throw new TypeError(`Invalid learning rate: lr must be a number, got ${typeof full.lr} ${JSON.stringify(full.lr)}`);
    if (!(full.lr >= 0)) throw new RangeError(`Invalid learning rate: ${full.lr}`);
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  /** Checks a group's options (subclasses). */
  protected validateGroup(_group: ParamGroup): void {}

  /**
   * Resets the gradients of all optimized tensors: sets them to null (default, as PyTorch 2.x), or to
   * zero with `setToNone = false`.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else noGrad(() => p.grad!.zero_());
      }
    }
  }

  /**
   * Performs one optimisation step. `closure` (optional) re-evaluates the model and returns the loss;
   * it runs with grad enabled, and its result is returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /** Updates the parameters of one group (subclasses; runs under noGrad). */
  protected abstract updateGroup(group: ParamGroup): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * The optimizer's state in PyTorch's layout: parameters are numbered in group order; state tensors
   * are shared with the optimizer (not copies), as in PyTorch.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const groups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        out[camelToSnake(k)] = Array.isArray(v) ? [...v] : v;
      }
      out.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, next++);
        return index.get(p)!;
      });
      return out as Record<string, unknown> & { params: number[] };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const o: Record<string, Tensor | number | null> = {};
      for (const [k, v] of Object.entries(s)) o[camelToSnake(k)] = v;
      state[i] = o;
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict produced by `stateDict()` (or PyTorch's, with tensors as torchlet Tensors).
   * Group sizes must match; state tensors are copied.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.param_groups) || typeof sd.state !== 'object') {
      throw new TypeError('loadStateDict: expected { state, param_groups } as returned by stateDict()');
    }
    const saved = sd.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`loaded state dict has a different number of parameter groups (${saved.length}, optimizer has ${this.paramGroups.length})`);
    }
    saved.forEach((g, i) => {
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[i].params.length) {
        throw new Error(`loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${g.params?.length} vs ${this.paramGroups[i].params.length})`);
      }
    });
    const byId = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id: number, j: number) => byId.set(id, this.paramGroups[i].params[j])));
    const newState = new Map<Tensor, ParamState>();
    for (const [id, s] of Object.entries(sd.state)) {
      const p = byId.get(Number(id));
      if (!p) continue;
      const st: ParamState = {};
      if (typeof s !== 'object' || s === null) throw new TypeError(`loadStateDict: state of parameter ${id} is not an object`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          // PyTorch keeps the step count as a 0-d tensor (1.12+); torchlet keeps a number.
          if (k === 'step' && v.numel() === 1) {
            st.step = v.item();
            continue;
          }
          if (!sameShape(v.shape, p.shape) && v.numel() !== 1) {
            throw new RangeError(`loadStateDict: state "${k}" of parameter ${id} has shape ${fmtShape(v.shape)}, parameter has ${fmtShape(p.shape)}`);
          }
          st[snakeToCamel(k)] = v.numel() === 1 && !sameShape(v.shape, p.shape) ? v.item() : new Tensor(v.toFloat32Array(), v.shape);
        } else if (v === null || typeof v === 'number') {
          st[snakeToCamel(k)] = v;
        } else {
          // e.g. a state dict sent through JSON: its tensors became plain objects or arrays
          throw new TypeError(`loadStateDict: state "${k}" of parameter ${id} is ${Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`}, not a Tensor or number; ` +
            'save optimizer state with torch.save (a JSON round trip turns its tensors into plain objects)');
        }
      }
      newState.set(p, st);
    }
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    saved.forEach((g, i) => {
      const target = this.paramGroups[i];
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        target[snakeToCamel(k)] = Array.isArray(v) ? [...v] : v;
      }
    });
  }

  toString(): string {
    const lines = [`${this.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) {
        const v = g[k];
        lines.push(`    ${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
      }
    });
    lines.push(')');
    return lines.join('\n');
  }
}
