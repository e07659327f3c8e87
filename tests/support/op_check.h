// One op on one executor (CPU, GPU fp32, GPU fp16) against the float64 reference, and the gtest
// fixture that runs a per-op test on every executor with the same generated cases.
//
// Typical use (tests/ops/<op>_test.cpp):
//   class DepthwiseConv2D : public test::OpTest {};
//   TEST_P(DepthwiseConv2D, RandomCases) {
//     auto rng = this->rng();                              // same cases on every executor
//     for (int n = 0; n < cases({.cpu = 200, .gpu = 28, .fp16 = 6}); ++n) {
//       test::GraphBuilder g("dw"); ... g.add_op(...);
//       check(g.graph(), rng);                             // gtest failures are added inside
//     }
//   }
//   HETSCHED_OP_TEST_ON_ALL_EXECUTORS(DepthwiseConv2D);
// The instantiations are named DepthwiseConv2D.RandomCases/Cpu, .../Gpu and .../GpuFp16; the GPU
// ones skip (GTEST_SKIP) without a Vulkan device, and their names match scripts/test.sh's
// no-leak-check regex, as every test that touches Vulkan must.
#pragma once
#include <gtest/gtest.h>

#include <optional>
#include <random>

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
};

// gtest's name of an instantiation: to_string(Executor).
struct ExecutorName {
  std::string operator()(const ::testing::TestParamInfo<Executor>& info) const { return to_string(info.param); }
};

}  // namespace hetsched::test

#define HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Suite)                                                     \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::ValuesIn(::hetsched::test::kAllExecutors), \
                           ::hetsched::test::ExecutorName{})
