// A traced inference plan (torch.jit.trace): a fixed list of steps over values whose per-sample
// sizes are known, run for any batch size N. Weights are copied in (batch norm folded into the
// preceding convolution by the TS layer), activation buffers are assigned once from value
// lifetimes and kept in a pool of arenas reused across runs. Plans are immutable once finished,
// so several runs (threads) may execute one plan at the same time, each with its own arena.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/conv2d.h"
#include "core/pool2d.h"

namespace torchlet {

enum class PlanStepKind : int {
  kConv = 0,
  kMaxPool = 1,
  kAvgPool = 2,
  kAdaptiveAvg = 3,
  kLinear = 4,
  kAffine = 5,
  kAdd = 6,
  kRelu = 7,
  kAct = 8
};

struct PlanStep {
  PlanStepKind kind;
  int in = 0, in2 = -1, out = 0;              // value ids; value 0 is the plan's input
  int act = -1;                               // fused activation on the output (ActOp, core/activation_ext.h), -1: none
  float act_a = 0, act_b = 0;                 // its parameters; kAct steps use the same fields
  Conv2dParams conv{};                        // n is set per run
  Pool2dParams pool{};                        // planes = channels; scaled by N per run
  int64_t a = 0, b = 0, c = 0, d = 0, e = 0;  // linear: rows, in, out; affine: c, hw; adaptive: c, h, w, oh, ow
  std::vector<float> w, bias;                 // conv/linear weights; affine scale (w) and shift (bias)
};

class Plan {
 public:
  // Values: id -> elements per sample. Value 0 (the input) must be added first.
  int AddValue(int64_t per_sample);
  int64_t ValueSize(int id) const { return values_[id]; }
  int NumValues() const { return static_cast<int>(values_.size()); }
  void AddStep(PlanStep s) { steps_.push_back(std::move(s)); }
  // Assigns arena slots from value lifetimes; the plan is immutable afterwards.
  void Finish(int output);
  bool finished() const { return finished_; }
  int64_t InputSize() const { return values_[0]; }
  int64_t OutputSize() const { return values_[output_]; }
  // Runs for batch n: x has n * InputSize() items, y receives n * OutputSize(). `cancel` (nullable)
  // is polled between steps; returns false if the run was cancelled.
  bool Run(int64_t n, const float* x, float* y, const std::atomic<int>* cancel) const;

 private:
  std::vector<float> TakeArena(size_t floats) const;
  void ReturnArena(std::vector<float> a) const;
  const float* Read(int v, const float* x, const float* arena, int64_t n) const;
  float* Write(int v, float* arena, int64_t n) const;

  std::vector<int64_t> values_;
  std::vector<PlanStep> steps_;
  std::vector<int> slot_of_;          // value -> arena slot (-1: the input)
  std::vector<int64_t> slot_offset_;  // per-sample offsets of the slots in the arena
  int64_t arena_per_sample_ = 0;
  int output_ = 0;
  bool finished_ = false;
  mutable std::mutex arenas_mu_;
  mutable std::vector<std::vector<float>> arenas_;
};

}  // namespace torchlet
