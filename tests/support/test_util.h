// Shared test helpers: a fresh seed each run (printed; HETSCHED_SEED reproduces), error metrics,
// poisoned buffers, and PHWC4 <-> RefTensor conversion.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "graph/op_registry.h"
#include "graph/phwc4.h"

namespace hetsched::test {

// The seed of this test process: HETSCHED_SEED if set, else random; printed once on first use.
uint64_t test_seed();
// A generator seeded from test_seed() and a per-test salt (e.g. the test name's hash).
std::mt19937_64 make_rng(uint64_t salt = 0);

// A value no kernel writes: a signalling marker for "untouched".
inline constexpr float kPoison = -12345.678f;

std::vector<double> random_doubles(std::mt19937_64& rng, size_t n, double lo = -1.0, double hi = 1.0);
RefTensor random_ref(std::mt19937_64& rng, const Shape4& shape, double lo = -1.0, double hi = 1.0);

// ||a - b||_2 / max(||b||_2, tiny) and max |a - b|.
double relative_l2(std::span<const float> a, std::span<const double> b);
double max_abs_diff(std::span<const float> a, std::span<const double> b);

// sqrt(sum (a-b)^2 / max(sum b^2, 1e-30)), each difference squared in float: an executor's output
// `a` against the CPU executor's `b` in the scheduler and whole-graph tests.
double output_rel_l2(std::span<const float> a, std::span<const float> b);

// CPU threads of the executors under test: HETSCHED_TEST_THREADS, default 2. The ThreadSanitizer
// job uses 1: the system TBB is not instrumented, so TSan cannot see its internal synchronization
// and reports false races inside tbb::parallel_for; with one thread the kernels run on the host
// thread and TSan checks what matters here, the host against the GPU queue and the timelines.
int test_threads();

// Points HETSCHED_CACHE_DIR at <temp>/<prefix>_<pid> (this process's own caches); returns true,
// for a namespace-scope `const bool kPrivateCaches = ...` that runs before the tests.
bool use_private_cache_dir(const std::string& prefix);

// PHWC4 float buffer from a NHWC RefTensor, and back (the padding lanes zero).
std::vector<float> to_phwc4(const RefTensor& t);
std::vector<double> phwc4_to_nhwc_double(std::span<const float> phwc4, const Shape4& shape);

// Checks that `phwc4` holds kPoison exactly outside `range` (all batches) and no kPoison inside.
// Returns a description of the first violation, or "" when the buffer is as expected.
std::string check_written_range(std::span<const float> phwc4, const Shape4& shape, const OutputRange& range);

}  // namespace hetsched::test
