/**
 * `torch.jit.trace`: records one eval-mode forward of a model into a native plan that runs
 * synchronously (`plan(x)`) or off the event loop (`await plan.runAsync(x, { signal })`).
 *
 * As PyTorch's trace, control flow is frozen: the plan replays the ops this one forward ran. Every
 * op reports itself through lib/jit/tracer.ts; an op a plan cannot replay (or a value computed
 * outside the traced ops, or an in-place write it cannot follow) makes the trace fail with an error
 * naming it, never a silently different plan. Dim 0 is the batch: the plan runs any batch size.
 * Fusions: batch norm folded into the preceding convolution, ReLU fused into conv / linear /
 * batch norm / add.
 */
import { noGrad } from '../autograd/grad-mode';
import { native } from '../native';
import { fmtShape, numel, sameShape } from '../shape';
import { Tensor } from '../tensor';
import type { Module } from '../nn/module';
import { tracer, TraceSink } from './tracer';

type Handle = object;
/** A fused activation: its code in native/core/activation_ext.h (-1: none) and parameters a, b. */
type Act = [code: number, a: number, b: number];
const NO_ACT: Act = [-1, 0, 0];
const RELU: Act = [0, 0, 0];
interface PlanBinding {
  planCreate(inputSize: number): Handle;
  planValue(h: Handle, size: number): number;
  planConv(h: Handle, i: number, o: number, params: Int32Array, w: Float32Array, b: Float32Array | null, ...act: Act): void;
  planPool(h: Handle, kind: number, i: number, o: number, params: Int32Array): void;
  planAdaptiveAvg(h: Handle, i: number, o: number, c: number, hh: number, ww: number, oh: number, ow: number): void;
  planLinear(h: Handle, i: number, o: number, rows: number, inF: number, outF: number, w: Float32Array,
    b: Float32Array | null, ...act: Act): void;
  planAffine(h: Handle, i: number, o: number, c: number, hw: number, scale: Float32Array, shift: Float32Array, ...act: Act): void;
  planAdd(h: Handle, a: number, b: number, o: number, ...act: Act): void;
  planRelu(h: Handle, i: number, o: number): void;
  planAct(h: Handle, i: number, o: number, ...act: Act): void;
  planFinish(h: Handle, output: number): void;
  planRun(h: Handle, x: Float32Array, n: number, out: Float32Array): void;
  planRunAsync(h: Handle, x: Float32Array, n: number, out: Float32Array): { promise: Promise<void>; cancel: Handle };
  planCancel(c: Handle): void;
  planDispose(h: Handle): void;
  paramLayouts: Record<'conv2d' | 'pool2d', readonly string[]>;
}
const planNative = native as unknown as PlanBinding;

const SUPPORTED = 'conv2d, batchNorm (eval), relu and the activations of nn.functional (relu6, hardswish, silu, gelu, ' +
  'leakyRelu, elu, mish, hardsigmoid, softplus, softsign; also in place), maxPool2d, avgPool2d, adaptiveAvgPool2d, linear, ' +
  'add of two tensors of one shape (also in place), reshape/view/flatten, dropout and identity in eval mode';

interface Rec { kind: string; ins: number[]; out: number; attrs: Record<string, unknown> }

class TraceError extends Error {}

/** Maps the tensors of one forward to value ids and records the ops between them. */
class Recorder implements TraceSink {
  readonly ids = new Map<Tensor, number | string>();  // a string: why that tensor cannot be replayed
  readonly sizes: number[] = [];  // per value id: elements per sample
  readonly recs: Rec[] = [];
  private writable: Tensor | null = null;

  constructor(readonly batch: number, x: Tensor) {
    this.ids.set(x, 0);
    this.sizes.push(numel(x.shape.slice(1)));
  }

  idOf(kind: string, t: Tensor): number {
    const v = this.ids.get(t);
    if (typeof v === 'number') return v;
    throw new TraceError(typeof v === 'string'
      ? `${kind} reads a tensor computed by ${v}, which plans do not support yet (supported: ${SUPPORTED})`
      : `${kind} reads a tensor of shape ${fmtShape(t.shape)} that was not computed from the traced input by an op ` +
        `plans support (a tensor made inside forward, or an unsupported op; supported: ${SUPPORTED})`);
  }

  private newValue(kind: string, out: Tensor): number | null {
    if (out.dtype !== 'float32' || out.shape.length === 0 || out.shape[0] !== this.batch) {
      this.ids.set(out, `${kind} giving ${out.dtype} of shape ${fmtShape(out.shape)} (plans keep dim 0 as the batch of ${this.batch})`);
      return null;
    }
    this.sizes.push(numel(out.shape.slice(1)));
    return this.sizes.length - 1;
  }

  /** Every tensor object currently bound to value `id` (reshapes of one buffer share an id). */
  private rebind(id: number, to: number | string): void {
    for (const [t, v] of this.ids) if (v === id) this.ids.set(t, to);
  }

  op(kind: string, inputs: readonly Tensor[], out: Tensor, attrs: Record<string, unknown> = {}): void {
    if (kind.startsWith('write:')) {
      if (this.writable === out) { this.writable = null; return; }
      const v = this.ids.get(out);
      // A write plans cannot follow changes a value (and its reshapes) in eager mode only.
      if (typeof v === 'number') this.rebind(v, `the in-place ${kind.slice(6)}`);
      return;
    }
    if (kind === 'alias') {
      const v = this.ids.get(inputs[0]);
      if (typeof v !== 'number') { if (v !== undefined) this.ids.set(out, v); return; }
      if (!inputs[0]._contig || !out._contig || out.shape.length === 0 || out.shape[0] !== this.batch) {
        this.ids.set(out, `a ${String(attrs.op)} to ${fmtShape(out.shape)} (plans keep dim 0 as the batch of ${this.batch})`);
      } else this.ids.set(out, v);
      return;
    }
    const supported = ['conv2d', 'batchNorm', 'relu', 'act', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'linear', 'add'];
    if (!supported.includes(kind) || (kind === 'add' && !sameShape(inputs[0].shape, inputs[1].shape))) {
      const why = kind === 'add' ? 'an add with broadcasting' : kind;
      if (inputs[0] === out) {
        const v = this.ids.get(out);
        if (typeof v === 'number') this.rebind(v, `the in-place ${why}`);
        this.writable = out;
      } else this.ids.set(out, why);
      return;
    }
    const ins = inputs.map((t) => this.idOf(kind, t));
    const id = this.newValue(kind, out);
    if (id === null) return;
    this.recs.push({ kind, ins, out: id, attrs });
    if (inputs[0] === out) {
      // A traced in-place op: the buffer (and every reshape of it) now holds the new value.
      this.rebind(ins[0], id);
      this.writable = out;
    } else this.ids.set(out, id);
  }
}

/** A traced plan: call it like the model, or `runAsync` it off the event loop. */
export interface Plan {
  (input: Tensor): Tensor;
  /** Runs on a libuv worker (the kernels use the native thread pool); the event loop stays free. */
  runAsync(input: Tensor, opts?: { signal?: AbortSignal }): Promise<Tensor>;
  /**
   * Dynamic batching: the returned function takes one request's input (batch 1 or more) and
   * resolves with its rows of the output; concurrent calls are concatenated into one runAsync of
   * at most `maxBatch` rows (default 32), waiting at most `maxDelayMs` (default 1) for more.
   */
  batched(opts?: { maxBatch?: number; maxDelayMs?: number }): (input: Tensor) => Promise<Tensor>;
  /** Frees the plan's weights once the runs in flight finish; calls afterwards throw. */
  dispose(): void;
  /** One line per native step, e.g. `conv2d+batchNorm+relu [64, 56, 56]`. */
  readonly steps: readonly string[];
}

export interface TraceOptions {
  /** Run the plan on the example and compare with the model's output (PyTorch's check_trace). Default true. */
  checkTrace?: boolean;
}

function weightData(t: Tensor | null | undefined): Float32Array | null {
  return t ? Float32Array.from(t.float().storage) : null;
}

function withParam(layout: readonly string[], params: Int32Array, name: string, value: number): Int32Array {
  const p = params.slice();
  p[layout.indexOf(name)] = value;
  return p;
}

/** Batch norm in eval mode as y = x * scale + shift per channel (float64 arithmetic, once). */
function bnAffine(a: Record<string, unknown>): { scale: Float64Array; shift: Float64Array } {
  const c = a.c as number, eps = a.eps as number;
  const mean = (a.runningMean as Tensor).float().storage, vr = (a.runningVar as Tensor).float().storage;
  const g = weightData(a.weight as Tensor | null), b = weightData(a.bias as Tensor | null);
  const scale = new Float64Array(c), shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = (g ? g[i] : 1) / Math.sqrt(vr[i] + eps);
    shift[i] = (b ? b[i] : 0) - mean[i] * scale[i];
  }
  return { scale, shift };
}

function build(rec: Recorder, outId: number, inShape: readonly number[]): { handle: Handle; steps: string[] } {
  const { recs, batch } = rec;
  const consumers = new Map<number, number[]>();
  recs.forEach((r, i) => r.ins.forEach((v) => consumers.set(v, [...(consumers.get(v) ?? []), i])));
  const only = (v: number, kind: string): number => {
    const c = consumers.get(v) ?? [];
    return v !== outId && c.length === 1 && recs[c[0]].kind === kind ? c[0] : -1;
  };
  const layouts = planNative.paramLayouts;
  const h = planNative.planCreate(numel(inShape.slice(1)));
  const nativeId = new Map<number, number>([[0, 0]]);
  const nid = (v: number): number => {
    let n = nativeId.get(v);
    if (n === undefined) nativeId.set(v, (n = planNative.planValue(h, rec.sizes[v])));
    return n;
  };
  const absorbed = new Set<number>();
  const steps: string[] = [];
  try {
    recs.forEach((r, i) => {
      if (absorbed.has(i)) return;
      let out = r.out;
      const names = [r.kind];
      let bn: Record<string, unknown> | null = null;
      if (r.kind === 'conv2d') {
        const j = only(out, 'batchNorm');
        if (j >= 0) { absorbed.add(j); bn = recs[j].attrs; out = recs[j].out; names.push('batchNorm'); }
      }
      let act = NO_ACT;
      if (['conv2d', 'linear', 'add', 'batchNorm'].includes(r.kind)) {
        let k = only(out, 'relu');
        if (k < 0) k = only(out, 'act');
        if (k >= 0) {
          const ka = recs[k].attrs;
          absorbed.add(k);
          out = recs[k].out;
          act = recs[k].kind === 'relu' ? RELU : [ka.code as number, ka.a as number, ka.b as number];
          names.push(recs[k].kind === 'relu' ? 'relu' : String(ka.name).replace(/_$/, ''));
        }
      }
      const a = r.attrs;
      const src = nid(r.ins[0]);
      switch (r.kind) {
        case 'conv2d': {
          const w = weightData(a.weight as Tensor)!;
          const oc = (a.weight as Tensor).shape[0];
          let b = weightData(a.bias as Tensor | null);
          if (bn) {
            const { scale, shift } = bnAffine(bn);
            const per = w.length / oc;
            for (let o = 0; o < oc; o++) for (let q = 0; q < per; q++) w[o * per + q] *= scale[o];
            const nb = new Float32Array(oc);
            for (let o = 0; o < oc; o++) nb[o] = (b ? b[o] : 0) * scale[o] + shift[o];
            b = nb;
          }
          planNative.planConv(h, src, nid(out), withParam(layouts.conv2d, a.params as Int32Array, 'n', 1), w, b, ...act);
          break;
        }
        case 'batchNorm': {
          const { scale, shift } = bnAffine(a);
          planNative.planAffine(h, src, nid(out), a.c as number, a.hw as number, Float32Array.from(scale),
            Float32Array.from(shift), ...act);
          break;
        }
        case 'maxPool2d':
        case 'avgPool2d': {
          const p = a.params as Int32Array;
          const planes = p[layouts.pool2d.indexOf('planes')] / batch;
          planNative.planPool(h, r.kind === 'maxPool2d' ? 0 : 1, src, nid(out), withParam(layouts.pool2d, p, 'planes', planes));
          break;
        }
        case 'adaptiveAvgPool2d':
          planNative.planAdaptiveAvg(h, src, nid(out), a.c as number, a.h as number, a.w as number, a.oh as number, a.ow as number);
          break;
        case 'linear':
          planNative.planLinear(h, src, nid(out), (a.rows as number) / batch, a.inF as number, a.outF as number,
            weightData(a.weight as Tensor)!, weightData(a.bias as Tensor | null), ...act);
          break;
        case 'add':
          planNative.planAdd(h, src, nid(r.ins[1]), nid(out), ...act);
          break;
        case 'relu':
          planNative.planRelu(h, src, nid(out));
          break;
        case 'act':
          planNative.planAct(h, src, nid(out), a.code as number, a.a as number, a.b as number);
          names[0] = String(a.name).replace(/_$/, '');
          break;
      }
      steps.push(`${names.join('+')} [${rec.sizes[out]}]`);
    });
    planNative.planFinish(h, nid(outId));
  } catch (e) {
    planNative.planDispose(h);
    throw e;
  }
  return { handle: h, steps };
}

/**
 * `torch.jit.trace(model, exampleInput)`: records one forward in eval mode (the model's modes are
 * restored afterwards) under noGrad into a native plan. The example's dim 0 is the batch; the plan
 * accepts any batch size with the same trailing dims. Throws, naming the op, when the forward uses
 * something a plan cannot replay.
 * @example
 * const plan = torch.jit.trace(model, torch.randn(1, 1, 28, 28));
 * const logits = await plan.runAsync(batch);
 */
export function trace(model: Module | ((x: Tensor) => Tensor), example: Tensor | readonly Tensor[], opts: TraceOptions = {}): Plan {
  const op = 'torch.jit.trace';
  const inputs = Array.isArray(example) ? example : [example];
  if (inputs.length !== 1 || !(inputs[0] instanceof Tensor)) {
    throw new TypeError(`${op}: plans take exactly one input tensor, got ${Array.isArray(example) ? `${inputs.length} inputs` : typeof example}`);
  }
  const x = inputs[0] as Tensor;
  if (x.dtype !== 'float32' || x.dim() < 1 || x.shape[0] < 1) {
    throw new TypeError(`${op}: the example must be a float32 tensor with a batch dim, got ${x.dtype} of shape ${fmtShape(x.shape)}`);
  }
  if (typeof model !== 'function') throw new TypeError(`${op}: expected a module or function, got ${typeof model}`);
  const modules = typeof (model as Module).modules === 'function' ? [...(model as Module).modules()] : [];
  const modes = modules.map((m) => m.training);
  if (tracer.active !== null) throw new Error(`${op}: a trace is already running (traces do not nest)`);
  const rec = new Recorder(x.shape[0], x);
  let y: unknown;
  try {
    for (const m of modules) m.training = false;
    tracer.active = rec;
    y = noGrad(() => (model as (x: Tensor) => Tensor)(x));
  } catch (e) {
    if (e instanceof TraceError) throw new Error(`${op}: ${e.message}`);
    throw e;
  } finally {
    tracer.active = null;
    modules.forEach((m, i) => { m.training = modes[i]; });
  }
  if (!(y instanceof Tensor)) throw new TypeError(`${op}: forward must return one Tensor, got ${y === null ? 'null' : typeof y}`);
  let outId: number;
  try {
    outId = rec.idOf('the output of forward', y);
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`);
  }
  if (outId === 0) throw new Error(`${op}: forward returns its input unchanged; there is nothing to plan`);
  const inShape = [...x.shape];
  const outTail = y.shape.slice(1);
  const outSize = numel(outTail);
  const { handle, steps } = build(rec, outId, inShape);
  let live = true;
  const check = (input: unknown, what: string): Tensor => {
    if (!live) throw new Error(`${what}: the plan has been disposed`);
    if (!(input instanceof Tensor)) throw new TypeError(`${what}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
    if (input.dtype !== 'float32') throw new TypeError(`${what}: expected a float32 input, got ${input.dtype}`);
    if (input.dim() !== inShape.length || input.shape[0] < 1 || !sameShape(input.shape.slice(1), inShape.slice(1))) {
      throw new RangeError(`${what}: expected input of shape [N, ${inShape.slice(1).join(', ')}] (traced with ${fmtShape(inShape)}), got ${fmtShape(input.shape)}`);
    }
    return input;
  };
  const run = (input: Tensor): Tensor => {
    const t = check(input, 'plan');
    const n = t.shape[0];
    const out = new Float32Array(n * outSize);
    planNative.planRun(handle, t.storage, n, out);
    return new Tensor(out, [n, ...outTail]);
  };
  const runAsync = async (input: Tensor, o: { signal?: AbortSignal } = {}): Promise<Tensor> => {
    const t = check(input, 'plan.runAsync');
    const signal = o?.signal;
    if (signal?.aborted) throw abortError();
    const n = t.shape[0];
    const out = new Float32Array(n * outSize);
    const { promise, cancel } = planNative.planRunAsync(handle, t.storage, n, out);
    const onAbort = () => planNative.planCancel(cancel);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await promise;
      return new Tensor(out, [n, ...outTail]);
    } catch (e) {
      if ((e as { code?: string }).code === 'ABORT_ERR') (e as Error).name = 'AbortError';
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  const batched = (bo: { maxBatch?: number; maxDelayMs?: number } = {}) => {
    const maxBatch = bo.maxBatch ?? 32, maxDelayMs = bo.maxDelayMs ?? 1;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`plan.batched: maxBatch must be a positive integer, got ${maxBatch}`);
    if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0)) throw new RangeError(`plan.batched: maxDelayMs must be a non-negative number, got ${maxDelayMs}`);
    type Item = { x: Tensor; resolve: (t: Tensor) => void; reject: (e: unknown) => void };
    let queue: Item[] = [], rows = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      const items = queue;
      queue = [];
      rows = 0;
      if (items.length === 0) return;
      const n = items.reduce((s, it) => s + it.x.shape[0], 0);
      const x = new Float32Array(n * numel(inShape.slice(1)));
      let off = 0;
      for (const it of items) { const d = it.x.storage; x.set(d, off); off += d.length; }
      runAsync(new Tensor(x, [n, ...inShape.slice(1)])).then((y) => {
        const d = y.storage;
        let r = 0;
        for (const it of items) {
          const k = it.x.shape[0];
          it.resolve(new Tensor(d.slice(r * outSize, (r + k) * outSize), [k, ...outTail]));
          r += k;
        }
      }, (e) => items.forEach((it) => it.reject(e)));
    };
    return (input: Tensor): Promise<Tensor> => {
      const t = check(input, 'plan.batched');
      return new Promise<Tensor>((resolve, reject) => {
        queue.push({ x: t, resolve, reject });
        rows += t.shape[0];
        if (rows >= maxBatch) flush();
        else if (timer === null) timer = setTimeout(flush, maxDelayMs);
      });
    };
  };
  const plan = Object.assign(run, {
    runAsync,
    batched,
    dispose: () => { if (live) { live = false; planNative.planDispose(handle); } },
    steps: Object.freeze(steps),
  }) as Plan;
  if (opts.checkTrace !== false) {
    const got = plan(x).storage, want = y.storage;
    let maxDiff = 0, scale = 0;
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(got[i]) && Number.isNaN(want[i])) continue;
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    if (!(maxDiff <= 1e-3 * scale + 1e-4)) {
      plan.dispose();
      throw new Error(`${op}: the plan's output differs from forward's by up to ${maxDiff} (scale ${scale}); please report this`);
    }
  }
  return plan;
}

function abortError(): Error {
  const e = new Error('plan.runAsync: aborted') as Error & { code: string };
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  return e;
}
