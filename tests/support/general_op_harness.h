// Small helpers of the general-op tests (on top of op_test_harness.h): a per-test generator and
// random picks from the awkward sizes every test draws from.
#pragma once
#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "tests/support/op_test_harness.h"

namespace hetsched::test {

// A generator salted with the running test's name (the process seed is printed by test_seed()).
inline std::mt19937_64 rng_for_current_test() {
  return make_rng(std::hash<std::string>{}(::testing::UnitTest::GetInstance()->current_test_info()->name()));
}

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> v) {
  return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng));
}

inline int uniform_int(std::mt19937_64& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

inline int random_batch(std::mt19937_64& rng) { return pick(rng, {1, 2}); }
inline int random_spatial(std::mt19937_64& rng) { return pick(rng, {1, 3, 7, 13}); }
inline int random_channels(std::mt19937_64& rng) { return pick(rng, {1, 3, 5, 13, 17}); }

// A 4D shape [n,h,w,c].
struct Nhwc {
  int n, h, w, c;
  std::vector<int> shape() const { return {n, h, w, c}; }
};
// A random [N,H,W,C], drawn in that order: random_batch, H and W by random_spatial, random_channels.
inline Nhwc random_nhwc(std::mt19937_64& rng) {
  Nhwc s;
  s.n = random_batch(rng);
  s.h = random_spatial(rng);
  s.w = random_spatial(rng);
  s.c = random_channels(rng);
  return s;
}
// The same with H and W uniform in 1..max_hw.
inline Nhwc random_nhwc(std::mt19937_64& rng, int max_hw) {
  Nhwc s;
  s.n = random_batch(rng);
  s.h = uniform_int(rng, 1, max_hw);
  s.w = uniform_int(rng, 1, max_hw);
  s.c = random_channels(rng);
  return s;
}

}  // namespace hetsched::test
