#include "core/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/denormal.h"
#include "core/gemm.h"
#include "core/ops.h"
#include "core/kernel_table.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

// Tile sizes: a score tile (32 x 64 floats = 8 KB) plus a Q tile and the K/V rows it meets stay in
// L1/L2 for head widths up to 128.
constexpr int64_t kBlockQ = 32;
constexpr int64_t kBlockK = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Counter-based dropout decision, so the backward regenerates exactly the forward's mask without
// storing it (splitmix64 finaliser over seed and the weight's flat index).
inline float DropScale(uint64_t seed, uint64_t idx, float p, float keep_scale) {
  uint64_t z = seed + (idx + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
  return u >= p ? keep_scale : 0.0f;
}

// Scores of query rows [i0, i0 + m) against key rows [j0, j0 + n) of head b into sc (row stride
// kBlockK): scale * q.k (Sgemm over the active ISA's micro-kernel), plus the mask, -inf past the
// causal diagonal.
void ScoreTile(const AttentionGeom& g, const KernelTable& kt, int64_t b, int64_t i0, int64_t m, int64_t j0, int64_t n,
               const float* q, const float* k, const float* mask, float* sc) {
  Sgemm(false, true, m, n, g.e, g.scale, q + (b * g.l + i0) * g.e, g.e, k + (b * g.s + j0) * g.e, g.e, 0.0f, sc,
        kBlockK);
  if (mask) {
    const float* mb = mask + (g.mask_batch == 1 ? 0 : b) * g.mask_rows * g.s;
    for (int64_t i = 0; i < m; ++i) {
      const float* mr = mb + (g.mask_rows == 1 ? 0 : i0 + i) * g.s + j0;
      float* sr = sc + i * kBlockK;
      for (int64_t j = 0; j < n; ++j) sr[j] += mr[j];
    }
  }
  if (g.causal) {
    for (int64_t i = 0; i < m; ++i) {
      float* sr = sc + i * kBlockK;
      for (int64_t j = std::max<int64_t>(0, i0 + i + 1 - j0); j < n; ++j) sr[j] = kNegInf;
    }
  }
}

// The last key block a causal query block [i0, i0 + m) can see.
inline int64_t KeyEnd(const AttentionGeom& g, int64_t i0, int64_t m) { return g.causal ? std::min(g.s, i0 + m) : g.s; }

}  // namespace

void AttentionForward(const AttentionGeom& g, const float* q, const float* k, const float* v, const float* mask,
                      float* out, float* lse) {
  const KernelTable& kt = Kernels();
  const int64_t qblocks = (g.l + kBlockQ - 1) / kBlockQ;
  const float keep_scale = g.dropout_p < 1.0f ? 1.0f / (1.0f - g.dropout_p) : 0.0f;
  ParallelFor(g.batch * qblocks, 1, [&](int64_t t0, int64_t t1) {
    DenormalGuard dg;
    std::vector<float> sc(kBlockQ * kBlockK), acc(kBlockQ * g.ev), mx(kBlockQ), sum(kBlockQ);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / qblocks, i0 = (t % qblocks) * kBlockQ, m = std::min(kBlockQ, g.l - i0);
      std::fill(acc.begin(), acc.begin() + m * g.ev, 0.0f);
      std::fill(mx.begin(), mx.end(), kNegInf);
      std::fill(sum.begin(), sum.end(), 0.0f);
      const int64_t jend = KeyEnd(g, i0, m);
      for (int64_t j0 = 0; j0 < jend; j0 += kBlockK) {
        const int64_t n = std::min(kBlockK, jend - j0);
        ScoreTile(g, kt, b, i0, m, j0, n, q, k, mask, sc.data());
        for (int64_t i = 0; i < m; ++i) {
          float* sr = sc.data() + i * kBlockK;
          float tmax = mx[i];
          for (int64_t j = 0; j < n; ++j) tmax = std::max(tmax, sr[j]);
          // All -inf so far: subtract 0 instead, so exp gives 0 rather than exp(-inf + inf) = NaN.
          const float base = tmax == kNegInf ? 0.0f : tmax;
          const float corr = std::exp(mx[i] - base);
          for (int64_t j = 0; j < n; ++j) sr[j] -= base;
          kt.unary(kExp, sr, sr, n);
          float rs = 0.0f;
          for (int64_t j = 0; j < n; ++j) rs += sr[j];
          sum[i] = sum[i] * corr + rs;
          mx[i] = tmax;
          if (corr != 1.0f) {
            float* ar = acc.data() + i * g.ev;
            for (int64_t c = 0; c < g.ev; ++c) ar[c] *= corr;
          }
          if (g.dropout_p > 0.0f) {
            const uint64_t row = static_cast<uint64_t>((b * g.l + i0 + i) * g.s);
            for (int64_t j = 0; j < n; ++j) sr[j] *= DropScale(g.seed, row + j0 + j, g.dropout_p, keep_scale);
          }
        }
        // acc += P V for the tile (runs inline on this worker: pool regions do not nest).
        Sgemm(false, false, m, g.ev, n, 1.0f, sc.data(), kBlockK, v + (b * g.s + j0) * g.ev, g.ev, 1.0f, acc.data(),
              g.ev);
      }
      for (int64_t i = 0; i < m; ++i) {
        // sum == 0 (every key excluded) leaves 0/0 = NaN, as PyTorch's softmax over all -inf.
        const float inv = 1.0f / sum[i];
        const float* ar = acc.data() + i * g.ev;
        float* orow = out + (b * g.l + i0 + i) * g.ev;
        for (int64_t c = 0; c < g.ev; ++c)
          orow[c] = sum[i] == 0.0f ? std::numeric_limits<float>::quiet_NaN() : ar[c] * inv;
        lse[b * g.l + i0 + i] = mx[i] == kNegInf ? kNegInf : mx[i] + std::log(sum[i]);
      }
    }
  });
}

void AttentionBackward(const AttentionGeom& g, const float* q, const float* k, const float* v, const float* mask,
                       const float* out, const float* lse, const float* gout, float* gq, float* gk, float* gv) {
  const KernelTable& kt = Kernels();
  const float keep_scale = g.dropout_p < 1.0f ? 1.0f / (1.0f - g.dropout_p) : 0.0f;
  // One task per head: its dK and dV sum over every query block, so a head is never split.
  ParallelFor(g.batch, 1, [&](int64_t b0, int64_t b1) {
    DenormalGuard dg;
    std::vector<float> p(kBlockQ * kBlockK), dp(kBlockQ * kBlockK), pd(g.dropout_p > 0.0f ? kBlockQ * kBlockK : 0),
        dsum(g.l);
    for (int64_t b = b0; b < b1; ++b) {
      const float* qb = q + b * g.l * g.e;
      const float* kb = k + b * g.s * g.e;
      const float* vb = v + b * g.s * g.ev;
      const float* gob = gout + b * g.l * g.ev;
      float* gqb = gq + b * g.l * g.e;
      float* gkb = gk + b * g.s * g.e;
      float* gvb = gv + b * g.s * g.ev;
      std::fill(gqb, gqb + g.l * g.e, 0.0f);
      std::fill(gkb, gkb + g.s * g.e, 0.0f);
      std::fill(gvb, gvb + g.s * g.ev, 0.0f);
      // D_i = sum_j P_ij dP_ij = dO_i . O_i (dropout included: both sides carry the same mask).
      for (int64_t i = 0; i < g.l; ++i) {
        const float* a = gob + i * g.ev;
        const float* o = out + (b * g.l + i) * g.ev;
        float d = 0.0f;
        for (int64_t c = 0; c < g.ev; ++c) d += a[c] * o[c];
        dsum[i] = d;
      }
      for (int64_t i0 = 0; i0 < g.l; i0 += kBlockQ) {
        const int64_t m = std::min(kBlockQ, g.l - i0);
        const int64_t jend = KeyEnd(g, i0, m);
        for (int64_t j0 = 0; j0 < jend; j0 += kBlockK) {
          const int64_t n = std::min(kBlockK, jend - j0);
          ScoreTile(g, kt, b, i0, m, j0, n, q, k, mask, p.data());
          // dP (before the dropout scaling) = dO . V^T over the value width.
          kt.sgemm_dot(m, n, g.ev, 1.0f, gob + i0 * g.ev, g.ev, vb + j0 * g.ev, g.ev, 0.0f, dp.data(), kBlockK);
          for (int64_t i = 0; i < m; ++i) {
            float* pr = p.data() + i * kBlockK;
            float* dr = dp.data() + i * kBlockK;
            const float l = lse[b * g.l + i0 + i];
            if (l == kNegInf) {
              // Every key excluded: the forward's row is NaN, and so is its gradient, as PyTorch's.
              for (int64_t j = 0; j < n; ++j) pr[j] = std::numeric_limits<float>::quiet_NaN();
            } else {
              for (int64_t j = 0; j < n; ++j) pr[j] -= l;
              kt.unary(kExp, pr, pr, n);
            }
            const float di = dsum[i0 + i];
            if (g.dropout_p > 0.0f) {
              const uint64_t row = static_cast<uint64_t>((b * g.l + i0 + i) * g.s);
              float* pdr = pd.data() + i * kBlockK;
              for (int64_t j = 0; j < n; ++j) {
                const float z = DropScale(g.seed, row + j0 + j, g.dropout_p, keep_scale);
                pdr[j] = pr[j] * z;
                dr[j] = pr[j] * (dr[j] * z - di) * g.scale;
              }
            } else {
              for (int64_t j = 0; j < n; ++j) dr[j] = pr[j] * (dr[j] - di) * g.scale;
            }
          }
          // dV += (P Z)^T dO; dQ += dS K; dK += dS^T Q (dS in dp, already scaled).
          const float* pz = g.dropout_p > 0.0f ? pd.data() : p.data();
          Sgemm(true, false, n, g.ev, m, 1.0f, pz, kBlockK, gob + i0 * g.ev, g.ev, 1.0f, gvb + j0 * g.ev, g.ev);
          Sgemm(false, false, m, g.e, n, 1.0f, dp.data(), kBlockK, kb + j0 * g.e, g.e, 1.0f, gqb + i0 * g.e, g.e);
          Sgemm(true, false, n, g.e, m, 1.0f, dp.data(), kBlockK, qb + i0 * g.e, g.e, 1.0f, gkb + j0 * g.e, g.e);
        }
      }
    }
  });
}

}  // namespace torchlet
