// One op on one executor (CPU, GPU fp32, GPU fp16) against the float64 reference, and the gtest
// fixture that runs a per-op test on every executor with the same generated cases.
//
// Typical use (tests/ops/<op>_test.cpp):
//   class DepthwiseConv2D : public test::OpTest {};
//   TEST_P(DepthwiseConv2D, RandomCases) {
//     // Same cases on every executor; prints "DEPTHWISE_CONV_2D Cpu: <worst errors>" at the end.
//     for_each_trial("DEPTHWISE_CONV_2D", {.cpu = 200, .gpu = 28, .fp16 = 6}, [&](std::mt19937_64& rng, int trial) {
//       test::GraphBuilder g("dw"); ... g.add_op(...);
//       return check(g.graph(), rng);                      // gtest failures are added inside
//     });
//   }
//   HETSCHED_OP_TEST_ON_ALL_EXECUTORS(DepthwiseConv2D);
// The instantiations are named DepthwiseConv2D.RandomCases/Cpu, .../Gpu and .../GpuFp16; the GPU
// ones skip (GTEST_SKIP) without a Vulkan device, and their names match scripts/test.sh's
// no-leak-check regex, as every test that touches Vulkan must.
#pragma once
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string_view>
#include <type_traits>

#include "gpu/gpu_kernel.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/op_test_harness.h"
#include "tests/support/op_tolerances.h"

namespace hetsched::test {

// Runs shape inference, then check_op_with for `executor`'s kernel of graph.ops[options.op_index]
// (CPU: options.make_kernel or the registry's, with the op's epilogue; GPU: through GpuOpRunner on
// test_gpu_device() or test_gpu_device_fp16(), `workgroup` forcing its local size and register
// block) with the op's tolerance from op_tolerances.h (and its abs floor, if larger than the
// options'). Without the device the current test is marked skipped and an empty OpCheck is
// returned.
OpCheck check_op(Executor executor, Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options = {},
                 const std::optional<gpu::WorkgroupSize>& workgroup = std::nullopt);

// How many of a generator's cases each executor runs: the first `cpu`, `gpu` or `fp16` of the
// same sequence (lavapipe is slow: the GPU runs a prefix of what the CPU runs).
struct CaseCounts {
  int cpu = 0, gpu = 0, fp16 = 0;
};

// Prints "<label> <executor>: <summary>" (the last line of a random-case test).
void print_summary(std::string_view label, Executor executor, const ErrorSummary& summary);

class OpTest : public ::testing::TestWithParam<Executor> {
 protected:
  void SetUp() override;  // skips the GPU executors when there is no (fp16) Vulkan device
  Executor executor() const { return GetParam(); }
  bool on_gpu() const { return GetParam() != Executor::kCpu; }
  int cases(const CaseCounts& c) const;
  // A generator salted with the test's name without the executor: every executor gets the same
  // cases (the process seed is printed by test_seed(); HETSCHED_SEED reproduces).
  static std::mt19937_64 rng();
  OpCheck check(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options = {},
                const std::optional<gpu::WorkgroupSize>& workgroup = std::nullopt) const {
    return check_op(executor(), graph, rng, options, workgroup);
  }
  // cases(counts) trials of body(rng, trial) on one generator from rng(). A body that returns an
  // OpCheck has it added to an ErrorSummary printed at the end as "<label> <executor>: ..." (see
  // run_trials for on_failure); a body that returns nothing just runs (label unused, no line).
  template <class Body>
  void for_each_trial(std::string_view label, const CaseCounts& counts, Body&& body,
                      OnFailure on_failure = OnFailure::kContinue) const {
    std::mt19937_64 rng = this->rng();
    if constexpr (std::is_void_v<std::invoke_result_t<Body&, std::mt19937_64&, int>>) {
      for (int trial = 0, count = cases(counts); trial < count; ++trial) body(rng, trial);
    } else {
      ErrorSummary summary;
      run_trials(rng, cases(counts), summary, on_failure, body);
      print_summary(label, executor(), summary);
    }
  }
  // The same without a summary: body(rng, trial) returns nothing.
  template <class Body>
  void for_each_trial(const CaseCounts& counts, Body&& body) const {
    for_each_trial("", counts, body);
  }
};

// gtest's name of an instantiation: to_string(Executor).
struct ExecutorName {
  std::string operator()(const ::testing::TestParamInfo<Executor>& info) const { return to_string(info.param); }
};

}  // namespace hetsched::test

#define HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Suite)                                                     \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::ValuesIn(::hetsched::test::kAllExecutors), \
                           ::hetsched::test::ExecutorName{})
