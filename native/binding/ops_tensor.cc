// Tensor ops: elementwise, reductions, softmax, layout, GEMM, random fills.
#include <napi.h>

#include <algorithm>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/elementwise.h"
#include "core/gemm.h"
#include "core/kernel_table.h"
#include "core/layout.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/reduce.h"
#include "core/thread_pool.h"

namespace torchlet {
namespace {

using Info = Napi::CallbackInfo;

Napi::Value Unary(const Info& info) {
  const char* op = "unary";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kUnaryCount - 1));
  F32 x = ArgF32(info, 1, op, "x"), y = ArgF32(info, 2, op, "out");
  RequireLen(info.Env(), op, "out", y.length, x.length);
  UnaryOp(code, x.data, y.data, x.length);
  return info.Env().Undefined();
}

Napi::Value UnaryBackward(const Info& info) {
  const char* op = "unaryBackward";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kUnaryCount - 1));
  F32 x = ArgF32(info, 1, op, "x", true), y = ArgF32(info, 2, op, "y", true);
  F32 gy = ArgF32(info, 3, op, "gradOutput"), gx = ArgF32(info, 4, op, "gradInput");
  RequireLen(info.Env(), op, "gradInput", gx.length, gy.length);
  if (x.data) RequireLen(info.Env(), op, "x", x.length, gy.length);
  if (y.data) RequireLen(info.Env(), op, "y", y.length, gy.length);
  if (gy.length == 0) return info.Env().Undefined();  // empty tensors carry no data pointers
  const bool needs_x = code == kLog || code == kAbs || code == kRelu || code == kSquare;
  const bool needs_y = code == kExp || code == kSqrt || code == kSigmoid || code == kTanh || code == kReciprocal;
  Require(info.Env(), !(needs_x && !x.data) && !(needs_y && !y.data), op, "missing saved input or output");
  UnaryBackwardOp(code, x.data, y.data, gy.data, gx.data, gy.length);
  return info.Env().Undefined();
}

// Broadcast shape of a and b, or a thrown error naming both shapes.
Shape Broadcast(Napi::Env env, const char* op, const Shape& a, const Shape& b) {
  Shape y(std::max(a.size(), b.size()));
  for (size_t i = 0; i < y.size(); ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1, db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      Fail(env, op, "shapes " + ShapeStr(a) + " and " + ShapeStr(b) + " cannot be broadcast");
    y[y.size() - 1 - i] = da == 1 ? db : da;
  }
  return y;
}

Napi::Value Binary(const Info& info) {
  const char* op = "binary";
  Napi::Env env = info.Env();
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kBinaryCount - 1));
  F32 a = ArgF32(info, 1, op, "a");
  Shape as = ArgShape(info, 2, op, "aShape");
  F32 b = ArgF32(info, 3, op, "b");
  Shape bs = ArgShape(info, 4, op, "bShape");
  F32 y = ArgF32(info, 5, op, "out");
  RequireLen(env, op, "a", a.length, Numel(env, op, as));
  RequireLen(env, op, "b", b.length, Numel(env, op, bs));
  const Shape ys = Broadcast(env, op, as, bs);
  RequireLen(env, op, "out", y.length, Numel(env, op, ys));
  if (Numel(env, op, ys) > 0) BinaryOp(code, a.data, as, b.data, bs, y.data, ys);
  return env.Undefined();
}

// Same-shape fast path: no shape arrays to unpack (the common case in training loops).
Napi::Value BinarySame(const Info& info) {
  const char* op = "binary";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kBinaryCount - 1));
  F32 a = ArgF32(info, 1, op, "a"), b = ArgF32(info, 2, op, "b"), y = ArgF32(info, 3, op, "out");
  RequireLen(info.Env(), op, "b", b.length, a.length);
  RequireLen(info.Env(), op, "out", y.length, a.length);
  const KernelTable& kt = Kernels();
  ParallelFor(a.length, 1 << 15,
              [&](int64_t lo, int64_t hi) { kt.binary(code, a.data + lo, 1, b.data + lo, 1, y.data + lo, hi - lo); });
  return info.Env().Undefined();
}

Napi::Value BinaryScalar(const Info& info) {
  const char* op = "binaryScalar";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kBinaryCount - 1));
  F32 a = ArgF32(info, 1, op, "a");
  const float s = static_cast<float>(ArgNumber(info, 2, op, "scalar"));
  F32 y = ArgF32(info, 3, op, "out");
  const bool reversed = ArgBool(info, 4);  // s op a instead of a op s
  RequireLen(info.Env(), op, "out", y.length, a.length);
  const KernelTable& kt = Kernels();
  ParallelFor(a.length, 1 << 15, [&](int64_t lo, int64_t hi) {
    if (reversed)
      kt.binary(code, &s, 0, a.data + lo, 1, y.data + lo, hi - lo);
    else
      kt.binary(code, a.data + lo, 1, &s, 0, y.data + lo, hi - lo);
  });
  return info.Env().Undefined();
}

Napi::Value SumTo(const Info& info) {
  const char* op = "sumTo";
  Napi::Env env = info.Env();
  F32 g = ArgF32(info, 0, op, "grad");
  Shape gs = ArgShape(info, 1, op, "gradShape");
  F32 out = ArgF32(info, 2, op, "out");
  Shape os = ArgShape(info, 3, op, "outShape");
  RequireLen(env, op, "grad", g.length, Numel(env, op, gs));
  RequireLen(env, op, "out", out.length, Numel(env, op, os));
  Require(env, Broadcast(env, op, gs, os) == gs, op, ShapeStr(os) + " does not broadcast to " + ShapeStr(gs));
  SumToShape(g.data, gs, out.data, os);
  return env.Undefined();
}

// (x, outer, n, inner) shared by the reductions; checks x holds outer*n*inner values.
struct Axis {
  int64_t outer, n, inner;
};
Axis ArgAxis(const Info& info, size_t i, const char* op, const F32& x) {
  Axis a{ArgInt(info, i, op, "outer", 0), ArgInt(info, i + 1, op, "n", 0), ArgInt(info, i + 2, op, "inner", 0)};
  RequireLen(info.Env(), op, "x", x.length, Vol(info.Env(), op, {a.outer, a.n, a.inner}));
  return a;
}

Napi::Value ReduceJs(const Info& info) {
  const char* op = "reduce";
  const int code = static_cast<int>(ArgInt(info, 0, op, "op", 0, kReduceCount - 1));
  F32 x = ArgF32(info, 1, op, "x");
  Axis ax = ArgAxis(info, 2, op, x);
  F32 y = ArgF32(info, 5, op, "out");
  RequireLen(info.Env(), op, "out", y.length, Vol(info.Env(), op, {ax.outer, ax.inner}));
  Require(info.Env(), ax.n > 0 || code == kSum, op, "cannot reduce over an empty dimension");
  if (ax.n == 0)
    std::fill(y.data, y.data + y.length, 0.0f);
  else
    Reduce(code, x.data, ax.outer, ax.n, ax.inner, y.data);
  return info.Env().Undefined();
}

Napi::Value ArgReduceJs(const Info& info) {
  const char* op = "argReduce";
  const bool is_max = ArgBool(info, 0);
  F32 x = ArgF32(info, 1, op, "x");
  Axis ax = ArgAxis(info, 2, op, x);
  F32 v = ArgF32(info, 5, op, "values");
  I32 idx = ArgI32(info, 6, op, "indices");
  RequireLen(info.Env(), op, "values", v.length, Vol(info.Env(), op, {ax.outer, ax.inner}));
  RequireLen(info.Env(), op, "indices", idx.length, Vol(info.Env(), op, {ax.outer, ax.inner}));
  Require(info.Env(), ax.n > 0, op, "cannot reduce over an empty dimension");
  ArgReduce(is_max, x.data, ax.outer, ax.n, ax.inner, v.data, idx.data);
  return info.Env().Undefined();
}

// scatterAlongDim(grad, indices, outer, n, inner, out): out[o, indices[o, j], j] += grad[o, j].
Napi::Value ScatterAlongDimJs(const Info& info) {
  const char* op = "scatterAlongDim";
  Napi::Env env = info.Env();
  F32 g = ArgF32(info, 0, op, "grad");
  I32 idx = ArgI32(info, 1, op, "indices");
  const int64_t outer = ArgInt(info, 2, op, "outer", 0), n = ArgInt(info, 3, op, "n", 0),
                inner = ArgInt(info, 4, op, "inner", 0);
  F32 out = ArgF32(info, 5, op, "out");
  RequireLen(env, op, "grad", g.length, Vol(env, op, {outer, inner}));
  RequireLen(env, op, "indices", idx.length, Vol(env, op, {outer, inner}));
  RequireLen(env, op, "out", out.length, Vol(env, op, {outer, n, inner}));
  for (int64_t i = 0; i < idx.length; ++i)
    Require(env, idx.data[i] >= 0 && idx.data[i] < n, op,
            "index " + std::to_string(idx.data[i]) + " at " + std::to_string(i) + " is out of range for size " +
                std::to_string(n));
  ScatterAlongDim(g.data, idx.data, outer, n, inner, out.data);
  return env.Undefined();
}

Napi::Value SoftmaxJs(const Info& info) {
  const char* op = "softmax";
  F32 x = ArgF32(info, 0, op, "x");
  Axis ax = ArgAxis(info, 1, op, x);
  F32 y = ArgF32(info, 4, op, "out");
  RequireLen(info.Env(), op, "out", y.length, x.length);
  if (x.length) Softmax(x.data, ax.outer, ax.n, ax.inner, y.data, ArgBool(info, 5));
  return info.Env().Undefined();
}

Napi::Value SoftmaxBackwardJs(const Info& info) {
  const char* op = "softmaxBackward";
  F32 y = ArgF32(info, 0, op, "y");
  F32 gy = ArgF32(info, 1, op, "gradOutput");
  Axis ax = ArgAxis(info, 2, op, y);
  F32 gx = ArgF32(info, 5, op, "gradInput");
  RequireLen(info.Env(), op, "gradOutput", gy.length, y.length);
  RequireLen(info.Env(), op, "gradInput", gx.length, y.length);
  if (y.length) SoftmaxBackward(y.data, gy.data, ax.outer, ax.n, ax.inner, gx.data, ArgBool(info, 6));
  return info.Env().Undefined();
}

Napi::Value PermuteJs(const Info& info) {
  const char* op = "permute";
  Napi::Env env = info.Env();
  F32 x = ArgF32(info, 0, op, "x");
  Shape shape = ArgShape(info, 1, op, "shape");
  Shape perm = ArgShape(info, 2, op, "perm");
  F32 y = ArgF32(info, 3, op, "out");
  RequireLen(env, op, "x", x.length, Numel(env, op, shape));
  RequireLen(env, op, "out", y.length, x.length);
  Require(env, perm.size() == shape.size(), op, "perm must have one entry per dim");
  std::vector<bool> seen(shape.size(), false);
  for (int64_t p : perm) {
    Require(env, p < static_cast<int64_t>(shape.size()) && !seen[p], op,
            "perm " + ShapeStr(perm) + " is not a permutation");
    seen[p] = true;
  }
  Permute(x.data, shape, perm, y.data);
  return env.Undefined();
}

// copy2d(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols)
Napi::Value Copy2dJs(const Info& info) {
  const char* op = "copy2d";
  Napi::Env env = info.Env();
  F32 src = ArgF32(info, 0, op, "src");
  const int64_t so = ArgInt(info, 1, op, "srcOffset", 0), ss = ArgInt(info, 2, op, "srcStride", 0);
  F32 dst = ArgF32(info, 3, op, "dst");
  const int64_t dO = ArgInt(info, 4, op, "dstOffset", 0), ds = ArgInt(info, 5, op, "dstStride", 0);
  const int64_t rows = ArgInt(info, 6, op, "rows", 0), cols = ArgInt(info, 7, op, "cols", 0);
  if (rows == 0 || cols == 0) return env.Undefined();
  Require(env, cols <= ss && cols <= ds, op, "cols exceeds a row stride");
  RequireLen(env, op, "src", src.length, Span(env, op, rows, ss, so + cols), true);
  RequireLen(env, op, "dst", dst.length, Span(env, op, rows, ds, dO + cols), true);
  Copy2d(src.data + so, ss, dst.data + dO, ds, rows, cols);
  return env.Undefined();
}

// gemm(batch, transA, transB, m, n, k, a, strideA, b, strideB, c, strideC, alpha, beta):
// per batch item, C = alpha op(A) op(B) + beta C; a stride of 0 reuses one matrix for every item.
Napi::Value GemmJs(const Info& info) {
  const char* op = "matmul";
  Napi::Env env = info.Env();
  const int64_t batch = ArgInt(info, 0, op, "batch", 0);
  const bool ta = ArgBool(info, 1), tb = ArgBool(info, 2);
  const int64_t m = ArgInt(info, 3, op, "m", 0), n = ArgInt(info, 4, op, "n", 0), k = ArgInt(info, 5, op, "k", 0);
  F32 a = ArgF32(info, 6, op, "a");
  const int64_t sa = ArgInt(info, 7, op, "strideA", 0);
  F32 b = ArgF32(info, 8, op, "b");
  const int64_t sb = ArgInt(info, 9, op, "strideB", 0);
  F32 c = ArgF32(info, 10, op, "c");
  const int64_t sc = ArgInt(info, 11, op, "strideC", 0);
  const float alpha = static_cast<float>(ArgNumber(info, 12, op, "alpha"));
  const float beta = static_cast<float>(ArgNumber(info, 13, op, "beta"));
  if (batch == 0 || m == 0 || n == 0) return env.Undefined();
  RequireLen(env, op, "a", a.length, Span(env, op, batch, sa, Vol(env, op, {m, k})), true);
  RequireLen(env, op, "b", b.length, Span(env, op, batch, sb, Vol(env, op, {k, n})), true);
  RequireLen(env, op, "c", c.length, Span(env, op, batch, sc, Vol(env, op, {m, n})), true);
  Require(env, sc >= m * n || batch == 1, op, "output batch items overlap");
  for (int64_t i = 0; i < batch; ++i)
    Sgemm(ta, tb, m, n, k, alpha, a.data + i * sa, ta ? m : k, b.data + i * sb, tb ? k : n, beta, c.data + i * sc, n);
  return env.Undefined();
}

Napi::Value RandUniform(const Info& info) {
  F32 out = ArgF32(info, 0, "rand", "out");
  FillUniform(Instance(info.Env()).rng, out.data, out.length, static_cast<float>(ArgNumber(info, 1, "rand", "low")),
              static_cast<float>(ArgNumber(info, 2, "rand", "high")));
  return info.Env().Undefined();
}

Napi::Value RandNormal(const Info& info) {
  F32 out = ArgF32(info, 0, "randn", "out");
  FillNormal(Instance(info.Env()).rng, out.data, out.length, static_cast<float>(ArgNumber(info, 1, "randn", "mean")),
             static_cast<float>(ArgNumber(info, 2, "randn", "std")));
  return info.Env().Undefined();
}

Napi::Value Bernoulli(const Info& info) {
  F32 out = ArgF32(info, 0, "dropout", "out");
  const double p = ArgNumber(info, 1, "dropout", "p");
  Require(info.Env(), p >= 0 && p <= 1, "dropout", "p must be in [0, 1], got " + std::to_string(p));
  FillBernoulliScaled(Instance(info.Env()).rng, out.data, out.length, static_cast<float>(p),
                      static_cast<float>(ArgNumber(info, 2, "dropout", "scale")));
  return info.Env().Undefined();
}

Napi::Value RandPermJs(const Info& info) {
  I32 out = ArgI32(info, 0, "randperm", "out");
  RandPerm(Instance(info.Env()).rng, out.data, out.length);
  return info.Env().Undefined();
}

}  // namespace

void RegisterTensorOps(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"unary", Unary},
      {"unaryBackward", UnaryBackward},
      {"binary", Binary},
      {"binarySame", BinarySame},
      {"binaryScalar", BinaryScalar},
      {"sumTo", SumTo},
      {"reduce", ReduceJs},
      {"argReduce", ArgReduceJs},
      {"scatterAlongDim", ScatterAlongDimJs},
      {"softmax", SoftmaxJs},
      {"softmaxBackward", SoftmaxBackwardJs},
      {"permute", PermuteJs},
      {"copy2d", Copy2dJs},
      {"gemm", GemmJs},
      {"randUniform", RandUniform},
      {"randNormal", RandNormal},
      {"bernoulli", Bernoulli},
      {"randperm", RandPermJs},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace torchlet
