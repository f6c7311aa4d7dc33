/**
 * PyTorch's checkpoint format (`torch.save` since 1.6): a zip holding `<archive>/data.pkl` (the
 * pickled object, tensors as persistent references to storages), `<archive>/data/<key>` (each
 * storage's raw little-endian bytes) and `<archive>/version`. @internal
 */
import { Tensor } from '../tensor';
import { fmtShape } from '../shape';
import { decodeElems, ELEM_SIZE, FileDType, makeTensor, targetOf, tensorBytes } from './dtypes';
import { OP, PickleWriter, StorageRef, unpickle } from './pickle';
import { writeZip, ZipReader } from './zip';

const STORAGE_DTYPE: Record<string, FileDType> = {
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

interface Storage {
  dtype: FileDType;
  key: string;
  numel: number;
  bytes: Uint8Array;
}

const OUT_SIZE = { float32: 4, int64: 8, bool: 1 } as const;

/** True when `buf` starts like a zip file. */
export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

/** True when `buf` is a pre-1.6 (non-zip) torch.save file: a pickle starting with PyTorch's magic number. */
export function isLegacyTorch(buf: Uint8Array): boolean {
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}

/** Reads a PyTorch zip checkpoint. */
export function decodePt(buf: Uint8Array, path: string): unknown {
  const fail = (problem: string): never => {
    throw new Error(`torch.load: ${path} is not a loadable PyTorch checkpoint: ${problem}`);
  };
  const zip = new ZipReader(buf, fail);
  const pkls = [...zip.entries.keys()].filter((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
  if (pkls.length === 0) {
    if ([...zip.entries.keys()].some((n) => n.endsWith('constants.pkl'))) {
      fail('it is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save');
    }
    fail('no <archive>/data.pkl entry (not written by torch.save?)');
  }
  if (pkls.length > 1) fail(`it holds ${pkls.length} data.pkl entries`);
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  if (zip.entries.has(`${prefix}constants.pkl`)) fail('it is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save');
  const bo = zip.entries.has(`${prefix}byteorder`) ? Buffer.from(zip.read(`${prefix}byteorder`)).toString('latin1') : 'little';
  if (bo !== 'little') fail(`byte order "${bo}" is not supported (only little-endian)`);

  // No allocation proportional to a lying header: everything rebuilt is bounded by the file's size
  // (the widest conversion, int8 → int64, is 8×), plus room for small expanded tensors.
  let budget = 8 * buf.length + (64 << 20);
  const storages = new Map<string, Storage>();
  const tensors = new WeakSet<object>();
  const hooks = {
    persistentLoad(ref: StorageRef): Storage {
      const dtype = STORAGE_DTYPE[ref.storageType];
      const seen = storages.get(ref.key);
      if (seen) {
        if (seen.dtype !== dtype) fail(`storage ${ref.key} is referenced as both ${seen.dtype} and ${dtype}`);
        return seen;
      }
      const name = `${prefix}data/${ref.key}`;
      if (!zip.entries.has(name)) fail(`storage ${ref.key} (${name}) is missing`);
      const bytes = zip.read(name);
      const want = ref.numel * ELEM_SIZE[dtype];
      if (bytes.length !== want) {
        fail(`storage ${ref.key} should hold ${ref.numel} ${dtype} elements (${want} bytes) but ${name} has ${bytes.length} bytes`);
      }
      const s: Storage = { dtype, key: ref.key, numel: ref.numel, bytes };
      storages.set(ref.key, s);
      return s;
    },
    rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: boolean): Tensor {
      if (typeof storage !== 'object' || storage === null || !('bytes' in storage)) fail('a tensor is rebuilt from something that is not a storage');
      const st = storage as Storage;
      // Integers beyond 2^53 unpickle as bigint; the message must still format them.
      const ints = (v: unknown, what: string): number[] => {
        if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x >= 0)) fail(`a tensor of storage ${st.key} has an invalid ${what} ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x))}`);
        return v as number[];
      };
      const shape = ints(size, 'size'), strides = ints(stride, 'stride');
      if (strides.length !== shape.length) fail(`a tensor of storage ${st.key} has ${shape.length} sizes but ${strides.length} strides`);
      if (!Number.isSafeInteger(offset) || (offset as number) < 0) fail(`a tensor of storage ${st.key} has an invalid storage offset ${String(offset)}`);
      const off = offset as number;
      let n = 1, last = off;
      for (let i = 0; i < shape.length; i++) {
        n *= shape[i];
        last += (shape[i] - 1) * strides[i];
      }
      const target = targetOf(st.dtype);
      if (n > 0) {
        if (last >= st.numel) {
          fail(`a tensor of shape ${fmtShape(shape)}, strides ${fmtShape(strides)} at offset ${off} reaches element ${last} but storage ${st.key} holds only ${st.numel} (storage shorter than the tensor claims)`);
        }
        budget -= n * OUT_SIZE[target];
        if (!(n < 2 ** 31) || budget < 0) fail(`a tensor of shape ${fmtShape(shape)} is too large for a ${buf.length}-byte file`);
      }
      let data: Float32Array | BigInt64Array | Uint8Array;
      const es = ELEM_SIZE[st.dtype];
      let contiguous = true;
      for (let i = shape.length - 1, s = 1; i >= 0; i--) {
        if (shape[i] !== 1 && strides[i] !== s) contiguous = false;
        s *= shape[i];
      }
      if (n === 0) {
        data = decodeElems(new Uint8Array(0), st.dtype, 0);
      } else if (contiguous) {
        data = decodeElems(st.bytes.subarray(off * es, (off + n) * es), st.dtype, n);
      } else {
        // Decode the span the view covers, then gather (a transposed weight saved as is).
        const span = decodeElems(st.bytes.subarray(off * es, (last + 1) * es), st.dtype, last + 1 - off);
        data = new (span.constructor as { new (n: number): typeof span })(n);
        const idx = new Array<number>(shape.length).fill(0);
        let src = 0;
        for (let i = 0; i < n; i++) {
          (data as unknown as number[])[i] = (span as unknown as number[])[src];
          for (let d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
              src += strides[d];
              break;
            }
            src -= (shape[d] - 1) * strides[d];
            idx[d] = 0;
          }
        }
      }
      const t = makeTensor(data, shape);
      if (requiresGrad && target === 'float32') t.requiresGrad_(true);
      tensors.add(t);
      return t;
    },
    isTensor(v: unknown): boolean {
      return typeof v === 'object' && v !== null && tensors.has(v);
    },
  };
  return unpickle(zip.read(pkls[0]), hooks, fail);
}

const STORAGE_NAME = { F32: 'FloatStorage', I64: 'LongStorage', BOOL: 'BoolStorage' } as const;

/**
 * Writes `obj` (tensors, numbers, strings, booleans, null, arrays, plain objects) as a PyTorch zip
 * checkpoint. Records whose values are all tensors are written as `collections.OrderedDict` (what
 * `state_dict()` returns); keys that are canonical non-negative integers (`"0"`, `"12"`) are written as
 * Python ints, so an optimizer's `state` keys are what PyTorch's `load_state_dict` expects.
 */
export function encodePt(obj: unknown): Buffer {
  const w = new PickleWriter();
  const files: { name: string; data: Uint8Array }[] = [];
  const keys = new Map<Tensor, string>();
  const stack: unknown[] = [];
  const write = (v: unknown, where: string): void => {
    if (v === null || v === undefined) {
      w.op(OP.NONE);
    } else if (typeof v === 'boolean') {
      w.op(v ? OP.NEWTRUE : OP.NEWFALSE);
    } else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.int(v);
      else w.float(v);
    } else if (typeof v === 'bigint') {
      w.int(v);
    } else if (typeof v === 'string') {
      w.str(v);
    } else if (v instanceof Tensor) {
      let key = keys.get(v);
      const { dtype, bytes } = tensorBytes(v);
      if (key === undefined) {
        key = String(files.length);
        keys.set(v, key);
        files.push({ name: `archive/data/${key}`, data: bytes });
      }
      w.global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
      w.op(OP.MARK).str('storage').global('torch', STORAGE_NAME[dtype]).str(key).str('cpu').int(v.numel()).op(OP.TUPLE).op(OP.BINPERSID);
      w.int(0);
      w.op(OP.MARK);
      for (const s of v.shape) w.int(s);
      w.op(OP.TUPLE).op(OP.MARK);
      for (let i = 0, s = 1, st: number[] = []; i <= v.shape.length; i++) {
        if (i === v.shape.length) {
          for (const x of st.reverse()) w.int(x);
          break;
        }
        st.push(s);
        s *= Math.max(v.shape[v.shape.length - 1 - i], 1);
      }
      w.op(OP.TUPLE).op(v.requiresGrad ? OP.NEWTRUE : OP.NEWFALSE);
      w.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
      w.op(OP.TUPLE).op(OP.REDUCE);
    } else if (typeof v === 'object') {
      if (stack.includes(v)) throw new TypeError(`torch.save: ${where} contains itself (a cycle cannot be saved)`);
      stack.push(v);
      if (v instanceof Uint8Array) {
        w.global('_codecs', 'encode').op(OP.MARK).str(Buffer.from(v).toString('latin1')).str('latin1').op(OP.TUPLE).op(OP.REDUCE);
      } else if (Array.isArray(v)) {
        if (Object.isFrozen(v)) {
          w.op(OP.MARK);
          v.forEach((x, i) => write(x, `${where}[${i}]`));
          w.op(OP.TUPLE);
        } else {
          w.op(OP.EMPTY_LIST).op(OP.MARK);
          v.forEach((x, i) => write(x, `${where}[${i}]`));
          w.op(OP.APPENDS);
        }
      } else {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) {
          throw new TypeError(`torch.save: ${where} is a ${proto?.constructor?.name ?? 'object'}; only tensors, numbers, strings, booleans, null, arrays and plain objects can be saved`);
        }
        const entries = Object.entries(v as Record<string, unknown>);
        if (entries.length > 0 && entries.every(([, x]) => x instanceof Tensor)) {
          w.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
        } else {
          w.op(OP.EMPTY_DICT);
        }
        if (entries.length) {
          w.op(OP.MARK);
          for (const [k, x] of entries) {
            if (/^(0|[1-9][0-9]{0,14})$/.test(k)) w.int(Number(k));
            else w.str(k);
            write(x, `${where}.${k}`);
          }
          w.op(OP.SETITEMS);
        }
      }
      stack.pop();
    } else {
      throw new TypeError(`torch.save: ${where} is a ${typeof v}, which cannot be saved`);
    }
  };
  write(obj, 'the object');
  const pkl = w.finish();
  return writeZip([
    { name: 'archive/data.pkl', data: pkl },
    { name: 'archive/byteorder', data: Buffer.from('little') },
    ...files,
    { name: 'archive/version', data: Buffer.from('3\n') },
  ]);
}
