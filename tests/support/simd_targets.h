// The CPU's fast paths are compiled per SIMD target and dispatched at run time: the tests run
// their cases on every target this processor supports, not only the best one.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

#include "tests/support/op_test_harness.h"

namespace hetsched::test {

// For every SIMD target compiled in and supported here (at least two are expected: the best one
// and the scalar fallback): pins dispatch to it (checked), runs body(target name) under a
// SCOPED_TRACE of the name, and with OnFailure::kStop ends after a target with a failure. Dispatch
// is back to the best target afterwards.
void for_each_simd_target(OnFailure on_failure, const std::function<void(const char* target)>& body);

// On every target (OnFailure::kContinue): `count` trials of body (run_trials, stopping at the first
// failure) on a fresh make_rng(seed), so every target gets the same cases; prints
// "<label> on <target>: <summary>".
void run_trials_on_every_simd_target(std::string_view label, uint64_t seed, int count, const TrialBody& body);

}  // namespace hetsched::test
