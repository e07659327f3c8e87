// Running test cases on every SIMD target (see simd_targets.h).
#include "tests/support/simd_targets.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cpu/simd/simd_target.h"
#include "hwy/targets.h"

namespace hetsched::test {

void for_each_simd_target(OnFailure on_failure, const std::function<void(const char* target)>& body) {
  const std::vector<int64_t> targets = cpu::simd_compiled_targets();
  EXPECT_GE(targets.size(), 2u) << "expected the best target and the fallback at least";
  for (const int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_EQ(cpu::simd_target_name(), hwy::TargetName(target)) << "dispatch did not follow the mock";
    body(hwy::TargetName(target));
    if (on_failure == OnFailure::kStop && ::testing::Test::HasFailure()) break;
  }
  hwy::SetSupportedTargetsForTest(0);
}

void run_trials_on_every_simd_target(std::string_view label, uint64_t seed, int count, const TrialBody& body) {
  for_each_simd_target(OnFailure::kContinue, [&](const char* target) {
    std::mt19937_64 rng = make_rng(seed);
    ErrorSummary summary;
    run_trials(rng, count, summary, OnFailure::kStop, body);
    fmt::print("{} on {}: {}\n", label, target, summary.to_string());
  });
}

}  // namespace hetsched::test
