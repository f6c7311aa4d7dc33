// Elementwise, reduction and softmax kernels written once as plain loops and compiled per ISA:
// each native/kernels/<isa>.cc includes this file inside its own namespace after its
// `#pragma GCC target`, so the same loops auto-vectorize to SSE2, AVX2 or AVX-512.
// Only <cstdint>/<cstring>/<cmath> are used, and they are included by the ISA file before the
// pragma: an std:: template instantiated here would carry the ISA and could be merged by the
// linker into baseline callers.
//
// The transcendental functions are Cephes-style polynomials (<= 2 ulp in their ranges) so the
// loops vectorize; libm calls would not.

static inline float BitsToFloat(int32_t i) {
  float f;
  std::memcpy(&f, &i, 4);
  return f;
}
static inline int32_t FloatToBits(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i;
}
static inline float Fmax(float a, float b) { return a > b ? a : b; }
static inline float Fmin(float a, float b) { return a < b ? a : b; }
// c ? a : b as a bitwise blend. Clamps written as (x > lo ? x : lo) are min/max patterns that GCC
// refuses to vectorize under its default -ftrapping-math, which kept whole exp/sigmoid/tanh loops
// scalar; the blend computes the same value and vectorizes.
static inline float BlendF(bool c, float a, float b) {
  const int32_t m = -static_cast<int32_t>(c);
  return BitsToFloat((FloatToBits(a) & m) | (FloatToBits(b) & ~m));
}

static inline float ExpF(float x) {
  const float hi = 88.3762626647949f, lo = -103.972084045410f;
  const bool over = x > hi, under = x < lo, nan = x != x;
  // Fmin(Fmax(x, lo), hi) (NaN -> lo), as blends so the loops vectorize. The low clamp is lo, not
  // the smallest normal result's -87.34: results in between are denormals (PyTorch returns them,
  // and softmax of well-separated logits is made of them); clamping there gave exp(-87.34) instead.
  float xc = BlendF(!(x >= lo), lo, x);
  xc = BlendF(xc > hi, hi, xc);
  float fx = xc * 1.44269504088896341f;
  fx = fx < 0 ? fx - 0.5f : fx + 0.5f;
  const int32_t n = static_cast<int32_t>(fx);  // round to nearest
  const float nf = static_cast<float>(n);
  float r = xc - nf * 0.693359375f + nf * 2.12194440e-4f;
  const float z = r * r;
  float y = 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * z + r + 1.0f;
  // 2^n split in two factors so n down to -126-24 stays representable (denormal results).
  const int32_t n1 = n < -126 ? -126 : n;
  const int32_t n2 = n - n1;
  y = y * BitsToFloat((n1 + 127) << 23) * BitsToFloat((n2 + 127) << 23);
  y = under ? 0.0f : y;
  y = over ? BitsToFloat(0x7f800000) : y;
  return nan ? x : y;
}

static inline float LogF(float x) {
  const bool neg = x < 0, zero = x == 0, inf = x == BitsToFloat(0x7f800000), nan = x != x;
  // Denormals: scale up by 2^23 first.
  const bool den = x < 1.17549435e-38f && x > 0;
  float xs = den ? x * 8388608.0f : x;
  int32_t bits = FloatToBits(xs);
  int32_t e = ((bits >> 23) & 0xff) - 126;
  float m = BitsToFloat((bits & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
  e -= den ? 23 : 0;
  const bool small = m < 0.707106781186547524f;
  e -= small ? 1 : 0;
  m = small ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float y = 7.0376836292E-2f;
  y = y * m - 1.1514610310E-1f;
  y = y * m + 1.1676998740E-1f;
  y = y * m - 1.2420140846E-1f;
  y = y * m + 1.4249322787E-1f;
  y = y * m - 1.6668057665E-1f;
  y = y * m + 2.0000714765E-1f;
  y = y * m - 2.4999993993E-1f;
  y = y * m + 3.3333331174E-1f;
  y = y * m * z;
  const float ef = static_cast<float>(e);
  y += ef * -2.12194440e-4f;
  y += -0.5f * z;
  float r = m + y + ef * 0.693359375f;
  r = inf ? x : r;
  r = zero ? -BitsToFloat(0x7f800000) : r;
  r = neg ? BitsToFloat(0x7fc00000) : r;
  return nan ? x : r;
}

static inline float SigmoidF(float x) { return 1.0f / (1.0f + ExpF(-x)); }

static inline float TanhF(float x) {
  const float ax = x < 0 ? -x : x;
  // Small |x|: odd polynomial (Cephes tanhf), accurate where 1 - 2/(e^2x + 1) cancels.
  const float z = x * x;
  float p = -5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  const float small = p * z * x + x;
  const float e = ExpF(2.0f * BlendF(!(ax <= 44.0f), 44.0f, ax));  // Fmin(ax, 44) (NaN -> 44)
  float big = 1.0f - 2.0f / (e + 1.0f);
  big = x < 0 ? -big : big;
  // NaN must come out as NaN (PyTorch propagates it; a diverging run is noticed that way): the
  // clamp above maps it to 44, which would give 1.
  big = x != x ? x : big;
  // x + p*z*x rounds -0 to +0; PyTorch keeps tanh(-0) = -0.
  return ax < 0.625f ? (x == 0 ? x : small) : big;
}

static inline float ApplyUnary(int op, float v) {
  switch (op) {
    case kNeg: return -v;
    case kExp: return ExpF(v);
    case kLog: return LogF(v);
    case kSqrt: return std::sqrt(v);
    case kAbs: return std::fabs(v);
    case kRelu: return v < 0 ? 0.0f : v;  // NaN and -0 pass through, as in PyTorch
    case kSigmoid: return SigmoidF(v);
    case kTanh: return TanhF(v);
    case kSquare: return v * v;
    case kReciprocal: return 1.0f / v;
    case kSign: return v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f);
    default: return v;
  }
}

// One loop per op so each vectorizes on its own.
#define TL_UNARY_LOOP(EXPR)         \
  for (int64_t i = 0; i < n; ++i) { \
    const float v = x[i];           \
    y[i] = (EXPR);                  \
  }                                 \
  break;

static void Unary(int op, const float* x, float* y, int64_t n) {
  switch (op) {
    case kNeg: TL_UNARY_LOOP(-v)
    case kExp: TL_UNARY_LOOP(ExpF(v))
    case kLog: TL_UNARY_LOOP(LogF(v))
    case kSqrt: TL_UNARY_LOOP(std::sqrt(v))
    case kAbs: TL_UNARY_LOOP(std::fabs(v))
    case kRelu: TL_UNARY_LOOP(v < 0 ? 0.0f : v)  // not v > 0 ? v : 0, which maps NaN to 0
    case kSigmoid: TL_UNARY_LOOP(SigmoidF(v))
    case kTanh: TL_UNARY_LOOP(TanhF(v))
    case kSquare: TL_UNARY_LOOP(v * v)
    case kReciprocal: TL_UNARY_LOOP(1.0f / v)
    case kSign: TL_UNARY_LOOP(v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f))
    default: break;
  }
}
#undef TL_UNARY_LOOP

#define TL_GRAD_LOOP(EXPR)            \
  for (int64_t i = 0; i < n; ++i) {   \
    const float xv = x ? x[i] : 0.0f; \
    const float yv = y ? y[i] : 0.0f; \
    const float g = gy[i];            \
    (void)xv;                         \
    (void)yv;                         \
    (void)g;                          \
    gx[i] = (EXPR);                   \
  }                                   \
  break;

static void UnaryBackward(int op, const float* x, const float* y, const float* gy, float* gx, int64_t n) {
  switch (op) {
    case kNeg: TL_GRAD_LOOP(-g)
    case kExp: TL_GRAD_LOOP(g * yv)
    case kLog: TL_GRAD_LOOP(g / xv)
    case kSqrt: TL_GRAD_LOOP(g * 0.5f / yv)
    case kAbs: TL_GRAD_LOOP(xv > 0 ? g : (xv < 0 ? -g : 0.0f))
    case kRelu: TL_GRAD_LOOP(xv <= 0 ? 0.0f : g)  // PyTorch's threshold_backward: NaN passes g
    case kSigmoid: TL_GRAD_LOOP(g * yv * (1.0f - yv))
    case kTanh: TL_GRAD_LOOP(g * (1.0f - yv * yv))
    case kSquare: TL_GRAD_LOOP(g * 2.0f * xv)
    case kReciprocal: TL_GRAD_LOOP(-g * yv * yv)
    case kSign: TL_GRAD_LOOP(0.0f)
    default: break;
  }
}
#undef TL_GRAD_LOOP

static inline float PowF(float a, float b) {
  // Exact small integer exponents are common (x ** 2, x ** 3, x ** -1) and must not go through log.
  return std::pow(a, b);
}

template <int SA, int SB>
static void BinaryLoop(int op, const float* a, const float* b, float* y, int64_t n) {
#define TL_BIN(EXPR)                          \
  for (int64_t i = 0; i < n; ++i) {           \
    const float u = a[i * SA], v = b[i * SB]; \
    y[i] = (EXPR);                            \
  }                                           \
  break;
  switch (op) {
    case kAdd: TL_BIN(u + v)
    case kSub: TL_BIN(u - v)
    case kMul: TL_BIN(u * v)
    case kDiv: TL_BIN(u / v)
    case kPow:
      for (int64_t i = 0; i < n; ++i) y[i] = PowF(a[i * SA], b[i * SB]);
      break;
    case kMaximum: TL_BIN((u != u || v != v) ? u + v : (u > v ? u : v))
    case kMinimum: TL_BIN((u != u || v != v) ? u + v : (u < v ? u : v))
    case kEq: TL_BIN(u == v ? 1.0f : 0.0f)
    case kGt: TL_BIN(u > v ? 1.0f : 0.0f)
    case kLt: TL_BIN(u < v ? 1.0f : 0.0f)
    case kGe: TL_BIN(u >= v ? 1.0f : 0.0f)
    case kLe: TL_BIN(u <= v ? 1.0f : 0.0f)
    case kNe: TL_BIN(u != v ? 1.0f : 0.0f)
    default: break;
  }
#undef TL_BIN
}

static void Binary(int op, const float* a, int sa, const float* b, int sb, float* y, int64_t n) {
  if (sa && sb)
    BinaryLoop<1, 1>(op, a, b, y, n);
  else if (sa)
    BinaryLoop<1, 0>(op, a, b, y, n);
  else if (sb)
    BinaryLoop<0, 1>(op, a, b, y, n);
  else
    BinaryLoop<0, 0>(op, a, b, y, n);
}

static float ReduceRow(int op, const float* x, int64_t n) {
  if (op == kSum || op == kMean) {
    // Eight partial sums: vectorizes, and keeps the rounding error of long rows down.
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] += x[i + j];
    float s = 0;
    for (; i < n; ++i) s += x[i];
    return s + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  }
  float m = x[0];
  bool nan = false;
  if (op == kMax) {
    for (int64_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  } else {
    for (int64_t i = 1; i < n; ++i) m = x[i] < m ? x[i] : m;
  }
  for (int64_t i = 0; i < n; ++i) nan |= x[i] != x[i];
  return nan ? BitsToFloat(0x7fc00000) : m;
}

static void ReduceAccumulate(int op, const float* x, float* acc, int64_t n) {
  switch (op) {
    case kSum:
    case kMean:
      for (int64_t i = 0; i < n; ++i) acc[i] += x[i];
      break;
    case kMax:
      for (int64_t i = 0; i < n; ++i) acc[i] = (x[i] > acc[i] || x[i] != x[i]) ? x[i] : acc[i];
      break;
    case kMin:
      for (int64_t i = 0; i < n; ++i) acc[i] = (x[i] < acc[i] || x[i] != x[i]) ? x[i] : acc[i];
      break;
    default: break;
  }
}

static void Scale(const float* x, float s, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * s;
}

static void SoftmaxRow(const float* x, float* y, int64_t n, bool log) {
  const float m = ReduceRow(kMax, x, n);
  // Subtracting the max keeps exp from overflowing (the numerically stable form PyTorch uses).
  float s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = ExpF(x[i] - m);
    y[i] = e;
    s += e;
  }
  if (log) {
    const float ls = LogF(s) + m;
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] - ls;
  } else {
    const float inv = 1.0f / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}
