/**
 * `torch.save` / `torch.load`: PyTorch zip checkpoints (`.pt`/`.pth`) and safetensors, told apart by
 * their first bytes on load and by the file extension (or `format`) on save.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'fs';
import { Tensor } from '../tensor';
import { decodePt, encodePt, isLegacyTorch, isZip } from './pt';
import { decode, encode, SaveOptions as SafetensorsSaveOptions } from './safetensors';

export { loadMetadata, encode, decode, parseHeader } from './safetensors';
export type { SafetensorsInfo } from './safetensors';
export { encodePt, decodePt } from './pt';

export interface SaveOptions extends SafetensorsSaveOptions {
  /**
   * `'pt'`: PyTorch's zip checkpoint (anything made of tensors, numbers, strings, arrays and plain
   * objects); `'safetensors'`: a flat record of tensors. Default: `'pt'` for a path ending in `.pt`,
   * `.pth`, `.ckpt` or `.tar`, else `'safetensors'`.
   */
  format?: 'pt' | 'safetensors';
}

function isTensorRecord(obj: unknown): obj is Record<string, Tensor> {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj) && Object.values(obj).every((v) => v instanceof Tensor);
}

/**
 * Writes `obj` to `path`: a state dict, an optimizer state dict, or a checkpoint mixing them with
 * plain values (`{ model: model.stateDict(), optimizer: opt.stateDict(), epoch }`). The file is written
 * under a temporary name and renamed, so a crash never leaves a half-written file at `path`.
 * @example torch.save(model.stateDict(), 'lenet.pth');  // loads in PyTorch with torch.load
 */
export function save(obj: unknown, path: string, opts: SaveOptions = {}): void {
  let format = opts.format;
  if (format !== undefined && format !== 'pt' && format !== 'safetensors') {
    throw new TypeError(`torch.save: format must be 'pt' or 'safetensors', got ${JSON.stringify(format)}`);
  }
  if (typeof path !== 'string') throw new TypeError(`torch.save: path must be a string, got ${typeof path}`);
  format ??= /\.(pt|pth|ckpt|tar)$/i.test(path) ? 'pt' : 'safetensors';
  let buf: Buffer;
  if (format === 'safetensors') {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new TypeError(`torch.save: expected a record of tensors for safetensors, got ${obj === null ? 'null' : Array.isArray(obj) ? 'an array' : typeof obj}; save to a .pt file for other objects`);
    }
    if (!isTensorRecord(obj)) {
      const bad = typeof obj === 'object' && obj !== null ? Object.entries(obj).find(([, v]) => !(v instanceof Tensor)) : undefined;
      throw new TypeError(`torch.save: ${bad ? `value for "${bad[0]}" is not a Tensor` : 'not a record of tensors'} (safetensors holds only a flat record of tensors; save to a .pt path, or pass { format: 'pt' }, for nested checkpoints)`);
    }
    buf = encode(obj, opts);
  } else {
    if (opts.metadata) throw new TypeError('torch.save: metadata is only stored in safetensors files');
    buf = encodePt(obj);
  }
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, buf);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw new Error(`torch.save: cannot write ${path}: ${(e as Error).message.replace(tmp, path)}`);
  }
}

/**
 * Reads a PyTorch checkpoint (`torch.save` zip format, PyTorch ≥ 1.6) or a safetensors file, from a
 * path or a buffer. A checkpoint is read as PyTorch's `torch.load(..., weights_only=True)` reads it:
 * tensors, dicts, lists, tuples (frozen arrays), numbers and strings; any other Python object is
 * refused with an error naming it, and nothing in the file is executed. float16/bfloat16/float64
 * become float32; int64 stays int64 (and bool bool) where the tensor core has those dtypes.
 * @example model.loadStateDict(torch.load('resnet18.pth'));
 * @example const ckpt = torch.load<{ model: Record<string, Tensor>; epoch: number }>('ckpt.pt');
 */
export function load<T = Record<string, Tensor>>(pathOrBuffer: string | Uint8Array): T {
  let buf: Uint8Array;
  let path: string;
  if (typeof pathOrBuffer === 'string') {
    path = pathOrBuffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw new Error(`torch.load: cannot read ${path}: ${(e as Error).message}`);
    }
  } else if (pathOrBuffer instanceof Uint8Array) {
    path = '<buffer>';
    buf = pathOrBuffer;
  } else {
    throw new TypeError(`torch.load: expected a path or a Buffer, got ${pathOrBuffer === null ? 'null' : typeof pathOrBuffer}`);
  }
  if (isZip(buf)) return decodePt(buf, path) as T;
  if (isLegacyTorch(buf)) {
    throw new Error(`torch.load: ${path} uses PyTorch's legacy (pre-1.6, non-zip) format, which torchlet does not read; ` +
      're-save it in PyTorch with torch.save(torch.load(path), new_path) (the zip format is the default since 1.6)');
  }
  return decode(buf, path).tensors as unknown as T;
}
