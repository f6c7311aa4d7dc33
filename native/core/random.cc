#include "core/random.h"

#include <cmath>

namespace torchlet {
namespace {
inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
inline uint64_t SplitMix(uint64_t& z) {
  uint64_t r = (z += 0x9e3779b97f4a7c15ULL);
  r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
  r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
  return r ^ (r >> 31);
}
}  // namespace

void Rng::Seed(uint64_t seed) {
  uint64_t z = seed;
  for (auto& v : s) v = SplitMix(z);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

float Rng::Uniform() { return static_cast<float>(Next() >> 40) * (1.0f / 16777216.0f); }
double Rng::UniformDouble() { return (static_cast<double>(Next() >> 11) + 1.0) * (1.0 / 9007199254740992.0); }

void FillUniform(Rng& rng, float* out, int64_t n, float lo, float hi) {
  const float w = hi - lo;
  for (int64_t i = 0; i < n; ++i) out[i] = lo + w * rng.Uniform();
}

void FillNormal(Rng& rng, float* out, int64_t n, float mean, float std) {
  // Box-Muller, two values per pair of uniforms.
  const double two_pi = 6.283185307179586;
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    const double r = std::sqrt(-2.0 * std::log(rng.UniformDouble())), t = two_pi * rng.UniformDouble();
    out[i] = static_cast<float>(mean + std * r * std::cos(t));
    out[i + 1] = static_cast<float>(mean + std * r * std::sin(t));
  }
  if (i < n) {
    const double r = std::sqrt(-2.0 * std::log(rng.UniformDouble())), t = two_pi * rng.UniformDouble();
    out[i] = static_cast<float>(mean + std * r * std::cos(t));
  }
}

void FillBernoulliScaled(Rng& rng, float* out, int64_t n, float p, float scale) {
  for (int64_t i = 0; i < n; ++i) out[i] = rng.Uniform() >= p ? scale : 0.0f;
}

void RandPerm(Rng& rng, int32_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(i);
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(rng.Next() % static_cast<uint64_t>(i + 1));
    const int32_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}

}  // namespace torchlet
