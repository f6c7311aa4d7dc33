/**
 * Spatial rearrangements of NCHW tensors, as PyTorch: `F.pixelShuffle` and zero padding
 * (`F.zeroPad2d`, the 'constant' mode of F.pad with value 0). Each is one index-mapping pass
 * forward and its inverse backward.
 */
import { needsGrad, record } from '../autograd/node';
import { fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { checkTensor, uninit } from './nn-util';

/** `F.pixelShuffle(input, upscaleFactor)`: [*, C r^2, H, W] -> [*, C, H r, W r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixelShuffle';
  checkTensor(op, input, 'input');
  const r = upscaleFactor;
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`${op}: upscaleFactor must be a positive integer, got ${JSON.stringify(r)}`);
  const s = input.shape;
  if (s.length < 3) throw new RangeError(`${op}: expected input of at least 3 dims (*, C, H, W), got input${fmtShape(s)}`);
  const [c, h, w] = s.slice(-3);
  if (c % (r * r) !== 0) {
    throw new RangeError(`${op}: expected the channel dimension (${c}) of input${fmtShape(s)} to be divisible by the square of upscaleFactor (${r * r})`);
  }
  const oc = c / (r * r), batch = input.numel() / (c * h * w || 1);
  const outShape = [...s.slice(0, -3), oc, h * r, w * r];
  // map[o] = the input index of output element o (one image; the same for every image).
  const plane = c * h * w;
  const map = new Int32Array(plane);
  let o = 0;
  for (let ch = 0; ch < oc; ch++) {
    for (let y = 0; y < h * r; y++) {
      for (let x = 0; x < w * r; x++) {
        const ic = ch * r * r + (y % r) * r + (x % r);
        map[o++] = (ic * h + Math.floor(y / r)) * w + Math.floor(x / r);
      }
    }
  }
  const src = input.storage;
  const out = new Tensor(uninit(input.numel(), op), outShape);
  const dst = out.storage;
  for (let b = 0; b < batch; b++) {
    const base = b * plane;
    for (let i = 0; i < plane; i++) dst[base + i] = src[base + map[i]];
  }
  if (needsGrad(input)) {
    record('PixelShuffleBackward0', [input], [out], ([g]) => {
      const gs = g!.storage, gx = new Float32Array(input.numel());
      for (let b = 0; b < batch; b++) {
        const base = b * plane;
        for (let i = 0; i < plane; i++) gx[base + map[i]] = gs[base + i];
      }
      return [new Tensor(gx, s)];
    }, []);
  }
  return out;
}

/** Padding [left, right, top, bottom] (a number pads all four sides). */
export type Padding2d = number | readonly [number, number, number, number];

/** `F.zeroPad2d(input, padding)`: zero padding of the last two dims of a (*, H, W) input. */
export function zeroPad2d(input: Tensor, padding: Padding2d): Tensor {
  const op = 'zeroPad2d';
  checkTensor(op, input, 'input');
  const p = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
  if (!Array.isArray(p) || p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new RangeError(`${op}: padding must be a non-negative integer or [left, right, top, bottom] of them, got ${JSON.stringify(padding)}`);
  }
  const [pl, pr, pt, pb] = p;
  const s = input.shape;
  if (s.length < 2) throw new RangeError(`${op}: expected input of at least 2 dims (*, H, W), got input${fmtShape(s)}`);
  const [h, w] = s.slice(-2);
  const oh = h + pt + pb, ow = w + pl + pr;
  const planes = h * w === 0 ? 0 : input.numel() / (h * w);
  const out = new Tensor(new Float32Array(planes * oh * ow), [...s.slice(0, -2), oh, ow]);
  const src = input.storage, dst = out.storage;
  for (let q = 0; q < planes; q++) {
    for (let y = 0; y < h; y++) {
      dst.set(src.subarray((q * h + y) * w, (q * h + y + 1) * w), (q * oh + y + pt) * ow + pl);
    }
  }
  if (needsGrad(input)) {
    record('ConstantPadNdBackward0', [input], [out], ([g]) => {
      const gs = g!.storage, gx = new Float32Array(input.numel());
      for (let q = 0; q < planes; q++) {
        for (let y = 0; y < h; y++) {
          const from = (q * oh + y + pt) * ow + pl;
          gx.set(gs.subarray(from, from + w), (q * h + y) * w);
        }
      }
      return [new Tensor(gx, s)];
    }, []);
  }
  return out;
}
