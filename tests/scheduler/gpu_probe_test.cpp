// The auto controller's GPU probe on a real Vulkan device: readings come back without waiting,
// are plausible (a few microseconds to a few milliseconds for one small op on an idle device), and
// the GPU -> host clock offset is measured again every second where VK_EXT_calibrated_timestamps
// makes that free (the two clocks drift; the H100 read 0 ms idle after 13 s without it).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "gpu/executor.h"
#include "gpu/timestamps.h"
#include "scheduler/load_sensors.h"
#include "tests/support/conv_cases.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

TEST(GpuProbe, ReadsBackWithoutWaitingAndRecalibratesTheClockEverySecond) {
  std::string why;
  gpu::VulkanDevice* dev = test::test_gpu_device(&why);
  if (!dev) GTEST_SKIP() << "no Vulkan device: " << why;
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  test::GraphBuilder b("probe_net");
  const int x = b.input("x", {1, 16, 16, 8});
  b.add_op(OpType::kConv2D, {x, b.random_constant(rng, "w", {8, 3, 3, 8}, -0.3, 0.3), -1},
           test::same_padded<Conv2DAttributes>(1, Activation::kNone));
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  gpu::GpuExecutor exec(g, *dev, nullptr, gpu::GpuExecutorOptions{});
  GpuProbe probe(g, *dev, exec);
  const bool extension = gpu::calibrate_clocks(*dev).from_extension;
  int readings = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2300);
  while (std::chrono::steady_clock::now() < until) {
    probe.submit();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (const auto ms = probe.poll()) {
      ++readings;
      EXPECT_GE(*ms, 0.0);
      EXPECT_LT(*ms, 2000.0) << "a probe of one small conv read " << *ms << " ms";
    }
  }
  std::printf("%d readings, %d clock calibrations (calibrated timestamps: %s)\n", readings, probe.calibrations(),
              extension ? "yes" : "no");
  EXPECT_GE(readings, 10);
  if (extension) EXPECT_GE(probe.calibrations(), 3) << "2.3 s of probes: calibrated at 0, 1 and 2 s";
  else EXPECT_EQ(probe.calibrations(), 1) << "without the extension a calibration waits for the GPU: never repeated";
}

}  // namespace
}  // namespace hetsched
