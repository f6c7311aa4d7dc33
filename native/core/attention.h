// Fused scaled dot-product attention, forward and backward, with a streaming (online) softmax:
// scores are formed one [kBlockQ x kBlockK] tile at a time and never as a whole [L, S] matrix per
// head (FlashAttention's scheme). The forward saves one logsumexp per query row; the backward
// recomputes each tile's probabilities from it. The tile products go through Sgemm / sgemm_dot and
// the exponentials through the kernel table's vectorised exp, so every ISA path is used; a worker
// thread owns whole (batch x head, query block) tasks forward and whole heads backward.
#pragma once
#include <cstdint>

namespace torchlet {

struct AttentionGeom {
  int64_t batch;       // batch x heads, flattened
  int64_t l, s;        // query and key/value lengths
  int64_t e, ev;       // query/key width, value width
  int64_t mask_batch;  // 0: no mask; 1: one mask for all; batch: one per (batch, head)
  int64_t mask_rows;   // l: a row per query; 1: one row of s for every query (key padding)
  float scale;
  bool causal;      // query i sees keys j <= i (PyTorch's tril(ones(L, S)), top-left aligned)
  float dropout_p;  // probability of dropping an attention weight (0: no dropout)
  uint64_t seed;    // dropout: weight (b, i, j) is kept iff hash(seed, (b*l + i)*s + j) >= dropout_p
};

// q [batch, l, e], k [batch, s, e], v [batch, s, ev], mask (additive, -inf excludes) [mask_batch,
// mask_rows, s] or null (may be combined with causal); out [batch, l, ev], lse [batch, l]. A row with every key
// excluded gives NaN, as softmax over all -inf does in PyTorch.
void AttentionForward(const AttentionGeom& g, const float* q, const float* k, const float* v, const float* mask,
                      float* out, float* lse);

// gq, gk, gv (each overwritten) from gout, given the forward's inputs, out and lse.
void AttentionBackward(const AttentionGeom& g, const float* q, const float* k, const float* v, const float* mask,
                       const float* out, const float* lse, const float* gout, float* gq, float* gk, float* gv);

}  // namespace torchlet
