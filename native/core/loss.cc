#include "core/loss.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/kernel_table.h"
#include "core/ops.h"
#include "core/reduce.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// Work (in floats touched) per parallel chunk / per deterministic summation block.
constexpr int64_t kBlockWork = 16384;

struct Sums {
  double a = 0, b = 0, c = 0;
  Sums& operator+=(const Sums& o) {
    a += o.a;
    b += o.b;
    c += o.c;
    return *this;
  }
};

// Sum of f(lo, hi) over fixed blocks of [0, n), the blocks run in parallel and combined in order:
// the result depends only on n and block, never on the thread count.
template <typename F>
Sums BlockSums(int64_t n, int64_t block, F&& f) {
  if (n <= 0) return Sums{};
  block = std::max<int64_t>(1, block);
  const int64_t nb = (n + block - 1) / block;
  if (nb == 1) return f(int64_t{0}, n);
  std::vector<Sums> part(nb);
  ParallelFor(nb, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) part[k] = f(k * block, std::min(n, (k + 1) * block));
  });
  Sums s;
  for (const Sums& p : part) s += p;
  return s;
}

// Upstream gradient for position i: one scalar for all (times the reduction scale) or one each.
struct Upstream {
  const float* g;
  bool per_position;
  double scale;
  double operator[](int64_t i) const { return per_position ? static_cast<double>(g[i]) : g[0] * scale; }
};

// 'mean' divisor, or 1.
inline double Divisor(int reduction, double d) { return reduction == kLossMean ? d : 1.0; }

template <typename T>
int64_t ConvertTargets(const T* t, int64_t m, int64_t c, double ignore_index, int32_t* out) {
  for (int64_t i = 0; i < m; ++i) {
    const double v = static_cast<double>(t[i]);
    if (!std::isfinite(v) || v != std::floor(v)) return i;  // not an integer (even if equal to ignore_index)
    if (v == ignore_index)
      out[i] = -1;
    else if (v >= 0 && v < static_cast<double>(c))
      out[i] = static_cast<int32_t>(v);
    else
      return i;
  }
  return -1;
}

// Max of a row in eight lanes (vectorizes). NaN needs no care here: a NaN item makes its own
// exp(x - max) NaN, so the whole row's log-softmax is NaN either way, as in PyTorch.
inline float RowMax(const float* x, int64_t n) {
  float acc[8];
  for (int u = 0; u < 8; ++u) acc[u] = x[0];
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int u = 0; u < 8; ++u) acc[u] = x[i + u] > acc[u] ? x[i + u] : acc[u];
  for (; i < n; ++i) acc[0] = x[i] > acc[0] ? x[i] : acc[0];
  float m = acc[0];
  for (int u = 1; u < 8; ++u) m = acc[u] > m ? acc[u] : m;
  return m;
}

inline float RowSum(const float* x, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int u = 0; u < 8; ++u) acc[u] += x[i + u];
  for (; i < n; ++i) acc[0] += x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Rows of a group at most this many floats share one exp call (small class counts would otherwise pay
// a kernel call per row).
constexpr int64_t kGroupFloats = 2048;

// Log-softmax of `rows` contiguous rows of n >= 1 items: y = x - (log(sum(exp(x - max))) + max).
// Every pass vectorizes: max and sum in lanes, exp on the per-ISA kernel in one call for the whole
// group (a running sum inside the exp loop would keep exp scalar). m: `rows` floats of scratch.
void LogSoftmaxRows(const KernelTable& kt, const float* x, float* y, int64_t rows, int64_t n, float* m) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float mr = m[r] = RowMax(xr, n);
    for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - mr;
  }
  kt.unary(kExp, y, y, rows * n);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float ls = std::log(RowSum(yr, n)) + m[r];
    for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - ls;
  }
}

// log_softmax over the class dim of [outer, c, inner].
void LogSoftmax(const float* x, int64_t outer, int64_t c, int64_t inner, float* y) {
  if (outer * c * inner == 0) return;
  if (inner != 1) {
    Softmax(x, outer, c, inner, y, /*log=*/true);
    return;
  }
  const KernelTable& kt = Kernels();
  const int64_t group = std::max<int64_t>(1, kGroupFloats / c);
  ParallelFor(outer, std::max<int64_t>(1, kBlockWork / c), [&](int64_t lo, int64_t hi) {
    std::vector<float> m(static_cast<size_t>(std::min(group, hi - lo)));
    for (int64_t o = lo; o < hi; o += group) {
      const int64_t rows = std::min(group, hi - o);
      LogSoftmaxRows(kt, x + o * c, y + o * c, rows, c, m.data());
    }
  });
}

// The loss terms of one non-ignored position: lp points at its class-0 log-probability, classes `inner`
// apart. Adds nll, the smoothing term and the weight to acc; returns the unreduced loss.
inline double PositionNll(const float* lp, int64_t c, int64_t inner, int32_t t, const float* weight, bool smooth,
                          double eps, double eps_c, Sums* acc) {
  const double wt = weight ? static_cast<double>(weight[t]) : 1.0;
  const double nll = -wt * lp[t * inner];
  double sm = 0;
  if (smooth) {
    if (weight)
      for (int64_t j = 0; j < c; ++j) sm -= static_cast<double>(weight[j]) * lp[j * inner];
    else
      for (int64_t j = 0; j < c; ++j) sm -= lp[j * inner];
  }
  acc->a += nll;
  acc->b += sm;
  acc->c += wt;
  return (1 - eps) * nll + eps_c * sm;
}

// Writes the reduced loss from the sums (a: nll, b: smoothing, c: total weight).
void FinishClassLoss(const Sums& s, int64_t c, double eps, int reduction, float* loss) {
  if (reduction == kLossNone) return;
  const bool smooth = eps > 0 && c > 0;
  const double eps_c = smooth ? eps / static_cast<double>(c) : 0.0;
  const double d = Divisor(reduction, s.c);
  if (reduction == kLossMean && d == 0)
    loss[0] = std::numeric_limits<float>::quiet_NaN();
  else
    loss[0] = static_cast<float>(s.a * ((1 - eps) / d) + (smooth ? s.b * (eps_c / d) : 0.0));
}

}  // namespace

int64_t ConvertClassTargets(const float* t, int64_t m, int64_t c, double ignore_index, int32_t* out) {
  return ConvertTargets(t, m, c, ignore_index, out);
}
int64_t ConvertClassTargets(const double* t, int64_t m, int64_t c, double ignore_index, int32_t* out) {
  return ConvertTargets(t, m, c, ignore_index, out);
}
int64_t ConvertClassTargets(const int32_t* t, int64_t m, int64_t c, double ignore_index, int32_t* out) {
  return ConvertTargets(t, m, c, ignore_index, out);
}

// ---- class-index targets -------------------------------------------------------------------------

double ClassNllForward(const float* logp, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                       const float* weight, double eps, int reduction, float* loss) {
  const int64_t m = outer * inner;
  const bool smooth = eps > 0 && c > 0;
  const bool none = reduction == kLossNone;
  const double eps_c = smooth ? eps / static_cast<double>(c) : 0.0;
  const Sums s = BlockSums(m, kBlockWork / (smooth ? c : 4), [&](int64_t lo, int64_t hi) {
    Sums a;
    int64_t b = lo / inner, k = lo - b * inner;
    for (int64_t i = lo; i < hi; ++i) {
      const int32_t t = target[i];
      if (t >= 0) {
        const double l = PositionNll(logp + b * c * inner + k, c, inner, t, weight, smooth, eps, eps_c, &a);
        if (none) loss[i] = static_cast<float>(l);
      } else if (none) {
        loss[i] = 0;
      }
      if (++k == inner) k = 0, ++b;
    }
    return a;
  });
  FinishClassLoss(s, c, eps, reduction, loss);
  return s.c;
}

double CrossEntropyForward(const float* x, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                           const float* weight, double eps, int reduction, float* logp, float* loss) {
  if (inner != 1 || c == 0) {
    std::vector<float> scratch;
    if (!logp) {
      scratch.resize(static_cast<size_t>(outer * c * inner));
      logp = scratch.data();
    }
    LogSoftmax(x, outer, c, inner, logp);
    return ClassNllForward(logp, outer, c, inner, target, weight, eps, reduction, loss);
  }
  // [N, C]: each group of rows' log-softmax and loss in one visit (the group stays in L1). Without
  // logp (no backward to feed) the log-probabilities go to one group of scratch.
  const bool smooth = eps > 0;
  const bool none = reduction == kLossNone;
  const double eps_c = smooth ? eps / static_cast<double>(c) : 0.0;
  const KernelTable& kt = Kernels();
  const int64_t group = std::max<int64_t>(1, kGroupFloats / c);
  const Sums s = BlockSums(outer, kBlockWork / c, [&](int64_t lo, int64_t hi) {
    Sums a;
    const int64_t g = std::min(group, hi - lo);
    std::vector<float> m(static_cast<size_t>(g)), scratch(logp ? 0 : static_cast<size_t>(g * c));
    for (int64_t o0 = lo; o0 < hi; o0 += group) {
      const int64_t rows = std::min(group, hi - o0);
      float* lpg = logp ? logp + o0 * c : scratch.data();
      LogSoftmaxRows(kt, x + o0 * c, lpg, rows, c, m.data());
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t o = o0 + r;
        const int32_t t = target[o];
        if (t >= 0) {
          const double l = PositionNll(lpg + r * c, c, 1, t, weight, smooth, eps, eps_c, &a);
          if (none) loss[o] = static_cast<float>(l);
        } else if (none) {
          loss[o] = 0;
        }
      }
    }
    return a;
  });
  FinishClassLoss(s, c, eps, reduction, loss);
  return s.c;
}

void ClassNllBackward(int64_t outer, int64_t c, int64_t inner, const int32_t* target, const float* weight, double eps,
                      int reduction, double total_weight, const float* g, int64_t g_len, float* gx) {
  const int64_t m = outer * inner;
  std::memset(gx, 0, sizeof(float) * outer * c * inner);
  const bool smooth = eps > 0 && c > 0;
  const double d = Divisor(reduction, total_weight);
  const double s_nll = (1 - eps) / d, s_smooth = smooth ? eps / static_cast<double>(c) / d : 0.0;
  const Upstream up{g, g_len != 1 || m == 1, 1.0};
  ParallelFor(m, std::max<int64_t>(1, kBlockWork / (smooth ? c : 4)), [&](int64_t lo, int64_t hi) {
    int64_t b = lo / inner, k = lo - b * inner;
    for (int64_t i = lo; i < hi; ++i) {
      const int32_t t = target[i];
      if (t >= 0) {
        float* gp = gx + b * c * inner + k;
        const double gi = up[i];
        gp[t * inner] -= static_cast<float>(gi * s_nll * (weight ? weight[t] : 1.0f));
        if (smooth) {
          const double bb = gi * s_smooth;
          if (weight)
            for (int64_t j = 0; j < c; ++j) gp[j * inner] -= static_cast<float>(bb * weight[j]);
          else
            for (int64_t j = 0; j < c; ++j) gp[j * inner] -= static_cast<float>(bb);
        }
      }
      if (++k == inner) k = 0, ++b;
    }
  });
}

void CrossEntropyBackward(const float* logp, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                          const float* weight, double eps, int reduction, double total_weight, const float* g,
                          int64_t g_len, float* gx) {
  // With G = dL/dlogp (G_j = -a w_t [j = t] - b w_j at a non-ignored position, a = g s_nll, b = g s_smooth),
  // the log-softmax backward is dx_j = G_j - softmax_j * S with S = sum_j G_j = -a w_t - b sum(w):
  // one pass, no G buffer.
  const int64_t m = outer * inner, row = c * inner;
  if (m == 0 || c == 0) return;
  const bool smooth = eps > 0;
  const double d = Divisor(reduction, total_weight);
  const double s_nll = (1 - eps) / d, s_smooth = smooth ? eps / static_cast<double>(c) / d : 0.0;
  double wsum = static_cast<double>(c);
  if (weight) {
    wsum = 0;
    for (int64_t j = 0; j < c; ++j) wsum += weight[j];
  }
  const Upstream up{g, g_len != 1 || m == 1, 1.0};
  const KernelTable& kt = Kernels();
  if (inner == 1) {
    // Softmax of the whole chunk in one exp call, then per row dx = -b w + softmax * (-S), dx_t += -a w_t.
    ParallelFor(outer, std::max<int64_t>(1, kBlockWork / c), [&](int64_t lo, int64_t hi) {
      kt.unary(kExp, logp + lo * c, gx + lo * c, (hi - lo) * c);
      for (int64_t o = lo; o < hi; ++o) {
        float* gp = gx + o * c;
        const int32_t t = target[o];
        if (t < 0) {
          std::memset(gp, 0, sizeof(float) * c);
          continue;
        }
        const double gi = up[o];
        const double a = gi * s_nll * (weight ? weight[t] : 1.0f), bb = gi * s_smooth;
        const float b0 = static_cast<float>(-bb), s0 = static_cast<float>(a + bb * wsum);
        if (weight)
          for (int64_t j = 0; j < c; ++j) gp[j] = b0 * weight[j] + gp[j] * s0;
        else
          for (int64_t j = 0; j < c; ++j) gp[j] = b0 + gp[j] * s0;
        gp[t] -= static_cast<float>(a);
      }
    });
    return;
  }
  ParallelFor(outer, std::max<int64_t>(1, kBlockWork / row), [&](int64_t lo, int64_t hi) {
    std::vector<float> nb(inner), ns(inner), na(inner);  // per position: -b, -S, -a w_t
    for (int64_t o = lo; o < hi; ++o) {
      const float* lp = logp + o * row;
      float* gp = gx + o * row;
      bool any = false;
      for (int64_t k = 0; k < inner; ++k) {
        const int32_t t = target[o * inner + k];
        if (t < 0) {
          nb[k] = ns[k] = na[k] = 0.0f;
          continue;
        }
        any = true;
        const double gi = up[o * inner + k];
        const double a = gi * s_nll * (weight ? weight[t] : 1.0f), bb = gi * s_smooth;
        nb[k] = static_cast<float>(-bb);
        ns[k] = static_cast<float>(a + bb * wsum);
        na[k] = static_cast<float>(-a);
      }
      if (!any) {
        std::memset(gp, 0, sizeof(float) * row);
        continue;
      }
      kt.unary(kExp, lp, gp, row);  // softmax
      for (int64_t j = 0; j < c; ++j) {
        const float wj = weight ? weight[j] : 1.0f;
        float* gr = gp + j * inner;
        for (int64_t k = 0; k < inner; ++k) gr[k] = nb[k] * wj + gr[k] * ns[k];
      }
      for (int64_t k = 0; k < inner; ++k) {
        const int32_t t = target[o * inner + k];
        if (t >= 0) gp[t * inner + k] += na[k];
      }
    }
  });
}

// ---- class-probability targets ----------------------------------------------------------------------

void CrossEntropyProbsForward(const float* x, const float* p, int64_t outer, int64_t c, int64_t inner,
                              const float* weight, double eps, int reduction, float* logp, float* loss) {
  const int64_t m = outer * inner;
  LogSoftmax(x, outer, c, inner, logp);
  const bool none = reduction == kLossNone;
  const double eps_c = c > 0 ? eps / static_cast<double>(c) : 0.0;
  const Sums s = BlockSums(m, kBlockWork / std::max<int64_t>(1, c), [&](int64_t lo, int64_t hi) {
    Sums a;
    int64_t b = lo / inner, k = lo - b * inner;
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t base = b * c * inner + k;
      double v = 0;
      for (int64_t j = 0; j < c; ++j) {
        const int64_t idx = base + j * inner;
        const double q = (1 - eps) * p[idx] + eps_c;
        v -= (weight ? static_cast<double>(weight[j]) : 1.0) * q * logp[idx];
      }
      if (none) loss[i] = static_cast<float>(v);
      a.a += v;
      if (++k == inner) k = 0, ++b;
    }
    return a;
  });
  if (!none) loss[0] = static_cast<float>(reduction == kLossMean ? s.a / static_cast<double>(m) : s.a);
}

void CrossEntropyProbsBackward(const float* logp, const float* p, int64_t outer, int64_t c, int64_t inner,
                               const float* weight, double eps, int reduction, const float* g, int64_t g_len, float* gx,
                               float* gp) {
  // G_j = -g w_j q_j (q = (1 - eps) p + eps / c); dx_j = G_j - softmax_j sum(G); dp_j = -g w_j (1 - eps) logp_j.
  const int64_t m = outer * inner, row = c * inner;
  if (m == 0 || c == 0) return;
  const double eps_c = eps / static_cast<double>(c);
  const Upstream up{g, g_len != 1 || m == 1, reduction == kLossMean ? 1.0 / static_cast<double>(m) : 1.0};
  const KernelTable& kt = Kernels();
  ParallelFor(outer, std::max<int64_t>(1, kBlockWork / row), [&](int64_t lo, int64_t hi) {
    if (gx) kt.unary(kExp, logp + lo * row, gx + lo * row, (hi - lo) * row);  // softmax of the chunk
    for (int64_t o = lo; o < hi; ++o) {
      const float* lp = logp + o * row;
      const float* pr = p + o * row;
      for (int64_t k = 0; k < inner; ++k) {
        const double gi = up[o * inner + k];
        if (gx) {
          float* gr = gx + o * row + k;
          double sum = 0;
          for (int64_t j = 0; j < c; ++j)
            sum += static_cast<float>(-gi * (weight ? weight[j] : 1.0f) * ((1 - eps) * pr[j * inner + k] + eps_c));
          for (int64_t j = 0; j < c; ++j) {
            const float gj =
                static_cast<float>(-gi * (weight ? weight[j] : 1.0f) * ((1 - eps) * pr[j * inner + k] + eps_c));
            gr[j * inner] = static_cast<float>(gj - gr[j * inner] * sum);
          }
        }
        if (gp) {
          float* tr = gp + o * row + k;
          for (int64_t j = 0; j < c; ++j)
            tr[j * inner] = static_cast<float>(-gi * (weight ? weight[j] : 1.0f) * (1 - eps) * lp[j * inner + k]);
        }
      }
    }
  });
}

// ---- elementwise losses -------------------------------------------------------------------------------

namespace {

template <int kKind>
inline float PointwiseValue(float x, float y) {
  const float d = x - y;
  return kKind == kMseLoss ? d * d : std::fabs(d);
}

// Sum of f over [lo, hi) in eight double lanes (vectorizable without reassociating one accumulator).
template <int kKind>
double PointwiseSum(const float* x, const float* y, int64_t lo, int64_t hi) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int u = 0; u < 8; ++u) acc[u] += PointwiseValue<kKind>(x[i + u], y[i + u]);
  for (; i < hi; ++i) acc[0] += PointwiseValue<kKind>(x[i], y[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

template <int kKind>
void PointwiseForwardT(const float* x, const float* y, int64_t n, int reduction, float* loss) {
  if (reduction == kLossNone) {
    ParallelFor(n, 1 << 15, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) loss[i] = PointwiseValue<kKind>(x[i], y[i]);
    });
    return;
  }
  const Sums s = BlockSums(n, kBlockWork, [&](int64_t lo, int64_t hi) {
    Sums a;
    a.a = PointwiseSum<kKind>(x, y, lo, hi);
    return a;
  });
  loss[0] = static_cast<float>(reduction == kLossMean ? s.a / static_cast<double>(n) : s.a);
}

// d(loss)/dx for one item; L1: sign(x - y), 0 at x == y, NaN stays NaN (compares used as values, not
// branches, so the loops vectorize).
template <int kKind>
inline float PointwiseSlope(float x, float y) {
  const float d = x - y;
  if (kKind == kMseLoss) return 2.0f * d;
  return static_cast<float>(d > 0.0f) - static_cast<float>(d < 0.0f) + d * 0.0f;
}

template <int kKind>
void PointwiseBackwardT(const float* x, const float* y, int64_t n, int reduction, const float* g, int64_t g_len,
                        float* gx, float* gy) {
  if (!gx && !gy) return;
  const bool per = g_len != 1 || n == 1;
  const float scale =
      static_cast<float>(per ? 1.0 : g[0] * (reduction == kLossMean ? 1.0 / static_cast<double>(n) : 1.0));
  // Write one gradient (gy = -gx), then negate it into the other if both are wanted.
  float* out = gx ? gx : gy;
  const float sgn = gx ? 1.0f : -1.0f;
  ParallelFor(n, 1 << 15, [&](int64_t lo, int64_t hi) {
    if (per) {
      for (int64_t i = lo; i < hi; ++i) out[i] = sgn * g[i] * PointwiseSlope<kKind>(x[i], y[i]);
    } else {
      const float s = sgn * scale;
      for (int64_t i = lo; i < hi; ++i) out[i] = s * PointwiseSlope<kKind>(x[i], y[i]);
    }
    if (gx && gy)
      for (int64_t i = lo; i < hi; ++i) gy[i] = -gx[i];
  });
}

}  // namespace

void PointwiseLossForward(int kind, const float* x, const float* y, int64_t n, int reduction, float* loss) {
  if (kind == kMseLoss)
    PointwiseForwardT<kMseLoss>(x, y, n, reduction, loss);
  else
    PointwiseForwardT<kL1Loss>(x, y, n, reduction, loss);
}

void PointwiseLossBackward(int kind, const float* x, const float* y, int64_t n, int reduction, const float* g,
                           int64_t g_len, float* gx, float* gy) {
  if (kind == kMseLoss)
    PointwiseBackwardT<kMseLoss>(x, y, n, reduction, g, g_len, gx, gy);
  else
    PointwiseBackwardT<kL1Loss>(x, y, n, reduction, g, g_len, gx, gy);
}

namespace {

constexpr int64_t kChunk = 256;  // items per stack-buffer chunk of the BCE passes

// log1p(e) for e in [0, 1] as 2 atanh(s), s = e / (2 + e) in [0, 1/3], by its series to s^15
// (truncation < 2e-9 relative): no branch or select, so the loops using it vectorize (an FP compare
// would keep them scalar under -ftrapping-math), and exact for tiny e (no 1 + e rounding).
inline float Log1pUnit(float e) {
  const float s = e / (e + 2.0f);
  const float z = s * s;
  const float p =
      1.0f +
      z * (1.0f / 3 +
           z * (1.0f / 5 + z * (1.0f / 7 + z * (1.0f / 9 + z * (1.0f / 11 + z * (1.0f / 13 + z * (1.0f / 15)))))));
  return 2.0f * s * p;
}

// sp[k] = softplus(-x[k]) = max(-x, 0) + log1p(exp(-|x|)) for n <= kChunk items (exp on the kernels).
void SoftplusNeg(const KernelTable& kt, const float* x, int64_t n, float* sp) {
  float e[kChunk];
  for (int64_t k = 0; k < n; ++k) sp[k] = -std::fabs(x[k]);
  kt.unary(kExp, sp, e, n);
  // max(-x, 0) = (|x| - x) / 2, exactly and without a compare
  for (int64_t k = 0; k < n; ++k) sp[k] = 0.5f * (std::fabs(x[k]) - x[k]) + Log1pUnit(e[k]);
}

// out[k] = v[(start + k) % len] for k < n: a periodic (broadcast) operand unrolled for one chunk.
// Returns the next phase.
int64_t Periodic(const float* v, int64_t len, int64_t phase, int64_t n, float* out) {
  for (int64_t k = 0; k < n; ++k) {
    out[k] = v[phase];
    if (++phase == len) phase = 0;
  }
  return phase;
}

}  // namespace

void BceWithLogitsForward(const float* x, const float* y, int64_t n, const float* weight, int64_t w_len,
                          const float* pos_weight, int64_t pw_len, int reduction, float* loss) {
  const bool none = reduction == kLossNone;
  const KernelTable& kt = Kernels();
  const Sums s = BlockSums(n, kBlockWork / 2, [&](int64_t lo, int64_t hi) {
    Sums a;
    int64_t iw = weight ? lo % w_len : 0, ip = pos_weight ? lo % pw_len : 0;
    float sp[kChunk], wv[kChunk], pv[kChunk], l[kChunk];
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t c0 = lo; c0 < hi; c0 += kChunk) {
      const int64_t len = std::min(kChunk, hi - c0);
      const float *xc = x + c0, *yc = y + c0;
      SoftplusNeg(kt, xc, len, sp);
      if (pos_weight) {
        ip = Periodic(pos_weight, pw_len, ip, len, pv);
        for (int64_t k = 0; k < len; ++k) l[k] = (1.0f - yc[k]) * xc[k] + (1.0f + (pv[k] - 1.0f) * yc[k]) * sp[k];
      } else {
        for (int64_t k = 0; k < len; ++k) l[k] = (1.0f - yc[k]) * xc[k] + sp[k];
      }
      if (weight) {
        iw = Periodic(weight, w_len, iw, len, wv);
        for (int64_t k = 0; k < len; ++k) l[k] *= wv[k];
      }
      if (none) std::memcpy(loss + c0, l, sizeof(float) * len);
      int64_t k = 0;
      for (; k + 8 <= len; k += 8)
        for (int u = 0; u < 8; ++u) acc[u] += l[k + u];
      for (; k < len; ++k) acc[0] += l[k];
    }
    a.a = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    return a;
  });
  if (!none) loss[0] = static_cast<float>(reduction == kLossMean ? s.a / static_cast<double>(n) : s.a);
}

void BceWithLogitsBackward(const float* x, const float* y, int64_t n, const float* weight, int64_t w_len,
                           const float* pos_weight, int64_t pw_len, int reduction, const float* g, int64_t g_len,
                           float* gx, float* gy) {
  // d/dx = (1 - y) - lw * sigmoid(-x)   (= sigmoid(x) - y without posWeight)
  // d/dy = -x + (pw - 1) * softplus(-x)  (= -x without posWeight)
  const bool per = g_len != 1 || n == 1;
  const float g0 = static_cast<float>(per ? 1.0 : g[0] * (reduction == kLossMean ? 1.0 / static_cast<double>(n) : 1.0));
  const KernelTable& kt = Kernels();
  ParallelFor(n, 1 << 13, [&](int64_t lo, int64_t hi) {
    int64_t iw = weight ? lo % w_len : 0, ip = pos_weight ? lo % pw_len : 0;
    float sig[kChunk], sp[kChunk], nx[kChunk], gi[kChunk], pv[kChunk], wv[kChunk];
    for (int64_t c0 = lo; c0 < hi; c0 += kChunk) {
      const int64_t len = std::min(kChunk, hi - c0);
      const float *xc = x + c0, *yc = y + c0;
      for (int64_t k = 0; k < len; ++k) gi[k] = per ? g[c0 + k] : g0;
      if (weight) {
        iw = Periodic(weight, w_len, iw, len, wv);
        for (int64_t k = 0; k < len; ++k) gi[k] *= wv[k];
      }
      if (pos_weight) ip = Periodic(pos_weight, pw_len, ip, len, pv);
      if (gx) {
        float* o = gx + c0;
        if (pos_weight) {
          for (int64_t k = 0; k < len; ++k) nx[k] = -xc[k];
          kt.unary(kSigmoid, nx, sig, len);
          for (int64_t k = 0; k < len; ++k) o[k] = gi[k] * ((1.0f - yc[k]) - (1.0f + (pv[k] - 1.0f) * yc[k]) * sig[k]);
        } else {
          kt.unary(kSigmoid, xc, sig, len);
          for (int64_t k = 0; k < len; ++k) o[k] = gi[k] * (sig[k] - yc[k]);
        }
      }
      if (gy) {
        float* o = gy + c0;
        if (pos_weight) {
          SoftplusNeg(kt, xc, len, sp);
          for (int64_t k = 0; k < len; ++k) o[k] = gi[k] * ((pv[k] - 1.0f) * sp[k] - xc[k]);
        } else {
          for (int64_t k = 0; k < len; ++k) o[k] = -gi[k] * xc[k];
        }
      }
    }
  });
}

// ---- data loading ---------------------------------------------------------------------------------------

void GatherRows(const float* src, int64_t row, const int32_t* indices, int64_t count, float* out) {
  if (row <= 0) return;
  ParallelFor(count, std::max<int64_t>(1, (int64_t{1} << 16) / row), [&](int64_t lo, int64_t hi) {
    for (int64_t j = lo; j < hi; ++j)
      std::memcpy(out + j * row, src + static_cast<int64_t>(indices[j]) * row, sizeof(float) * row);
  });
}

}  // namespace torchlet
