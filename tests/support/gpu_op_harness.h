// The GPU side of the per-op tests: the skip macro of tests that need a Vulkan device, and the
// fp16 bound of whole models (tests/gpu/fp16_executor_test.cpp). The per-op checks themselves are
// check_op (op_check.h) with Executor::kGpu / kGpuFp16.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"
#include "tests/support/op_tolerances.h"

namespace hetsched::test {

// The fp16 executor's bound on a model's outputs vs the fp32 executor (the ops' default fp16 row).
inline constexpr double kGpuFp16MaxRelL2 = OpTolerance{}.fp16;
inline constexpr double kGpuDefaultMaxRelL2 = OpTolerance{}.gpu;

}  // namespace hetsched::test

// Skips the current TEST (with the reason) when there is no Vulkan device.
#define HETSCHED_SKIP_WITHOUT_GPU()                                        \
  do {                                                                     \
    std::string hetsched_why_;                                             \
    if (!::hetsched::test::test_gpu_device(&hetsched_why_))                \
      GTEST_SKIP() << "no Vulkan device: " << hetsched_why_;               \
  } while (0)
