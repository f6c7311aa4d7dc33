#include "core/plan.h"

#include <algorithm>
#include <stdexcept>

#include "core/activation_ext.h"
#include "core/elementwise.h"
#include "core/linear.h"
#include "core/ops.h"

namespace torchlet {

int Plan::AddValue(int64_t per_sample) {
  values_.push_back(per_sample);
  return static_cast<int>(values_.size()) - 1;
}

void Plan::Finish(int output) {
  output_ = output;
  const int nv = NumValues();
  // Last step reading each value; the output lives to the end.
  std::vector<int> last_use(nv, -1);
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    last_use[steps_[i].in] = i;
    if (steps_[i].in2 >= 0) last_use[steps_[i].in2] = i;
  }
  last_use[output] = static_cast<int>(steps_.size());
  slot_of_.assign(nv, -1);
  std::vector<int64_t> slot_size;
  std::vector<bool> slot_free;
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    const int v = steps_[i].out;
    const int64_t need = values_[v];
    // Best fit among free slots (smallest that is large enough, else the largest, grown).
    int pick = -1;
    for (int k = 0; k < static_cast<int>(slot_size.size()); ++k) {
      if (!slot_free[k]) continue;
      if (pick < 0) {
        pick = k;
        continue;
      }
      const bool fits = slot_size[k] >= need, pick_fits = slot_size[pick] >= need;
      if ((fits && (!pick_fits || slot_size[k] < slot_size[pick])) ||
          (!fits && !pick_fits && slot_size[k] > slot_size[pick]))
        pick = k;
    }
    if (pick < 0) {
      pick = static_cast<int>(slot_size.size());
      slot_size.push_back(0);
      slot_free.push_back(false);
    }
    slot_size[pick] = std::max(slot_size[pick], need);
    slot_free[pick] = false;
    slot_of_[v] = pick;
    // Inputs whose last reader is this step release their slots for the steps after it.
    for (int in : {steps_[i].in, steps_[i].in2})
      if (in > 0 && last_use[in] == i && slot_of_[in] >= 0) slot_free[slot_of_[in]] = true;
  }
  slot_offset_.assign(slot_size.size(), 0);
  int64_t off = 0;
  for (size_t k = 0; k < slot_size.size(); ++k) {
    slot_offset_[k] = off;
    off += slot_size[k];
  }
  arena_per_sample_ = off;
  finished_ = true;
}

std::vector<float> Plan::TakeArena(size_t floats) const {
  std::vector<float> a;
  {
    std::lock_guard<std::mutex> lk(arenas_mu_);
    if (!arenas_.empty()) {
      a = std::move(arenas_.back());
      arenas_.pop_back();
    }
  }
  if (a.size() < floats) a.resize(floats);
  return a;
}

void Plan::ReturnArena(std::vector<float> a) const {
  std::lock_guard<std::mutex> lk(arenas_mu_);
  // Enough arenas for the runs usually in flight at once; more would only hold memory.
  if (arenas_.size() < 4) arenas_.push_back(std::move(a));
}

const float* Plan::Read(int v, const float* x, const float* arena, int64_t n) const {
  return v == 0 ? x : arena + slot_offset_[slot_of_[v]] * n;
}

float* Plan::Write(int v, float* arena, int64_t n) const { return arena + slot_offset_[slot_of_[v]] * n; }

bool Plan::Run(int64_t n, const float* x, float* y, const std::atomic<int>* cancel) const {
  if (!finished_) throw std::logic_error("plan is not finished");
  std::vector<float> arena = TakeArena(static_cast<size_t>(arena_per_sample_ * n));
  float* ar = arena.data();
  bool done = true;
  for (const PlanStep& s : steps_) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed) != 0) {
      done = false;
      break;
    }
    const float* in = Read(s.in, x, ar, n);
    float* out = Write(s.out, ar, n);
    const int64_t count = values_[s.out] * n;
    switch (s.kind) {
      case PlanStepKind::kConv: {
        Conv2dParams p = s.conv;
        p.n = n;
        Conv2dForward(p, in, s.w.data(), s.bias.empty() ? nullptr : s.bias.data(), out);
        break;
      }
      case PlanStepKind::kMaxPool:
      case PlanStepKind::kAvgPool: {
        Pool2dParams p = s.pool;
        p.planes = s.pool.planes * n;
        if (s.kind == PlanStepKind::kMaxPool)
          MaxPool2dForward(p, in, out, nullptr);
        else
          AvgPool2dForward(p, in, out);
        break;
      }
      case PlanStepKind::kAdaptiveAvg: AdaptiveAvgPool2dForward(s.a * n, s.b, s.c, s.d, s.e, in, out); break;
      case PlanStepKind::kLinear:
        LinearForward(s.a * n, s.b, s.c, in, s.w.data(), s.bias.empty() ? nullptr : s.bias.data(), out);
        break;
      case PlanStepKind::kAffine: {
        // Eval-mode batch norm as y = x * scale[c] + shift[c] over (N, C, HW).
        const int64_t c = s.a, hw = s.b;
        for (int64_t i = 0; i < n * c; ++i) {
          const float k = s.w[i % c], t = s.bias[i % c];
          const float* xi = in + i * hw;
          float* yi = out + i * hw;
          for (int64_t j = 0; j < hw; ++j) yi[j] = xi[j] * k + t;
        }
        break;
      }
      case PlanStepKind::kAdd: {
        const float* b = Read(s.in2, x, ar, n);
        for (int64_t i = 0; i < count; ++i) out[i] = in[i] + b[i];
        break;
      }
      case PlanStepKind::kRelu: UnaryOp(kRelu, in, out, count); break;
      case PlanStepKind::kAct: ActivationForward(s.act, in, out, count, s.act_a, s.act_b); break;
    }
    // The fused activation: one more pass over an output still in cache.
    if (s.act >= 0 && s.kind != PlanStepKind::kAct) ActivationForward(s.act, out, out, count, s.act_a, s.act_b);
  }
  if (done) std::copy(Read(output_, x, ar, n), Read(output_, x, ar, n) + values_[output_] * n, y);
  ReturnArena(std::move(arena));
  return done;
}

}  // namespace torchlet
