/**
 * A restricted pickle reader, and the small pickle writer `torch.save` needs. @internal
 *
 * The reader accepts what PyTorch's `weights_only=True` unpickler accepts (its opcode list; protocol
 * 2, which `torch.save` writes), and only the globals needed to rebuild dense tensors, ordered dicts
 * and primitive containers. A pickle normally names any Python callable and calls it (`os.system`
 * via REDUCE); here a global is only a name looked up in a fixed table, and anything not in it is
 * refused before it is used. Nothing in the file is ever executed.
 *
 * Python values map to JS as: None → null, bool, int → number (bigint beyond 2^53), float → number,
 * str → string, list → array, tuple → frozen array, dict/OrderedDict → plain object (keys: strings,
 * ints as their decimal string), set → Set, bytes/bytearray → Uint8Array.
 */

/** A storage reference (BINPERSID), resolved by the container format. */
export interface StorageRef {
  storageType: string; // e.g. 'FloatStorage'
  key: string;
  location: string;
  numel: number;
}

export interface UnpickleHooks {
  /** Resolves `('storage', type, key, location, numel)`. */
  persistentLoad(ref: StorageRef): unknown;
  /** `_rebuild_tensor_v2(storage, offset, size, stride, ...)`. */
  rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: boolean): unknown;
  /** Is `v` a tensor built by rebuildTensor? */
  isTensor(v: unknown): boolean;
}

/** A global the table allows; a value on the stack, never a callable. */
class PyGlobal {
  constructor(readonly path: string) {}
}

/** An allowed callable not yet applied: what REDUCE/NEWOBJ may call. */
const CALLABLE = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'torch.nn.parameter.Parameter',
  'torch.Size',
  'torch.device',
  '_codecs.encode',
  'builtins.set',
  'builtins.bytearray',
]);

/** Storage classes (the dtype of a persistent storage), PyTorch's legacy names. */
export const STORAGE_TYPES = new Set([
  'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage',
  'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage',
]);

/** Classes allowed as values only (types passed to rebuild functions). */
const MARKERS = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

const DTYPE_GLOBALS = new Set(['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']);

function isAllowed(path: string): boolean {
  if (CALLABLE.has(path) || MARKERS.has(path)) return true;
  if (path.startsWith('torch.') && STORAGE_TYPES.has(path.slice(6))) return true;
  if (path.startsWith('torch.') && DTYPE_GLOBALS.has(path.slice(6))) return true;
  return false;
}

const OP_NAMES: Record<number, string> = {
  0x80: 'PROTO', 0x2e: 'STOP', 0x63: 'GLOBAL', 0x52: 'REDUCE', 0x62: 'BUILD', 0x81: 'NEWOBJ', 0x28: 'MARK',
  0x74: 'TUPLE', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x29: 'EMPTY_TUPLE', 0x5d: 'EMPTY_LIST',
  0x7d: 'EMPTY_DICT', 0x8f: 'EMPTY_SET', 0x61: 'APPEND', 0x65: 'APPENDS', 0x73: 'SETITEM', 0x75: 'SETITEMS',
  0x4e: 'NONE', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x4a: 'BININT', 0x4b: 'BININT1', 0x4d: 'BININT2',
  0x47: 'BINFLOAT', 0x58: 'BINUNICODE', 0x55: 'SHORT_BINSTRING', 0x51: 'BINPERSID', 0x68: 'BINGET',
  0x6a: 'LONG_BINGET', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x8a: 'LONG1',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Unpickles `data` under the restrictions above. `fail(problem)` throws the caller's error (naming
 * the file).
 */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks, fail: (problem: string) => never): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dicts = new WeakSet<object>();
  const memo = new Map<number, unknown>();
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  let pos = 0;
  let op = 0;
  const need = (n: number) => {
    if (pos + n > data.length) fail(`pickle data ends inside ${OP_NAMES[op] ?? 'an opcode'} at byte ${pos} (truncated?)`);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(`pickle opcode ${OP_NAMES[op]} at byte ${pos - 1} finds an empty stack (corrupt data)`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`pickle opcode ${OP_NAMES[op]} at byte ${pos - 1} finds an empty stack (corrupt data)`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    if (metastack.length === 0) fail(`pickle opcode ${OP_NAMES[op]} at byte ${pos - 1} has no MARK before it (corrupt data)`);
    const items = stack;
    stack = metastack.pop()!;
    return items;
  };
  const readLine = (): string => {
    const start = pos;
    while (pos < data.length && data[pos] !== 0x0a) pos++;
    if (pos >= data.length) fail('pickle GLOBAL name is not terminated (truncated?)');
    const s = Buffer.from(data.buffer, data.byteOffset + start, pos - start).toString('latin1');
    pos++;
    return s;
  };
  const newDict = (): Record<string, unknown> => {
    const d: Record<string, unknown> = {};
    dicts.add(d);
    return d;
  };
  const setItem = (d: unknown, k: unknown, v: unknown) => {
    if (typeof d !== 'object' || d === null || !dicts.has(d)) fail(`pickle ${OP_NAMES[op]} targets ${describe(d)}, not a dict (corrupt data)`);
    let key: string;
    if (typeof k === 'string') key = k;
    else if (typeof k === 'number' && Number.isInteger(k)) key = String(k);
    else if (typeof k === 'bigint') key = k.toString();
    else return fail(`dict key of type ${describe(k)} is not supported (only str and int keys load)`);
    // defineProperty: a key "__proto__" stays a key
    Object.defineProperty(d, key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  const refuse = (path: string): never =>
    fail(`refused global ${path}: only state dicts (tensors, numbers, strings, lists, dicts) load; ` +
      'a checkpoint naming any other Python object (a pickled nn.Module, a function, os/builtins calls) is not read, ' +
      'and nothing in it is executed; save model.state_dict() instead');
  const globalOf = (v: unknown, what: string): string => {
    if (!(v instanceof PyGlobal)) return fail(`pickle ${what} applies ${describe(v)}, which is not a callable (corrupt data)`);
    return v.path;
  };
  const tuple = (items: unknown[]) => Object.freeze(items);
  const isTuple = (v: unknown): v is readonly unknown[] => Array.isArray(v) && Object.isFrozen(v);

  const call = (path: string, args: unknown): unknown => {
    if (!isTuple(args)) fail(`arguments to ${path} are ${describe(args)}, not a tuple (corrupt data)`);
    switch (path) {
      case 'collections.OrderedDict': {
        const d = newDict();
        if (args.length === 1 && Array.isArray(args[0])) {
          for (const kv of args[0] as unknown[]) {
            if (!Array.isArray(kv) || kv.length !== 2) fail('OrderedDict items must be (key, value) pairs');
            setItem(d, kv[0], kv[1]);
          }
        } else if (args.length !== 0) {
          fail(`collections.OrderedDict called with ${args.length} arguments`);
        }
        return d;
      }
      case 'torch._utils._rebuild_tensor_v2':
        if (args.length < 6 || args.length > 7) fail(`_rebuild_tensor_v2 expects 6 or 7 arguments, got ${args.length}`);
        if (args[5] !== null && !(typeof args[5] === 'object' && dicts.has(args[5] as object) && Object.keys(args[5] as object).length === 0)) {
          fail('tensors with backward hooks are not supported');
        }
        return hooks.rebuildTensor(args[0], args[1], args[2], args[3], args[4] === true);
      case 'torch._utils._rebuild_tensor':
        if (args.length !== 4) fail(`_rebuild_tensor expects 4 arguments, got ${args.length}`);
        return hooks.rebuildTensor(args[0], args[1], args[2], args[3], false);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
      case 'torch.nn.parameter.Parameter': {
        const t = args[0];
        if (!hooks.isTensor(t)) fail(`${path} expects a tensor, got ${describe(t)}`);
        const rg = args.length > 1 ? args[1] : true;
        if (typeof rg !== 'boolean') fail(`${path}: requires_grad must be a bool`);
        (t as { requiresGrad_?(b: boolean): unknown }).requiresGrad_?.(rg);
        return t;
      }
      case 'torch._tensor._rebuild_from_type_v2': {
        // (func, new_type, args, state): a plain Tensor or Parameter rebuilt by an allowed function
        if (args.length !== 4) fail(`_rebuild_from_type_v2 expects 4 arguments, got ${args.length}`);
        const fn = globalOf(args[0], '_rebuild_from_type_v2');
        const type = args[1] instanceof PyGlobal ? args[1].path : describe(args[1]);
        if (!MARKERS.has(type)) refuse(type);
        if (!CALLABLE.has(fn) || fn === 'torch._tensor._rebuild_from_type_v2') refuse(fn);
        const st = args[3];
        if (st !== null && !(typeof st === 'object' && dicts.has(st as object) && Object.keys(st as object).length === 0)) {
          fail('tensor subclasses with Python attributes are not supported');
        }
        return call(fn, args[2]);
      }
      case 'torch.Size':
        if (args.length !== 1 || !Array.isArray(args[0])) fail('torch.Size expects one tuple');
        return tuple([...(args[0] as unknown[])]);
      case 'torch.device':
        if (!args.every((a) => typeof a === 'string' || typeof a === 'number')) fail('torch.device expects a string');
        return args.join(':');
      case '_codecs.encode':
        // how protocol 2 spells bytes: encode(latin-1 text, 'latin1')
        if (args.length !== 2 || typeof args[0] !== 'string' || (args[1] !== 'latin1' && args[1] !== 'latin-1')) {
          fail('_codecs.encode is only accepted as the bytes encoding encode(str, "latin1")');
        }
        return new Uint8Array(Buffer.from(args[0] as string, 'latin1'));
      case 'builtins.set':
        if (args.length === 0) return new Set();
        if (args.length !== 1 || !Array.isArray(args[0])) fail('set expects one list');
        return new Set(args[0] as unknown[]);
      case 'builtins.bytearray':
        if (args.length === 0) return new Uint8Array(0);
        if (args.length !== 1 || !(args[0] instanceof Uint8Array)) fail('bytearray expects bytes');
        return new Uint8Array(args[0] as Uint8Array);
      default:
        return refuse(path);
    }
  };

  for (;;) {
    if (pos >= data.length) fail('pickle data ends without STOP (truncated?)');
    op = data[pos++];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if (data[pos] > 5) fail(`pickle protocol ${data[pos]} is not supported`);
        pos++;
        break;
      case 0x2e: { // STOP
        const v = pop();
        return v;
      }
      case 0x63: { // GLOBAL
        let module = readLine();
        const name = readLine();
        if (module === '__builtin__') module = 'builtins';
        const path = `${module}.${name}`;
        if (!isAllowed(path)) refuse(path);
        stack.push(new PyGlobal(path));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = globalOf(pop(), 'REDUCE');
        if (!CALLABLE.has(fn)) refuse(fn);
        stack.push(call(fn, args));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = globalOf(pop(), 'NEWOBJ');
        if (cls !== 'torch.nn.parameter.Parameter' && cls !== 'collections.OrderedDict' && cls !== 'torch.Size') refuse(cls);
        stack.push(call(cls, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const inst = top();
        if (typeof inst === 'object' && inst !== null && dicts.has(inst)) {
          // OrderedDict's __dict__: a state dict's `_metadata` (module versions); kept out of the keys.
          if (state !== null && (typeof state !== 'object' || !dicts.has(state as object))) fail('BUILD state of an OrderedDict must be a dict');
          if (state) Object.defineProperty(inst, '_metadata', { value: (state as Record<string, unknown>)._metadata, enumerable: false, configurable: true, writable: true });
        } else if (hooks.isTensor(inst)) {
          // Parameter.__setstate__ / tensor __dict__: only the empty state PyTorch writes for plain tensors
          if (state !== null && !(typeof state === 'object' && dicts.has(state as object) && Object.keys(state as object).length === 0)) {
            fail('tensors with Python attributes are not supported');
          }
        } else {
          fail(`pickle BUILD on ${describe(inst)}: only tensors and OrderedDicts can be built`);
        }
        break;
      }
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x74: { const t = tuple(popMark()); stack.push(t); break; } // TUPLE (popMark swaps the stack: call it first)
      case 0x85: { const a = pop(); stack.push(tuple([a])); break; }
      case 0x86: { const b = pop(), a = pop(); stack.push(tuple([a, b])); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(tuple([a, b, c])); break; }
      case 0x29: stack.push(tuple([])); break;
      case 0x5d: stack.push([]); break;
      case 0x7d: stack.push(newDict()); break;
      case 0x8f: stack.push(new Set()); break;
      case 0x61: { // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l) || isTuple(l)) fail(`pickle APPEND targets ${describe(l)}, not a list (corrupt data)`);
        (l as unknown[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l) || isTuple(l)) fail(`pickle APPENDS targets ${describe(l)}, not a list (corrupt data)`);
        for (const v of items) (l as unknown[]).push(v);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop(), k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('pickle SETITEMS has an odd number of items (corrupt data)');
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: need(4); stack.push(dv.getInt32(pos, true)); pos += 4; break;
      case 0x4b: need(1); stack.push(data[pos]); pos += 1; break;
      case 0x4d: need(2); stack.push(dv.getUint16(pos, true)); pos += 2; break;
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break;
      case 0x58: { // BINUNICODE
        need(4);
        const n = dv.getUint32(pos, true);
        pos += 4;
        need(n);
        let s: string;
        try {
          s = utf8.decode(data.subarray(pos, pos + n));
        } catch {
          return fail(`pickle string at byte ${pos} is not valid UTF-8`);
        }
        pos += n;
        stack.push(s);
        break;
      }
      case 0x55: { // SHORT_BINSTRING (Python 2 str; PyTorch decodes it as ASCII)
        need(1);
        const n = data[pos++];
        need(n);
        const b = data.subarray(pos, pos + n);
        if (b.some((c) => c > 0x7f)) fail(`pickle byte string at byte ${pos} is not ASCII`);
        stack.push(Buffer.from(b).toString('latin1'));
        pos += n;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
          fail(`persistent id ${describe(pid)} is not a storage reference ('storage', type, key, location, numel)`);
        }
        const [, type, key, location, numel] = pid;
        const tname = type instanceof PyGlobal && type.path.startsWith('torch.') ? type.path.slice(6) : '';
        if (!STORAGE_TYPES.has(tname)) fail(`storage type ${describe(type)} is not supported`);
        if (typeof key !== 'string' || typeof location !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
          fail('storage reference has an invalid key, location or size');
        }
        stack.push(hooks.persistentLoad({ storageType: tname, key, location, numel }));
        break;
      }
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const n = op === 0x68 ? 1 : 4;
        need(n);
        const i = n === 1 ? data[pos] : dv.getUint32(pos, true);
        pos += n;
        if (!memo.has(i)) fail(`pickle memo entry ${i} is read before it is written (corrupt data)`);
        stack.push(memo.get(i));
        break;
      }
      case 0x71: case 0x72: { // BINPUT, LONG_BINPUT
        const n = op === 0x71 ? 1 : 4;
        need(n);
        const i = n === 1 ? data[pos] : dv.getUint32(pos, true);
        pos += n;
        memo.set(i, top());
        break;
      }
      case 0x8a: { // LONG1
        need(1);
        const n = data[pos++];
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + i]);
        if (n > 0 && data[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      default:
        fail(`pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1} is not allowed (only the opcodes PyTorch's weights_only loader accepts are read)`);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return v.path;
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'a tuple' : 'a list';
  if (v instanceof Set) return 'a set';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return (v as object).constructor?.name === 'Tensor' ? 'a tensor' : 'a dict';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Builds a protocol-2 pickle, the subset `torch.save` emits. */
export class PickleWriter {
  private chunks: Buffer[] = [];

  constructor() {
    this.chunks.push(Buffer.from([0x80, 2]));
  }

  op(code: number): this {
    this.chunks.push(Buffer.from([code]));
    return this;
  }

  global(module: string, name: string): this {
    this.chunks.push(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
    return this;
  }

  int(v: number | bigint): this {
    if (typeof v === 'number' && v >= 0 && v < 256) return this.bytes([0x4b, v]);
    if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a;
      b.writeInt32LE(v, 1);
      this.chunks.push(b);
      return this;
    }
    // LONG1: little-endian two's complement, minimal length
    let x = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const byte = Number(x & 0xffn);
      out.push(byte);
      x >>= 8n;
      if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
    }
    return this.bytes([0x8a, out.length, ...out]);
  }

  float(v: number): this {
    const b = Buffer.alloc(9);
    b[0] = 0x47;
    b.writeDoubleBE(v, 1);
    this.chunks.push(b);
    return this;
  }

  str(s: string): this {
    const u = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(u.length, 1);
    this.chunks.push(h, u);
    return this;
  }

  private bytes(b: number[]): this {
    this.chunks.push(Buffer.from(b));
    return this;
  }

  finish(): Buffer {
    this.op(0x2e);
    return Buffer.concat(this.chunks);
  }
}

export const OP = {
  MARK: 0x28, TUPLE: 0x74, EMPTY_TUPLE: 0x29, EMPTY_LIST: 0x5d, EMPTY_DICT: 0x7d, APPENDS: 0x65, SETITEMS: 0x75,
  REDUCE: 0x52, BINPERSID: 0x51, NONE: 0x4e, NEWTRUE: 0x88, NEWFALSE: 0x89,
} as const;
