// Seeded random tensor values, uniform in [-1, 1): the inputs that profiling, the `auto` decision,
// `hetsched run` without --input, the benchmarks and the examples run on. One definition, so the same
// engine and seed give every caller the same values.
#pragma once
#include <cstddef>
#include <random>
#include <vector>

namespace hetsched {

// `n` values drawn in order from `rng` (std::mt19937, std::mt19937_64, ...).
template <typename Rng>
std::vector<float> random_values(size_t n, Rng& rng, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

}  // namespace hetsched
