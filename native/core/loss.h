// Loss functions (torch.nn.functional.*_loss), forward and backward, in pure C++17.
//
// Class losses view the input as [outer, c, inner] (PyTorch's (N, C, d1, ...) layout; (C) is outer = 1)
// and positions as the m = outer * inner (b, k) pairs. Values follow PyTorch's reduction rules:
// 'mean' with class weights divides by the total weight of the non-ignored positions; label smoothing
// mixes the target with the uniform distribution, (1 - eps) * onehot + eps / c.
// Sums are accumulated in double over fixed-size blocks and combined in block order, so results do not
// depend on the thread count.
#pragma once
#include <cstdint>

namespace torchlet {

enum LossReduction : int { kLossNone = 0, kLossMean = 1, kLossSum = 2 };
enum PointwiseLoss : int { kMseLoss = 0, kL1Loss = 1 };

// Converts class-index targets (one per position) to int32: valid classes are 0..c-1, and positions
// whose value equals ignore_index become -1. Returns the index of the first value that is not a finite
// integer, or is out of range and not ignore_index; or -1 when all are valid (`out` is then complete).
int64_t ConvertClassTargets(const float* t, int64_t m, int64_t c, double ignore_index, int32_t* out);
int64_t ConvertClassTargets(const double* t, int64_t m, int64_t c, double ignore_index, int32_t* out);
int64_t ConvertClassTargets(const int32_t* t, int64_t m, int64_t c, double ignore_index, int32_t* out);

// NLL of log-probabilities logp with converted targets (-1 = ignored), with optional class weights and
// label smoothing eps. loss: m values ('none') or 1. Returns the total weight of the non-ignored
// positions (their count without weights), the 'mean' divisor the backward needs.
double ClassNllForward(const float* logp, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                       const float* weight, double eps, int reduction, float* loss);

// Cross-entropy on logits x: logp = log_softmax(x) over the class dim (saved for the backward; null:
// not kept), then ClassNllForward. Returns the total weight.
double CrossEntropyForward(const float* x, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                           const float* weight, double eps, int reduction, float* logp, float* loss);

// Gradients for an upstream gradient g (g_len == 1: one scalar for every position, as for 'mean'/'sum';
// else one per position). NLL: gx = dL/dlogp. Cross-entropy: gx = dL/dx through the log-softmax
// (needs the saved logp). total_weight: the forward's return value.
void ClassNllBackward(int64_t outer, int64_t c, int64_t inner, const int32_t* target, const float* weight, double eps,
                      int reduction, double total_weight, const float* g, int64_t g_len, float* gx);
void CrossEntropyBackward(const float* logp, int64_t outer, int64_t c, int64_t inner, const int32_t* target,
                          const float* weight, double eps, int reduction, double total_weight, const float* g,
                          int64_t g_len, float* gx);

// Cross-entropy with class-probability targets p (same layout as x): per position
// -sum_j w_j * ((1 - eps) p_j + eps / c) * logp_j; 'mean' divides by m. Saves logp.
void CrossEntropyProbsForward(const float* x, const float* p, int64_t outer, int64_t c, int64_t inner,
                              const float* weight, double eps, int reduction, float* logp, float* loss);
// gx (nullable) = dL/dx, gp (nullable) = dL/dp.
void CrossEntropyProbsBackward(const float* logp, const float* p, int64_t outer, int64_t c, int64_t inner,
                               const float* weight, double eps, int reduction, const float* g, int64_t g_len, float* gx,
                               float* gp);

// MSE / L1 (kind: PointwiseLoss) of same-shape x and y over n items. loss: n values ('none') or 1.
void PointwiseLossForward(int kind, const float* x, const float* y, int64_t n, int reduction, float* loss);
// gx, gy nullable (gy = -gx).
void PointwiseLossBackward(int kind, const float* x, const float* y, int64_t n, int reduction, const float* g,
                           int64_t g_len, float* gx, float* gy);

// Binary cross-entropy on logits, numerically stable:
// l = w * [(1 - y) x + (1 + (pw - 1) y) * log(1 + e^-x)].
// weight (w_len values) and pos_weight (pw_len values) are nullable; each is read periodically,
// item i using [i % len] (a tensor broadcast over leading dims); len must divide n.
void BceWithLogitsForward(const float* x, const float* y, int64_t n, const float* weight, int64_t w_len,
                          const float* pos_weight, int64_t pw_len, int reduction, float* loss);
void BceWithLogitsBackward(const float* x, const float* y, int64_t n, const float* weight, int64_t w_len,
                           const float* pos_weight, int64_t pw_len, int reduction, const float* g, int64_t g_len,
                           float* gx, float* gy);

// Data loading: out[j] = rows indices[j] of src (row floats each), one memcpy per row. Indices must be
// in range (checked by the caller).
void GatherRows(const float* src, int64_t row, const int32_t* indices, int64_t count, float* out);

}  // namespace torchlet
