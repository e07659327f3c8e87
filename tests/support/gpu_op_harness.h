// The per-op GPU test harness: check_cpu_op's twin for the GPU kernels. One test body
// (check_op_with) feeds the same random inputs to the float64 reference and to every device's
// kernel, checks each against the reference, and runs partial slice x row ranges on poisoned
// buffers; check_gpu_op runs the CPU kernel and the GPU kernel (through GpuOpRunner) through it.
//
// Typical use (one random case, graph built with test::GraphBuilder as for check_cpu_op):
//   HETSCHED_SKIP_WITHOUT_GPU();                       // at the top of the TEST
//   test::OpCheck r = test::check_gpu_op(b.graph(), rng);
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cpu/kernel.h"
#include "tests/support/op_test_harness.h"
#include "tests/support/gpu_op_runner.h"

namespace hetsched::test {

// The GPU's default tolerance (relative L2 vs the float64 reference): GPU float math may differ
// (FMA contraction, reassociation, approximate exp/tanh). check_gpu_op uses it when the options
// carry OpCheckOptions' default max_rel_l2 (the CPU's 1e-5); any other value is used as given.
inline constexpr double kGpuDefaultMaxRelL2 = 1e-4;

// CpuKernel::run's signature: PHWC4 host buffers in and out, one output range.
using KernelRun =
    std::function<void(std::span<const cpu::ConstView> inputs, const cpu::MutableView& output, const OutputRange& range)>;

// One device's kernel of the op under test, as the shared test body sees it.
struct DeviceRun {
  std::string device;      // "CPU", "GPU": for messages
  KernelRun run;
  double max_rel_l2 = 1e-5;
  bool partial_ranges = true;  // also run options.partial_ranges random sub-ranges
};

// The shared test body. `graph` must already have been through infer_shapes(). Creates the random
// inputs once (as check_cpu_op does), runs the reference, then for each device in order: the whole
// range on a kPoison-filled buffer (checked: written exactly, padding lanes zero, relative L2 vs
// the reference below the device's tolerance or max-abs <= options.abs_floor) and an empty range
// (must write nothing); then, if the device's partial_ranges is set, options.partial_ranges random
// sub-ranges (check_written_range; values vs that device's whole-range result, bit-exact when
// options.partial_bit_exact). Failures are ADD_FAILUREs naming the device. Returns the metrics of
// the LAST device (the one under test).
OpCheck check_op_with(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                      std::span<const DeviceRun> devices);

// Runs shape inference, then the reference, the CPU kernel (whole range, checked with
// options.max_rel_l2; skipped if the CPU has no kernel for the op) and the GPU kernel on the test
// device (whole range, empty range and partial ranges; tolerance: see kGpuDefaultMaxRelL2), all on
// the same inputs. Without a Vulkan device the current test is marked skipped (with the reason)
// and an empty OpCheck is returned: tests should start with HETSCHED_SKIP_WITHOUT_GPU().
// `workgroup` forces the GPU kernel's local size and register block (GpuOpRunner).
OpCheck check_gpu_op(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options = {},
                     const std::optional<gpu::WorkgroupSize>& workgroup = std::nullopt);

// check_gpu_op's twin for the fp16 shader variants: the GPU kernel on test_gpu_device_fp16()
// (float16 inputs, weights and output; float32 arithmetic) vs the float64 reference within
// `max_rel_l2` (whole, empty and partial ranges; no CPU run). Skips the test without an fp16 device.
inline constexpr double kGpuFp16MaxRelL2 = 5e-3;
OpCheck check_gpu_op_fp16(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options = {},
                          double max_rel_l2 = kGpuFp16MaxRelL2,
                          const std::optional<gpu::WorkgroupSize>& workgroup = std::nullopt);

// The GPU tolerance check_gpu_op uses for `options` (see kGpuDefaultMaxRelL2).
double gpu_max_rel_l2(const OpCheckOptions& options);

}  // namespace hetsched::test

// Skips the current TEST (with the reason) when there is no Vulkan device.
#define HETSCHED_SKIP_WITHOUT_GPU()                                        \
  do {                                                                     \
    std::string hetsched_why_;                                             \
    if (!::hetsched::test::test_gpu_device(&hetsched_why_))                \
      GTEST_SKIP() << "no Vulkan device: " << hetsched_why_;               \
  } while (0)
