// Seeded random numbers. The generator state lives in each addon instance (one per worker_thread),
// so torch.manualSeed in one thread does not disturb another.
#pragma once
#include <cstdint>

namespace torchlet {

struct Rng {
  uint64_t s[4];
  void Seed(uint64_t seed);
  uint64_t Next();         // xoshiro256**
  float Uniform();         // [0, 1) with 24 random bits
  double UniformDouble();  // (0, 1]
};

void FillUniform(Rng& rng, float* out, int64_t n, float lo, float hi);
void FillNormal(Rng& rng, float* out, int64_t n, float mean, float std);
// Dropout mask: out[i] = scale with probability 1 - p, else 0.
void FillBernoulliScaled(Rng& rng, float* out, int64_t n, float p, float scale);
// A random permutation of 0..n-1 (Fisher-Yates), for DataLoader shuffling.
void RandPerm(Rng& rng, int32_t* out, int64_t n);

}  // namespace torchlet
