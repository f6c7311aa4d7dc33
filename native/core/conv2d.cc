#include "core/conv2d.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <cstring>
#include <vector>

#include "core/denormal.h"
#include "core/gemm.h"
#include "core/im2col.h"
#include "core/kernel_table.h"
#include "core/ops.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

constexpr int kGemm1x1 = 0, kDepthwise = 1, kIm2col = 2;

ConvGeom GroupGeom(const Conv2dParams& p) {
  return ConvGeom{p.c / p.groups, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.oh, p.ow};
}

std::vector<float>& ThreadCol() {
  thread_local std::vector<float> col;
  return col;
}
float* Grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}
// The first 64-byte boundary at or after p (callers reserve 16 extra floats).
float* Align64(float* p) { return reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

// Weights [oc, kg] packed per group into a reused (thread-local, calling thread) set of panels.
std::vector<PackedA>& PackWeights(const Conv2dParams& p, const float* w) {
  thread_local std::vector<PackedA> packs;
  const int64_t ocg = p.oc / p.groups, kg = (p.c / p.groups) * p.kh * p.kw;
  if (packs.size() < static_cast<size_t>(p.groups)) packs.resize(static_cast<size_t>(p.groups));
  for (int64_t g = 0; g < p.groups; ++g) packs[g].Reset(false, ocg, kg, 1.0f, w + g * ocg * kg, kg);
  return packs;
}

std::vector<const float*>& ThreadRows(int64_t n) {
  thread_local std::vector<const float*> rows;
  if (rows.size() < static_cast<size_t>(n)) rows.resize(static_cast<size_t>(n));
  return rows;
}

// ---- depthwise (groups == c, oc = c * mult) --------------------------------------------------

void DepthwisePlane(const Conv2dParams& p, const float* x, const float* w, float bias, float* y) {
  for (int64_t i = 0; i < p.oh * p.ow; ++i) y[i] = bias;
  for (int64_t ky = 0; ky < p.kh; ++ky)
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const float wv = w[ky * p.kw + kx];
      const int64_t xoff = kx * p.dw - p.pw;
      int64_t lo = xoff >= 0 ? 0 : (-xoff + p.sw - 1) / p.sw;
      int64_t hi = p.w - xoff <= 0 ? 0 : (p.w - xoff + p.sw - 1) / p.sw;
      lo = std::min(lo, p.ow);
      hi = std::max(lo, std::min(hi, p.ow));
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
        if (iy < 0 || iy >= p.h) continue;
        const float* src = x + iy * p.w + xoff;
        float* d = y + oy * p.ow;
        if (p.sw == 1)
          for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * src[ox];
        else
          for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * src[ox * p.sw];
      }
    }
}

// gx plane += adjoint; gw (kh*kw) += correlation of gy with x.
void DepthwisePlaneBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx,
                            float* gw) {
  for (int64_t ky = 0; ky < p.kh; ++ky)
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const float wv = w[ky * p.kw + kx];
      const int64_t xoff = kx * p.dw - p.pw;
      int64_t lo = xoff >= 0 ? 0 : (-xoff + p.sw - 1) / p.sw;
      int64_t hi = p.w - xoff <= 0 ? 0 : (p.w - xoff + p.sw - 1) / p.sw;
      lo = std::min(lo, p.ow);
      hi = std::max(lo, std::min(hi, p.ow));
      double acc = 0;
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
        if (iy < 0 || iy >= p.h) continue;
        const float* g = gy + oy * p.ow;
        const int64_t base = iy * p.w + xoff;
        if (gx) {
          float* d = gx + base;
          if (p.sw == 1)
            for (int64_t ox = lo; ox < hi; ++ox) d[ox] += wv * g[ox];
          else
            for (int64_t ox = lo; ox < hi; ++ox) d[ox * p.sw] += wv * g[ox];
        }
        if (gw) {
          const float* s = x + base;
          float a = 0;
          if (p.sw == 1)
            for (int64_t ox = lo; ox < hi; ++ox) a += g[ox] * s[ox];
          else
            for (int64_t ox = lo; ox < hi; ++ox) a += g[ox] * s[ox * p.sw];
          acc += a;
        }
      }
      if (gw) gw[ky * p.kw + kx] += static_cast<float>(acc);
    }
}

void DepthwiseForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t mult = p.oc / p.c, planes = p.n * p.oc, ohw = p.oh * p.ow, khw = p.kh * p.kw;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, ohw * khw));
  ParallelFor(planes, grain, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t q = lo; q < hi; ++q) {
      const int64_t b = q / p.oc, o = q % p.oc, ic = o / mult;
      DepthwisePlane(p, x + (b * p.c + ic) * p.h * p.w, w + o * khw, bias ? bias[o] : 0.0f, y + q * ohw);
    }
  });
}

void DepthwiseBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw) {
  const int64_t mult = p.oc / p.c, ohw = p.oh * p.ow, khw = p.kh * p.kw, hw = p.h * p.w;
  // Parallel over input channels: channel ic owns gx planes (all images) and gw rows ic*mult..;
  // no two threads write the same memory.
  if (gw) std::memset(gw, 0, sizeof(float) * p.oc * khw);
  if (gx) std::memset(gx, 0, sizeof(float) * p.n * p.c * hw);
  ParallelFor(p.c, 1, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t ic = lo; ic < hi; ++ic)
      for (int64_t b = 0; b < p.n; ++b)
        for (int64_t m = 0; m < mult; ++m) {
          const int64_t o = ic * mult + m;
          DepthwisePlaneBackward(p, x + (b * p.c + ic) * hw, w + o * khw, gy + (b * p.oc + o) * ohw,
                                 gx ? gx + (b * p.c + ic) * hw : nullptr, gw ? gw + o * khw : nullptr);
        }
  });
}

// ---- GEMM-based (1x1 and im2col) ---------------------------------------------------------------
//
// The output pixels of each image are cut into blocks whose im2col slice (K x block) stays in L2;
// each (image, block) is one task: expand the slice, then multiply by the weights packed once per
// call (MLAS's ExpandThenGemmSegmented). Tasks run in parallel, so batch 1 uses every thread too.

constexpr int64_t kColBlockFloats = 64 * 1024;  // 256 KB im2col slice per task

int64_t PixelBlock(int64_t k, int64_t ohw) {
  int64_t pb = kColBlockFloats / std::max<int64_t>(1, k) / 32 * 32;
  pb = std::max<int64_t>(pb, 64);
  return std::min(pb, ohw);
}

// Runs body(lo, hi) over [0, tasks): with `parallel`, every pool thread pulls small chunks from a
// shared counter, so a thread slowed down by other load on the machine takes fewer tasks (the
// pool's own split is static halves).
void RunTasks(int64_t tasks, bool parallel, const std::function<void(int64_t, int64_t)>& body) {
  if (!parallel || tasks <= 1) return body(0, tasks);
  std::atomic<int64_t> next{0};
  ParallelFor(GetNumThreads(), 1, [&](int64_t, int64_t) {
    for (int64_t t; (t = next.fetch_add(1)) < tasks;) body(t, t + 1);
  });
}

bool Parallel(int64_t tasks, int64_t work) { return GetNumThreads() > 1 && tasks >= 2 && work >= (int64_t(1) << 20); }

// Stride-1 convolution without im2col: over a padded copy of the input (Hp x Wp; none when no
// padding is needed), output pixel (oy, ox) is computed at the padded position j = oy*Wp + ox, and
// tap (c, ky, kx) reads input plane c at j + ky*dh*Wp + kx*dw: a GEMM whose B rows are the input
// rows shifted per tap, read in place (indirect B). Columns ox >= ow of each output row are junk,
// computed into a scratch block and dropped when it is copied out.
// The input as the indirect paths read it: planes of hp x wp with the padding materialized (a
// reused buffer), or x itself when no padding is needed. rs is the row stride, ps the plane stride.
struct PaddedInput {
  const float* data;
  int64_t rs, ps;
  std::vector<float> owned;  // large pads are not kept in the reused buffer
};

constexpr size_t kMaxKeptPadFloats = size_t(16) << 20;  // 64 MB

// One input plane into an hp x wp plane with the padding materialized (zeros).
void PadPlane(const Conv2dParams& p, const float* src, float* dst, int64_t hp, int64_t wp) {
  for (int64_t yy = 0; yy < hp; ++yy) {
    float* d = dst + yy * wp;
    const int64_t iy = yy - p.ph;
    if (iy < 0 || iy >= p.h) {
      std::fill(d, d + wp, 0.0f);
      continue;
    }
    const int64_t x0 = std::min(p.pw, wp), x1 = std::min(wp, p.pw + p.w);
    std::fill(d, d + x0, 0.0f);
    if (x1 > x0) std::memcpy(d + x0, src + iy * p.w, sizeof(float) * (x1 - x0));
    std::fill(d + std::max(x0, x1), d + wp, 0.0f);
  }
}

bool NeedsPadding(const Conv2dParams& p) {
  const int64_t wp = p.ow + p.dw * (p.kw - 1), hp = p.oh + p.dh * (p.kh - 1);
  return !(p.ph == 0 && p.pw == 0 && wp == p.w && hp <= p.h);
}

PaddedInput PadInput(const Conv2dParams& p, const float* x) {
  const int64_t wp = p.ow + p.dw * (p.kw - 1), hp = p.oh + p.dh * (p.kh - 1);
  if (p.ph == 0 && p.pw == 0 && wp == p.w && hp <= p.h) return PaddedInput{x, p.w, p.h * p.w, {}};
  thread_local std::vector<float> buf;  // grows once, reused by later calls on this thread
  const int64_t ps = hp * wp, planes = p.n * p.c;
  const size_t need = static_cast<size_t>(planes * ps);
  PaddedInput res{nullptr, wp, ps, {}};
  float* xp;
  if (need <= kMaxKeptPadFloats) {
    xp = Grow(buf, need);
  } else {
    res.owned.resize(need);
    xp = res.owned.data();
  }
  res.data = xp;
  ParallelFor(planes, std::max<int64_t>(1, 16384 / ps), [&](int64_t lo, int64_t hi) {
    for (int64_t q = lo; q < hi; ++q) PadPlane(p, x + q * p.h * p.w, xp + q * ps, hp, wp);
  });
  return res;
}

// Row pointers of the taps of one group: tap (c, ky, kx) reads plane c shifted by (ky*dh, kx*dw).
void TapRows(const Conv2dParams& p, const PaddedInput& in, const float* xg, const float** rows) {
  const int64_t cg = p.c / p.groups;
  for (int64_t c = 0, r = 0; c < cg; ++c)
    for (int64_t ky = 0; ky < p.kh; ++ky)
      for (int64_t kx = 0; kx < p.kw; ++kx, ++r) rows[r] = xg + c * in.ps + ky * p.dh * in.rs + kx * p.dw;
}

void IndirectConvForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  // With a batch, each task pads its own image right before using it (while it is in L1) instead
  // of a separate pass (and parallel region) over the whole padded batch.
  const bool pad_per_image = p.n >= 2 && NeedsPadding(p);
  const int64_t wp0 = p.ow + p.dw * (p.kw - 1), hp0 = p.oh + p.dh * (p.kh - 1);
  const PaddedInput in = pad_per_image ? PaddedInput{nullptr, wp0, hp0 * wp0, {}} : PadInput(p, x);
  const int64_t wp = in.rs, ps = in.ps;
  const float* xs = in.data;
  std::vector<PackedA>& packs = PackWeights(p, w);
  // Output rows per task: a scratch block of about 32K floats (128 KB). Per-image padding keeps an
  // image's row blocks in one task.
  const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(p.oh, 32768 / std::max<int64_t>(1, ocg * wp)));
  const int64_t nblk = (p.oh + rows - 1) / rows, tasks = pad_per_image ? p.n : p.n * nblk;
  const int64_t blocks_per_task = pad_per_image ? nblk : 1;
  auto body = [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    std::vector<const float*>& brows = ThreadRows(kg);
    float* scratch = Grow(ThreadCol(), static_cast<size_t>(ocg * rows * wp));
    thread_local std::vector<float> padbuf;
    float* xpad = pad_per_image ? Grow(padbuf, static_cast<size_t>(p.c * ps)) : nullptr;
    for (int64_t t = lo * blocks_per_task; t < hi * blocks_per_task; ++t) {
      const int64_t b = t / nblk, oy0 = (t % nblk) * rows, oy1 = std::min(p.oh, oy0 + rows);
      const int64_t jn = (oy1 - oy0 - 1) * wp + p.ow, lds = (oy1 - oy0) * wp;
      if (pad_per_image && oy0 == 0)
        for (int64_t c = 0; c < p.c; ++c) PadPlane(p, x + (b * p.c + c) * p.h * p.w, xpad + c * ps, hp0, wp);
      for (int64_t g = 0; g < p.groups; ++g) {
        TapRows(p, in, pad_per_image ? xpad + g * cg * ps : xs + (b * p.c + g * cg) * ps, brows.data());
        SgemmPackedIndirect(packs[g], jn, brows.data(), oy0 * wp, 0.0f, scratch, lds);
        float* yg = y + (b * p.oc + g * ocg) * ohw;
        for (int64_t o = 0; o < ocg; ++o) {
          const float bv = bias ? bias[g * ocg + o] : 0.0f;
          for (int64_t oy = oy0; oy < oy1; ++oy) {
            const float* s = scratch + o * lds + (oy - oy0) * wp;
            float* d = yg + o * ohw + oy * p.ow;
            for (int64_t ox = 0; ox < p.ow; ++ox) d[ox] = s[ox] + bv;
          }
        }
      }
    }
  };
  RunTasks(tasks, Parallel(tasks, p.n * p.oc * ohw * kg), body);
}

void GemmConvForward(const Conv2dParams& p, int algo, const float* x, const float* w, const float* bias, float* y) {
  if (algo == kIm2col && p.sh == 1 && p.sw == 1) return IndirectConvForward(p, x, w, bias, y);
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t hw = p.h * p.w;
  const ConvGeom geom = GroupGeom(p);
  std::vector<PackedA>& packs = PackWeights(p, w);
  const int64_t pb = PixelBlock(kg, ohw), nblk = (ohw + pb - 1) / pb, tasks = p.n * nblk;
  auto body = [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t b = t / nblk, j0 = (t % nblk) * pb, j1 = std::min(ohw, j0 + pb);
      for (int64_t g = 0; g < p.groups; ++g) {
        float* yg = y + (b * p.oc + g * ocg) * ohw;
        if (bias)
          for (int64_t o = 0; o < ocg; ++o) std::fill(yg + o * ohw + j0, yg + o * ohw + j1, bias[g * ocg + o]);
        const float* xg = x + (b * p.c + g * cg) * hw;
        if (algo == kGemm1x1) {
          SgemmPacked(packs[g], j1 - j0, xg + j0, hw, bias ? 1.0f : 0.0f, yg + j0, ohw);
        } else {
          float* col = Grow(ThreadCol(), static_cast<size_t>(kg * (j1 - j0)));
          Im2ColBlock(geom, xg, col, 0, kg, j0, j1);
          SgemmPacked(packs[g], j1 - j0, col, j1 - j0, bias ? 1.0f : 0.0f, yg + j0, ohw);
        }
      }
    }
  };
  RunTasks(tasks, Parallel(tasks, p.n * p.oc * ohw * kg), body);
}

// dX of a stride-1 convolution is itself a stride-1 convolution of dY with the kernels flipped
// and in/out channels swapped (padding d*(k-1) - pad), so it runs on the forward path above.
bool TransposedDataGrad(const Conv2dParams& p) {
  return p.sh == 1 && p.sw == 1 && p.ph <= p.dh * (p.kh - 1) && p.pw <= p.dw * (p.kw - 1);
}

void DataGradByTransposedConv(const Conv2dParams& p, const float* w, const float* gy, float* gx) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, khw = p.kh * p.kw;
  std::vector<float> wt(static_cast<size_t>(p.c * ocg * khw));
  for (int64_t g = 0; g < p.groups; ++g)
    for (int64_t o = 0; o < ocg; ++o)
      for (int64_t ci = 0; ci < cg; ++ci) {
        const float* src = w + ((g * ocg + o) * cg + ci) * khw;
        float* dst = wt.data() + ((g * cg + ci) * ocg + o) * khw;
        for (int64_t q = 0; q < khw; ++q) dst[q] = src[khw - 1 - q];
      }
  Conv2dParams t = p;
  t.c = p.oc;
  t.h = p.oh;
  t.w = p.ow;
  t.oc = p.c;
  t.ph = p.dh * (p.kh - 1) - p.ph;
  t.pw = p.dw * (p.kw - 1) - p.pw;
  t.oh = p.h;
  t.ow = p.w;
  GemmConvForward(t, Conv2dAlgorithm(t), gy, wt.data(), nullptr, gx);
}

// dX through col2im: per image dcol = W^T dY, scattered back (strided convolutions).
void DataGradByCol2Im(const Conv2dParams& p, int algo, const float* w, const float* gy, float* gx) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t hw = p.h * p.w;
  const ConvGeom geom = GroupGeom(p);
  const bool batch_parallel = Parallel(p.n, p.n * p.oc * ohw * kg) && p.n >= GetNumThreads();
  auto item = [&](int64_t b) {
    // A whole image's columns: reuse the thread's buffer unless it is huge (then free it after).
    std::vector<float> big;
    const size_t need = algo == kIm2col ? static_cast<size_t>(kg * ohw) : 0;
    float* col = need == 0                   ? nullptr
                 : need <= kMaxKeptPadFloats ? Grow(ThreadCol(), need)
                                             : (big.resize(need), big.data());
    for (int64_t g = 0; g < p.groups; ++g) {
      const float* wg = w + g * ocg * kg;
      const float* gyg = gy + (b * p.oc + g * ocg) * ohw;
      float* gxg = gx + (b * p.c + g * cg) * hw;
      if (algo == kGemm1x1) {
        Sgemm(true, false, cg, ohw, ocg, 1.0f, wg, kg, gyg, ohw, 0.0f, gxg, ohw);
      } else {
        Sgemm(true, false, kg, ohw, ocg, 1.0f, wg, kg, gyg, ohw, 0.0f, col, ohw);
        std::memset(gxg, 0, sizeof(float) * cg * hw);
        if (batch_parallel)
          Col2ImAdd(geom, col, gxg, 0, cg);
        else
          ParallelFor(cg, 1, [&](int64_t lo, int64_t hi) { Col2ImAdd(geom, col, gxg, lo, hi); });
      }
    }
  };
  if (batch_parallel) {
    ParallelFor(p.n, 1, [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      for (int64_t b = lo; b < hi; ++b) item(b);
    });
  } else {
    for (int64_t b = 0; b < p.n; ++b) item(b);
  }
}

// dW of a stride-1 conv: dW[o][tap] = dot(dY[o], input rows
// shifted for tap), both read in place (dY copied into the padded row layout, junk columns zero):
// blocked dot products, no im2col. Per image, parts of the batch accumulate separate copies.
void WeightGradIndirect(const Conv2dParams& p, const float* x, const float* gy, float* gw) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t wn = p.oc * kg;
  const PaddedInput in = PadInput(p, x);
  const int64_t rs = in.rs, jn = (p.oh - 1) * rs + p.ow;
  const KernelTable& kt = Kernels();
  const int parts =
      Parallel(p.n, p.n * p.oc * ohw * kg) ? static_cast<int>(std::min<int64_t>(GetNumThreads(), p.n)) : 1;
  std::vector<float> partial(static_cast<size_t>((parts - 1) * wn), 0.0f);
  std::memset(gw, 0, sizeof(float) * wn);
  std::atomic<int64_t> next{0};  // work is pulled dynamically by the parts (see RunTasks)
  int64_t next_serial = 0;
  auto body = [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    std::vector<const float*>& rows = ThreadRows(kg);
    // dY rows at a 64-byte aligned stride: the dot kernels' A loads then never split a cache line.
    const int64_t lda = (jn + 15) / 16 * 16;
    float* gyp = Align64(Grow(ThreadCol(), static_cast<size_t>(ocg * lda + 16)));
    for (int64_t part = lo; part < hi; ++part) {
      float* gwp = part == 0 ? gw : partial.data() + (part - 1) * wn;
      for (int64_t b; (b = parts > 1 ? next.fetch_add(1) : next_serial++) < p.n;)
        for (int64_t g = 0; g < p.groups; ++g) {
          const float* gyg = gy + (b * p.oc + g * ocg) * ohw;
          for (int64_t o = 0; o < ocg; ++o)
            for (int64_t oy = 0; oy < p.oh; ++oy) {
              float* d = gyp + o * lda + oy * rs;
              std::memcpy(d, gyg + o * ohw + oy * p.ow, sizeof(float) * p.ow);
              if (oy + 1 < p.oh) std::fill(d + p.ow, d + rs, 0.0f);
            }
          TapRows(p, in, in.data + (b * p.c + g * cg) * in.ps, rows.data());
          kt.sgemm_dot_indirect(ocg, kg, jn, 1.0f, gyp, lda, rows.data(), 1.0f, gwp + g * ocg * kg, kg);
        }
    }
  };
  if (parts > 1)
    ParallelFor(parts, 1, body);
  else
    body(0, 1);
  for (int part = 1; part < parts; ++part) {
    const float* src = partial.data() + (part - 1) * wn;
    for (int64_t i = 0; i < wn; ++i) gw[i] += src[i];
  }
}

// dW of a stride-1 conv with the batch folded into the dot products: for a chunk of images the
// padded input is laid out channel-major (plane (c, image) at (c * cnt + image) * ps) and dY as
// [oc][image][ps] with zeros outside the valid output pixels, so one dot product of length
// cnt * ps sums the whole chunk: dY's zeros cancel every read that falls outside an image's
// valid window (taps stay inside their own plane for valid pixels). This pays when an image's
// dY rows are short (e.g. 10x10 outputs): the per-image path reduces its 16 vector partial sums
// once per image and block, which costs as much as the multiply-adds there.
bool BatchedWeightGrad(const Conv2dParams& p) {
  const int64_t wp = p.ow + p.dw * (p.kw - 1), hp = p.oh + p.dh * (p.kh - 1);
  const int64_t jn = (p.oh - 1) * wp + p.ow;
  return p.n > 1 && hp * wp < jn + 128;
}

void WeightGradBatched(const Conv2dParams& p, const float* x, const float* gy, float* gw) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t wp = p.ow + p.dw * (p.kw - 1), hp = p.oh + p.dh * (p.kh - 1), ps = hp * wp;
  const int64_t tail = p.dh * (p.kh - 1) * wp + p.dw * (p.kw - 1);
  const int64_t wn = p.oc * kg;
  const KernelTable& kt = Kernels();
  const int threads = Parallel(p.n, p.n * p.oc * ohw * kg) ? GetNumThreads() : 1;
  // Chunks of about 64K floats of copies (input + dY), a multiple of the thread count.
  const int64_t per_image = (p.c + p.oc) * ps;
  int64_t chunks = (p.n * per_image + 65535) / 65536;
  chunks = std::max<int64_t>(chunks, threads);
  chunks = std::min<int64_t>(p.n, (chunks + threads - 1) / threads * threads);
  const int64_t nb = (p.n + chunks - 1) / chunks;
  chunks = (p.n + nb - 1) / nb;
  const int parts = static_cast<int>(std::min<int64_t>(threads, chunks));
  std::vector<float> partial(static_cast<size_t>((parts - 1) * wn), 0.0f);
  std::memset(gw, 0, sizeof(float) * wn);
  std::atomic<int64_t> next{0};
  auto body = [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    std::vector<const float*>& rows = ThreadRows(kg);
    const int64_t lda_max = (nb * ps + 15) / 16 * 16;  // dY rows 64-byte aligned (see WeightGradIndirect)
    float* buf = Grow(ThreadCol(), static_cast<size_t>(p.c * nb * ps + tail + p.oc * lda_max + 32));
    for (int64_t part = lo; part < hi; ++part) {
      float* gwp = part == 0 ? gw : partial.data() + (part - 1) * wn;
      for (int64_t t; (t = next.fetch_add(1)) < chunks;) {
        const int64_t b0 = t * nb, cnt = std::min(nb, p.n - b0), len = cnt * ps;
        float* xc = buf;
        const int64_t lda = (len + 15) / 16 * 16;
        float* gyc = Align64(buf + p.c * len + tail);
        for (int64_t c = 0; c < p.c; ++c)
          for (int64_t bi = 0; bi < cnt; ++bi) {
            const float* src = x + ((b0 + bi) * p.c + c) * p.h * p.w;
            float* dst = xc + (c * cnt + bi) * ps;
            for (int64_t yy = 0; yy < hp; ++yy) {
              float* d = dst + yy * wp;
              const int64_t iy = yy - p.ph;
              if (iy < 0 || iy >= p.h) {
                std::fill(d, d + wp, 0.0f);
                continue;
              }
              const int64_t x0 = std::min(p.pw, wp), x1 = std::min(wp, p.pw + p.w);
              std::fill(d, d + x0, 0.0f);
              if (x1 > x0) std::memcpy(d + x0, src + iy * p.w, sizeof(float) * (x1 - x0));
              std::fill(d + std::max(x0, x1), d + wp, 0.0f);
            }
          }
        std::fill(xc + p.c * len, xc + p.c * len + tail, 0.0f);
        for (int64_t o = 0; o < p.oc; ++o)
          for (int64_t bi = 0; bi < cnt; ++bi) {
            const float* src = gy + ((b0 + bi) * p.oc + o) * ohw;
            float* dst = gyc + o * lda + bi * ps;
            for (int64_t oy = 0; oy < p.oh; ++oy) {
              std::memcpy(dst + oy * wp, src + oy * p.ow, sizeof(float) * p.ow);
              std::fill(dst + oy * wp + p.ow, dst + (oy + 1) * wp, 0.0f);
            }
            std::fill(dst + p.oh * wp, dst + ps, 0.0f);
          }
        for (int64_t g = 0; g < p.groups; ++g) {
          for (int64_t c = 0, r = 0; c < cg; ++c)
            for (int64_t ky = 0; ky < p.kh; ++ky)
              for (int64_t kx = 0; kx < p.kw; ++kx, ++r) rows[r] = xc + (g * cg + c) * len + ky * p.dh * wp + kx * p.dw;
          kt.sgemm_dot_indirect(ocg, kg, len, 1.0f, gyc + g * ocg * lda, lda, rows.data(), 1.0f, gwp + g * ocg * kg,
                                kg);
        }
      }
    }
  };
  if (parts > 1)
    ParallelFor(parts, 1, body);
  else
    body(0, 1);
  for (int part = 1; part < parts; ++part) {
    const float* src = partial.data() + (part - 1) * wn;
    for (int64_t i = 0; i < wn; ++i) gw[i] += src[i];
  }
}

// dW = sum over images and pixel blocks of dY_block * col_block^T; each part of the task range
// accumulates its own copy (part 0 straight into gw), summed at the end.
void WeightGrad(const Conv2dParams& p, int algo, const float* x, const float* gy, float* gw) {
  const int64_t cg = p.c / p.groups, ocg = p.oc / p.groups, kg = cg * p.kh * p.kw, ohw = p.oh * p.ow;
  const int64_t hw = p.h * p.w, wn = p.oc * kg;
  const ConvGeom geom = GroupGeom(p);
  const int64_t pb = PixelBlock(kg, ohw), nblk = (ohw + pb - 1) / pb, tasks = p.n * nblk;
  const int parts =
      Parallel(tasks, p.n * p.oc * ohw * kg) ? static_cast<int>(std::min<int64_t>(GetNumThreads(), tasks)) : 1;
  std::vector<float> partial(static_cast<size_t>((parts - 1) * wn), 0.0f);
  std::memset(gw, 0, sizeof(float) * wn);
  std::atomic<int64_t> next{0};  // work is pulled dynamically by the parts (see RunTasks)
  int64_t next_serial = 0;
  auto body = [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t part = lo; part < hi; ++part) {
      float* gwp = part == 0 ? gw : partial.data() + (part - 1) * wn;
      for (int64_t t; (t = parts > 1 ? next.fetch_add(1) : next_serial++) < tasks;) {
        const int64_t b = t / nblk, j0 = (t % nblk) * pb, j1 = std::min(ohw, j0 + pb);
        for (int64_t g = 0; g < p.groups; ++g) {
          const float* xg = x + (b * p.c + g * cg) * hw;
          const float* gyg = gy + (b * p.oc + g * ocg) * ohw;
          if (algo == kGemm1x1) {
            Sgemm(false, true, ocg, kg, j1 - j0, 1.0f, gyg + j0, ohw, xg + j0, hw, 1.0f, gwp + g * ocg * kg, kg);
          } else {
            float* col = Grow(ThreadCol(), static_cast<size_t>(kg * (j1 - j0)));
            Im2ColBlock(geom, xg, col, 0, kg, j0, j1);
            Sgemm(false, true, ocg, kg, j1 - j0, 1.0f, gyg + j0, ohw, col, j1 - j0, 1.0f, gwp + g * ocg * kg, kg);
          }
        }
      }
    }
  };
  if (parts > 1)
    ParallelFor(parts, 1, body);
  else
    body(0, 1);
  for (int part = 1; part < parts; ++part) {
    const float* src = partial.data() + (part - 1) * wn;
    for (int64_t i = 0; i < wn; ++i) gw[i] += src[i];
  }
}

}  // namespace

int Conv2dAlgorithm(const Conv2dParams& p) {
  if (p.groups == p.c && p.groups > 1 && p.oc % p.c == 0) return kDepthwise;
  if (p.kh == 1 && p.kw == 1 && p.sh == 1 && p.sw == 1 && p.ph == 0 && p.pw == 0 && p.oh == p.h && p.ow == p.w)
    return kGemm1x1;
  return kIm2col;
}

void Conv2dForward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  DenormalGuard dg;
  const int algo = Conv2dAlgorithm(p);
  if (algo == kDepthwise) return DepthwiseForward(p, x, w, bias, y);
  GemmConvForward(p, algo, x, w, bias, y);
}

void Conv2dBackward(const Conv2dParams& p, const float* x, const float* w, const float* gy, float* gx, float* gw,
                    float* gb) {
  DenormalGuard dg;
  const int64_t ohw = p.oh * p.ow;
  if (gb) {
    const KernelTable& kt = Kernels();
    // Channels per part: about 256K values summed each (a parallel region costs ~10 us of wall time
    // on the 2-core build VM: wake-up and join).
    const int64_t grain = std::max<int64_t>(8, (int64_t(1) << 18) / std::max<int64_t>(1, p.n * ohw));
    ParallelFor(p.oc, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) {
        double s = 0;
        for (int64_t b = 0; b < p.n; ++b) s += kt.reduce_row(kSum, gy + (b * p.oc + o) * ohw, ohw);
        gb[o] = static_cast<float>(s);
      }
    });
  }
  if (!gx && !gw) return;
  const int algo = Conv2dAlgorithm(p);
  if (algo == kDepthwise) return DepthwiseBackward(p, x, w, gy, gx, gw);
  if (gx) {
    if (TransposedDataGrad(p))
      DataGradByTransposedConv(p, w, gy, gx);
    else
      DataGradByCol2Im(p, algo, w, gy, gx);
  }
  if (gw) {
    if (algo == kIm2col && p.sh == 1 && p.sw == 1 && BatchedWeightGrad(p))
      WeightGradBatched(p, x, gy, gw);
    else if (algo == kIm2col && p.sh == 1 && p.sw == 1)
      WeightGradIndirect(p, x, gy, gw);
    else
      WeightGrad(p, algo, x, gy, gw);
  }
}

}  // namespace torchlet
