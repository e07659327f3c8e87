// The auto controller's GPU probe on a real Vulkan device: readings come back without waiting,
// are plausible (a few microseconds to a few milliseconds for one small fill on an idle device), and
// the GPU -> host clock offset is measured again every second where VK_EXT_calibrated_timestamps
// makes that free (the two clocks drift; the H100 read 0 ms idle after 13 s without it).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "gpu/timestamps.h"
#include "scheduler/load_sensors.h"
#include "tests/support/gpu_op_runner.h"

namespace hetsched {
namespace {

TEST(GpuProbe, ReadsBackWithoutWaitingAndRecalibratesTheClockEverySecond) {
  std::string why;
  gpu::VulkanDevice* dev = test::test_gpu_device(&why);
  if (!dev) GTEST_SKIP() << "no Vulkan device: " << why;
  GpuProbe probe(*dev);
  const bool extension = gpu::calibrate_clocks(*dev).from_extension;
  int readings = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2300);
  while (std::chrono::steady_clock::now() < until) {
    probe.submit();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (const auto ms = probe.poll()) {
      ++readings;
      EXPECT_GE(*ms, 0.0);
      EXPECT_LT(*ms, 2000.0) << "a probe of one small fill read " << *ms << " ms";
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
