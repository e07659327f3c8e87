// The disabled throughput tests of the CPU kernels (run with --gtest_also_run_disabled_tests):
// single-thread time of one op's kernel.
#pragma once
#include <random>

#include "graph/graph.h"

namespace hetsched::test {

// Runs shape inference, creates the CPU kernel of graph.ops[0] and times it over the whole output
// on random values of its first input (the others are constants): the best of `reps` runs after
// `warmups` unmeasured ones, in seconds.
double best_cpu_kernel_seconds(Graph& graph, std::mt19937_64& rng, int reps, int warmups = 0);

// 2 * MACs / seconds, in GFLOP/s.
double gflops(const Graph& graph, double seconds);

}  // namespace hetsched::test
