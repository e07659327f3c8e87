// Op epilogues on the GPU: every producer shader (conv2d, depthwise_conv2d, fully_connected,
// transpose_conv, unary, elementwise_binary) with random epilogues vs the float64 reference, whole
// range and partial slice x row ranges on poisoned buffers, and the CPU on the same inputs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/epilogue_cases.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

TEST(EpilogueGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::make_rng(51);
  test::ErrorSummary summary;
  for (int i = 0; i < 60; ++i) {
    test::EpilogueCase c = test::make_epilogue_case(rng, i);
    SCOPED_TRACE(c.description);
    test::OpCheckOptions o;
    o.abs_floor = 1e-5;
    summary.add(test::check_gpu_op(c.builder.graph(), rng, o));
    if (HasFailure()) break;
  }
  fmt::print("epilogues (GPU): {}\n", summary.to_string());
}

}  // namespace
}  // namespace hetsched
