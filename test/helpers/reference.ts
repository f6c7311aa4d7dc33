/**
 * Naive JavaScript reference kernels (float64 accumulation) for the nn ops: the "plain reference"
 * the native SIMD kernels are checked against, independent of PyTorch and of any blocking.
 */

/** C = alpha op(A) op(B) + beta C, row-major; A is K x M when transA, B is N x K when transB. */
export function refGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: ArrayLike<number>, b: ArrayLike<number>, beta: number, c: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * n + j]);
    }
  }
  return out;
}

export interface RefConv {
  n: number; c: number; h: number; w: number; oc: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; groups: number; oh: number; ow: number;
}

/** Visits every (output, input, weight) triple of a convolution. */
function convTaps(p: RefConv, f: (yi: number, xi: number, wi: number) => void): void {
  const cg = p.c / p.groups, ocg = p.oc / p.groups;
  for (let b = 0; b < p.n; b++)
    for (let o = 0; o < p.oc; o++) {
      const g = Math.floor(o / ocg);
      for (let oy = 0; oy < p.oh; oy++)
        for (let ox = 0; ox < p.ow; ox++) {
          const yi = ((b * p.oc + o) * p.oh + oy) * p.ow + ox;
          for (let ci = 0; ci < cg; ci++) {
            const c = g * cg + ci;
            for (let ky = 0; ky < p.kh; ky++) {
              const iy = oy * p.sh - p.ph + ky * p.dh;
              if (iy < 0 || iy >= p.h) continue;
              for (let kx = 0; kx < p.kw; kx++) {
                const ix = ox * p.sw - p.pw + kx * p.dw;
                if (ix < 0 || ix >= p.w) continue;
                f(yi, ((b * p.c + c) * p.h + iy) * p.w + ix, ((o * cg + ci) * p.kh + ky) * p.kw + kx);
              }
            }
          }
        }
    }
}

export function refConv2d(p: RefConv, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null): Float64Array {
  const y = new Float64Array(p.n * p.oc * p.oh * p.ow);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (p.oh * p.ow)) % p.oc];
  convTaps(p, (yi, xi, wi) => { y[yi] += x[xi] * w[wi]; });
  return y;
}

export function refConv2dBackward(p: RefConv, x: ArrayLike<number>, w: ArrayLike<number>, gy: ArrayLike<number>) {
  const gx = new Float64Array(p.n * p.c * p.h * p.w);
  const gw = new Float64Array(w.length);
  const gb = new Float64Array(p.oc);
  convTaps(p, (yi, xi, wi) => {
    gx[xi] += gy[yi] * w[wi];
    gw[wi] += gy[yi] * x[xi];
  });
  for (let i = 0; i < gy.length; i++) gb[Math.floor(i / (p.oh * p.ow)) % p.oc] += gy[i];
  return { gx, gw, gb };
}

export interface RefPool {
  planes: number; h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

export function refMaxPool2d(p: RefPool, x: ArrayLike<number>): { y: Float64Array; idx: Int32Array } {
  const y = new Float64Array(p.planes * p.oh * p.ow), idx = new Int32Array(y.length);
  for (let q = 0; q < p.planes; q++)
    for (let oy = 0; oy < p.oh; oy++)
      for (let ox = 0; ox < p.ow; ox++) {
        let m = -Infinity, best = -1;
        for (let ky = 0; ky < p.kh; ky++) {
          const iy = oy * p.sh - p.ph + ky * p.dh;
          if (iy < 0 || iy >= p.h) continue;
          for (let kx = 0; kx < p.kw; kx++) {
            const ix = ox * p.sw - p.pw + kx * p.dw;
            if (ix < 0 || ix >= p.w) continue;
            const v = x[(q * p.h + iy) * p.w + ix];
            if (best < 0 || v > m || Number.isNaN(v)) { m = v; best = iy * p.w + ix; }
          }
        }
        y[(q * p.oh + oy) * p.ow + ox] = m;
        idx[(q * p.oh + oy) * p.ow + ox] = best;
      }
  return { y, idx };
}

export function refAvgPool2d(p: RefPool, x: ArrayLike<number>, countIncludePad: boolean): Float64Array {
  const y = new Float64Array(p.planes * p.oh * p.ow);
  for (let q = 0; q < p.planes; q++)
    for (let oy = 0; oy < p.oh; oy++)
      for (let ox = 0; ox < p.ow; ox++) {
        let y0 = oy * p.sh - p.ph, x0 = ox * p.sw - p.pw;
        let y1 = Math.min(y0 + p.kh, p.h + p.ph), x1 = Math.min(x0 + p.kw, p.w + p.pw);
        const size = (y1 - y0) * (x1 - x0);
        y0 = Math.max(y0, 0); x0 = Math.max(x0, 0); y1 = Math.min(y1, p.h); x1 = Math.min(x1, p.w);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += x[(q * p.h + iy) * p.w + ix];
        y[(q * p.oh + oy) * p.ow + ox] = s / (countIncludePad ? size : (y1 - y0) * (x1 - x0));
      }
  return y;
}

/** Training-mode batch norm over [n, c, hw]: output, biased mean/var. */
export function refBatchNormTrain(n: number, c: number, hw: number, x: ArrayLike<number>, w: ArrayLike<number> | null,
  b: ArrayLike<number> | null, eps: number) {
  const y = new Float64Array(n * c * hw), mean = new Float64Array(c), vari = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) s += x[(i * c + ch) * hw + j];
    const m = s / (n * hw);
    let ss = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) ss += (x[(i * c + ch) * hw + j] - m) ** 2;
    const v = ss / (n * hw);
    mean[ch] = m; vari[ch] = v;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < hw; j++) {
        const k = (i * c + ch) * hw + j;
        y[k] = ((x[k] - m) / Math.sqrt(v + eps)) * (w ? w[ch] : 1) + (b ? b[ch] : 0);
      }
  }
  return { y, mean, vari };
}
