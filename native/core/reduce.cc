#include "core/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/kernel_table.h"
#include "core/ops.h"
#include "core/thread_pool.h"

namespace torchlet {

void Reduce(int op, const float* x, int64_t outer, int64_t n, int64_t inner, float* y) {
  const KernelTable& kt = Kernels();
  const float scale = op == kMean ? 1.0f / static_cast<float>(n) : 1.0f;
  if (inner == 1 && outer == 1 && n >= (1 << 16)) {
    // One long row (a full reduction): split it across threads and combine the partial results,
    // or a single core caps it at one core's memory bandwidth.
    constexpr int64_t kChunk = 1 << 15;
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    std::vector<float> part(chunks);
    ParallelFor(chunks, 4, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) part[c] = kt.reduce_row(op, x + c * kChunk, std::min(kChunk, n - c * kChunk));
    });
    y[0] = kt.reduce_row(op == kMean ? kSum : op, part.data(), chunks) * scale;
    return;
  }
  if (inner == 1) {
    ParallelFor(outer, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) y[o] = kt.reduce_row(op, x + o * n, n) * scale;
    });
    return;
  }
  // Strided: accumulate whole rows of `inner` items, which vectorizes along inner.
  ParallelFor(outer * inner, 4096, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi;) {
      const int64_t o = t / inner, j0 = t % inner, j1 = std::min(inner, j0 + (hi - t));
      float* acc = y + o * inner + j0;
      const float* base = x + o * n * inner;
      std::memcpy(acc, base + j0, (j1 - j0) * sizeof(float));
      for (int64_t r = 1; r < n; ++r) kt.reduce_accumulate(op, base + r * inner + j0, acc, j1 - j0);
      if (scale != 1.0f) kt.scale(acc, scale, acc, j1 - j0);
      t += j1 - j0;
    }
  });
}

void ArgReduce(bool is_max, const float* x, int64_t outer, int64_t n, int64_t inner, float* values, int32_t* indices) {
  ParallelFor(outer * inner, 1024, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t o = t / inner, j = t % inner;
      const float* p = x + o * n * inner + j;
      float best = p[0];
      int32_t bi = 0;
      if (best == best) {
        for (int64_t r = 1; r < n; ++r) {
          const float v = p[r * inner];
          if (v != v) {
            best = v;
            bi = static_cast<int32_t>(r);
            break;
          }
          if (is_max ? v > best : v < best) {
            best = v;
            bi = static_cast<int32_t>(r);
          }
        }
      }
      values[t] = best;
      indices[t] = bi;
    }
  });
}

void ScatterAlongDim(const float* g, const int32_t* indices, int64_t outer, int64_t n, int64_t inner, float* gx) {
  ParallelFor(outer, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, inner)), [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t t = o * inner + j;
        gx[(o * n + indices[t]) * inner + j] += g[t];
      }
  });
}

void Softmax(const float* x, int64_t outer, int64_t n, int64_t inner, float* y, bool log) {
  const KernelTable& kt = Kernels();
  if (inner == 1) {
    ParallelFor(outer, std::max<int64_t>(1, 2048 / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) kt.softmax_row(x + o * n, y + o * n, n, log);
    });
    return;
  }
  ParallelFor(outer, 1, [&](int64_t lo, int64_t hi) {
    std::vector<float> m(inner), s(inner), tmp(inner);
    for (int64_t o = lo; o < hi; ++o) {
      const float* xb = x + o * n * inner;
      float* yb = y + o * n * inner;
      std::memcpy(m.data(), xb, inner * sizeof(float));
      for (int64_t r = 1; r < n; ++r) kt.reduce_accumulate(kMax, xb + r * inner, m.data(), inner);
      std::fill(s.begin(), s.end(), 0.0f);
      for (int64_t r = 0; r < n; ++r) {
        for (int64_t j = 0; j < inner; ++j) tmp[j] = xb[r * inner + j] - m[j];
        kt.unary(kExp, tmp.data(), yb + r * inner, inner);
        kt.reduce_accumulate(kSum, yb + r * inner, s.data(), inner);
      }
      if (log) {
        kt.unary(kLog, s.data(), s.data(), inner);
        for (int64_t r = 0; r < n; ++r)
          for (int64_t j = 0; j < inner; ++j) yb[r * inner + j] = xb[r * inner + j] - m[j] - s[j];
      } else {
        for (int64_t j = 0; j < inner; ++j) s[j] = 1.0f / s[j];
        for (int64_t r = 0; r < n; ++r)
          for (int64_t j = 0; j < inner; ++j) yb[r * inner + j] *= s[j];
      }
    }
  });
}

void SoftmaxBackward(const float* y, const float* gy, int64_t outer, int64_t n, int64_t inner, float* gx, bool log) {
  // softmax:     gx = y * (gy - sum(gy * y))
  // log_softmax: gx = gy - exp(y) * sum(gy)
  ParallelFor(outer * inner, 256, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t o = t / inner, j = t % inner;
      const int64_t base = o * n * inner + j;
      float s = 0;
      if (log) {
        for (int64_t r = 0; r < n; ++r) s += gy[base + r * inner];
        for (int64_t r = 0; r < n; ++r) gx[base + r * inner] = gy[base + r * inner] - std::exp(y[base + r * inner]) * s;
      } else {
        for (int64_t r = 0; r < n; ++r) s += gy[base + r * inner] * y[base + r * inner];
        for (int64_t r = 0; r < n; ++r) gx[base + r * inner] = y[base + r * inner] * (gy[base + r * inner] - s);
      }
    }
  });
}

}  // namespace torchlet
