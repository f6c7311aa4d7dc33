#include "core/interpolate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "core/denormal.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// ATen's compute_scales_value<float>: 1 / scale when the user gave one, else in / out.
float ScaleValue(double scale, int64_t in, int64_t out) {
  return scale > 0 ? static_cast<float>(1.0 / scale) : static_cast<float>(in) / static_cast<float>(out);
}

// ATen's nearest_idx.
int64_t NearestIdx(int64_t o, int64_t in, int64_t out, double scale) {
  if (out == in) return o;
  if (out == 2 * in) return o >> 1;
  const float v = std::floor(static_cast<float>(o) * ScaleValue(scale, in, out));
  // A scale from a direct native call can make v huge, inf or NaN: converting those to int64 is
  // undefined behaviour, so they take the clamp ATen's min() gives finite values.
  return v >= 0 && static_cast<double>(v) < static_cast<double>(in - 1) ? static_cast<int64_t>(v) : v >= 0 ? in - 1 : 0;
}

// One axis of a linear interpolation: output o reads i0 and i0 + step with weights l0, l1.
struct LinearTap {
  int64_t i0, step;
  float l0, l1;
};

// ATen's area_pixel_compute_scale / area_pixel_compute_source_index / guard_index_and_lambda.
std::vector<LinearTap> LinearTaps(int64_t in, int64_t out, bool align_corners, double scale) {
  std::vector<LinearTap> taps(static_cast<size_t>(out));
  float s;
  if (align_corners)
    s = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
  else
    s = ScaleValue(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    float src;
    if (align_corners) {
      src = s * static_cast<float>(o);
    } else {
      src = static_cast<float>(s * (static_cast<double>(o) + 0.5) - 0.5);
      if (src < 0) src = 0;
    }
    // As in NearestIdx, only values below in - 1 are converted (src is >= 0 or NaN here).
    const float fl = std::floor(src);
    const int64_t i0 = static_cast<double>(fl) < static_cast<double>(in - 1) ? static_cast<int64_t>(fl) : in - 1;
    const float l1 = std::min(std::max(src - static_cast<float>(i0), 0.0f), 1.0f);
    taps[static_cast<size_t>(o)] = LinearTap{i0, i0 < in - 1 ? 1 : 0, 1.0f - l1, l1};
  }
  return taps;
}

std::vector<int64_t> NearestTaps(int64_t in, int64_t out, double scale) {
  std::vector<int64_t> idx(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) idx[static_cast<size_t>(o)] = NearestIdx(o, in, out, scale);
  return idx;
}

int64_t Grain(const InterpParams& p) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, p.oh * p.ow)); }

// Runs body(plane_lo, plane_hi, scratch) over the planes in at most GetNumThreads() chunks, each
// with its own `per_chunk` floats of scratch. The scratch is allocated here, on the calling
// thread, so running out of memory throws where RunKernel turns it into a JS error (the pool's
// threads must not throw).
template <typename Body>
void ChunkedPlanes(const InterpParams& p, int64_t per_chunk, Body&& body) {
  const int64_t small = std::max<int64_t>(1, (p.planes + Grain(p) - 1) / Grain(p));
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>({p.planes, small, GetNumThreads()}));
  std::vector<float> scratch(static_cast<size_t>(chunks * per_chunk));
  ParallelFor(chunks, 1, [&](int64_t lo, int64_t hi) {
    DenormalGuard dg;
    for (int64_t c = lo; c < hi; ++c)
      body(p.planes * c / chunks, p.planes * (c + 1) / chunks, scratch.data() + c * per_chunk);
  });
}

// Above this many floats of row scratch per chunk the backward scatters directly instead.
constexpr int64_t kMaxRowScratch = int64_t(4) << 20;  // 16 MB

}  // namespace

void InterpolateForward(const InterpParams& p, const float* x, float* y) {
  const int64_t hw = p.h * p.w, ohw = p.oh * p.ow;
  if (p.mode == kInterpNearest) {
    const std::vector<int64_t> ih = NearestTaps(p.h, p.oh, p.scale_h), iw = NearestTaps(p.w, p.ow, p.scale_w);
    ParallelFor(p.planes, Grain(p), [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      for (int64_t q = lo; q < hi; ++q)
        for (int64_t oy = 0; oy < p.oh; ++oy) {
          float* d = y + q * ohw + oy * p.ow;
          // Upsampling repeats input rows: a repeated row is a copy of the output row above.
          if (oy > 0 && ih[static_cast<size_t>(oy)] == ih[static_cast<size_t>(oy - 1)]) {
            std::memcpy(d, d - p.ow, sizeof(float) * static_cast<size_t>(p.ow));
            continue;
          }
          const float* src = x + q * hw + ih[static_cast<size_t>(oy)] * p.w;
          for (int64_t ox = 0; ox < p.ow; ++ox) d[ox] = src[iw[static_cast<size_t>(ox)]];
        }
    });
    return;
  }
  const std::vector<LinearTap> th = LinearTaps(p.h, p.oh, p.align_corners, p.scale_h);
  const std::vector<LinearTap> tw = LinearTaps(p.w, p.ow, p.align_corners, p.scale_w);
  // Separable: each input row is interpolated along w once into a row cache (consecutive output
  // rows share input rows), then output rows are a vectorisable blend of two cached rows. This is
  // ATen's expression a.l0 * (w-interp of row i0) + a.l1 * (w-interp of row i1), in the same
  // order, so the results are the same bits.
  auto hrow = [&](const float* r, float* out) {
    for (int64_t ox = 0; ox < p.ow; ++ox) {
      const LinearTap& b = tw[static_cast<size_t>(ox)];
      out[ox] = b.l0 * r[b.i0] + b.l1 * r[b.i0 + b.step];
    }
  };
  ChunkedPlanes(p, 2 * p.ow, [&](int64_t lo, int64_t hi, float* cache) {
    for (int64_t q = lo; q < hi; ++q) {
      float* c0 = cache;
      float* c1 = c0 + p.ow;
      int64_t have0 = -1, have1 = -1;  // input rows held by c0 / c1
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const LinearTap& a = th[static_cast<size_t>(oy)];
        const int64_t i0 = a.i0, i1 = a.i0 + a.step;
        if (have0 != i0) {
          if (have1 == i0) {
            std::swap(c0, c1);
            std::swap(have0, have1);
          } else {
            hrow(x + q * hw + i0 * p.w, c0);
            have0 = i0;
          }
        }
        if (have1 != i1) {
          hrow(x + q * hw + i1 * p.w, c1);
          have1 = i1;
        }
        float* d = y + q * ohw + oy * p.ow;
        const float l0 = a.l0, l1 = a.l1;
        for (int64_t ox = 0; ox < p.ow; ++ox) d[ox] = l0 * c0[ox] + l1 * c1[ox];
      }
    }
  });
}

void InterpolateBackward(const InterpParams& p, const float* gy, float* gx) {
  const int64_t hw = p.h * p.w, ohw = p.oh * p.ow;
  // Each task owns whole planes of gx: no two threads add into the same memory.
  if (p.mode == kInterpNearest) {
    const std::vector<int64_t> ih = NearestTaps(p.h, p.oh, p.scale_h), iw = NearestTaps(p.w, p.ow, p.scale_w);
    ParallelFor(p.planes, Grain(p), [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      std::memset(gx + lo * hw, 0, sizeof(float) * static_cast<size_t>((hi - lo) * hw));
      for (int64_t q = lo; q < hi; ++q)
        for (int64_t oy = 0; oy < p.oh; ++oy) {
          float* dst = gx + q * hw + ih[static_cast<size_t>(oy)] * p.w;
          const float* g = gy + q * ohw + oy * p.ow;
          for (int64_t ox = 0; ox < p.ow; ++ox) dst[iw[static_cast<size_t>(ox)]] += g[ox];
        }
    });
    return;
  }
  const std::vector<LinearTap> th = LinearTaps(p.h, p.oh, p.align_corners, p.scale_h);
  const std::vector<LinearTap> tw = LinearTaps(p.w, p.ow, p.align_corners, p.scale_w);
  // The adjoint of the separable forward: output rows are first spread onto the input rows they
  // read (rows of length ow, vectorisable axpys: gr[i] += l * gy[oy]), then each input row's
  // gradient goes back through the w-interpolation once (the scatter runs h times, not oh times).
  if (p.h * p.ow > kMaxRowScratch) {
    ParallelFor(p.planes, Grain(p), [&](int64_t lo, int64_t hi) {
      DenormalGuard dg;
      std::memset(gx + lo * hw, 0, sizeof(float) * static_cast<size_t>((hi - lo) * hw));
      for (int64_t q = lo; q < hi; ++q)
        for (int64_t oy = 0; oy < p.oh; ++oy) {
          const LinearTap& a = th[static_cast<size_t>(oy)];
          float* r0 = gx + q * hw + a.i0 * p.w;
          float* r1 = r0 + a.step * p.w;
          const float* g = gy + q * ohw + oy * p.ow;
          for (int64_t ox = 0; ox < p.ow; ++ox) {
            const LinearTap& b = tw[static_cast<size_t>(ox)];
            const float v0 = a.l0 * g[ox], v1 = a.l1 * g[ox];
            r0[b.i0] += b.l0 * v0;
            r0[b.i0 + b.step] += b.l1 * v0;
            r1[b.i0] += b.l0 * v1;
            r1[b.i0 + b.step] += b.l1 * v1;
          }
        }
    });
    return;
  }
  ChunkedPlanes(p, p.h * p.ow, [&](int64_t lo, int64_t hi, float* rows) {
    for (int64_t q = lo; q < hi; ++q) {
      std::fill(rows, rows + p.h * p.ow, 0.0f);
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        const LinearTap& a = th[static_cast<size_t>(oy)];
        const float* g = gy + q * ohw + oy * p.ow;
        float* r0 = rows + a.i0 * p.ow;
        float* r1 = r0 + a.step * p.ow;
        const float l0 = a.l0, l1 = a.l1;
        for (int64_t ox = 0; ox < p.ow; ++ox) r0[ox] += l0 * g[ox];
        for (int64_t ox = 0; ox < p.ow; ++ox) r1[ox] += l1 * g[ox];
      }
      float* gq = gx + q * hw;
      std::memset(gq, 0, sizeof(float) * static_cast<size_t>(hw));
      for (int64_t iy = 0; iy < p.h; ++iy) {
        const float* r = rows + iy * p.ow;
        float* d = gq + iy * p.w;
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          const LinearTap& b = tw[static_cast<size_t>(ox)];
          d[b.i0] += b.l0 * r[ox];
          d[b.i0 + b.step] += b.l1 * r[ox];
        }
      }
    }
  });
}

}  // namespace torchlet
