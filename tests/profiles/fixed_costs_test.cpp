// The fixed-cost probe's copies by size (profiles/kernel_profiler.h FixedCosts::copies): every kind
// at every size with a positive median on this machine's Vulkan device (the GPU kinds only where
// its queue has timestamps), larger copies costing more, and one dataset FIXED row per copy.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "gpu/device.h"
#include "profiles/dataset_csv.h"
#include "profiles/kernel_profiler.h"
#include "tests/support/gpu_op_runner.h"

namespace hetsched::profiles {
namespace {

TEST(FixedCostsTest, CopyCostNameHoldsKindAndBytes) {
  EXPECT_EQ(copy_cost_name({"staged", 1 << 20, 12.5}), "copy_staged_1048576_us");
  EXPECT_EQ(copy_cost_name({"host_write", 65536, 1}), "copy_host_write_65536_us");
}

TEST(FixedCostsTest, WithoutADeviceNoCopiesAreMeasured) {
  const FixedCosts c = measure_fixed_costs(nullptr, 1, 3);
  EXPECT_GT(c.cpu_task_us, 0);
  EXPECT_TRUE(c.copies.empty());
  EXPECT_EQ(c.copy_us_per_mb, -1);
}

TEST(FixedCostsTest, CopiesByKindAndSizeOnTheDevice) {
  std::string why;
  gpu::VulkanDevice* device = test::test_gpu_device(&why);
  if (!device) GTEST_SKIP() << "no Vulkan device: " << why;
  const bool timestamps = device->info().timestamp_valid_bits > 0;
  const FixedCosts c = measure_fixed_costs(device, 1, 5);

  std::set<std::string> kinds = {"host_write"};
  if (timestamps) kinds.insert({"staged", "device", "readback"});
  std::map<std::pair<std::string, uint64_t>, double> us;
  for (const CopyCost& k : c.copies) {
    EXPECT_TRUE(kinds.count(k.kind)) << k.kind << " on " << device->describe();
    EXPECT_TRUE(std::isfinite(k.us) && k.us > 0) << copy_cost_name(k) << " = " << k.us;
    EXPECT_TRUE(us.emplace(std::pair{k.kind, k.bytes}, k.us).second) << "twice: " << copy_cost_name(k);
  }
  ASSERT_EQ(us.size(), kinds.size() * kCopyProbeBytes.size()) << device->describe();
  for (const std::string& kind : kinds) {
    for (const uint64_t bytes : kCopyProbeBytes) EXPECT_TRUE(us.count({kind, bytes})) << kind << " " << bytes;
    // 256x the bytes: the largest copy costs more than the smallest.
    const double smallest = us[{kind, kCopyProbeBytes.front()}], largest = us[{kind, kCopyProbeBytes.back()}];
    EXPECT_GT(largest, smallest) << kind;
  }
  if (timestamps) {
    EXPECT_GT(c.copy_us_per_mb, 0);  // the old 1 MiB staged probe is still measured
  }

  // One FIXED row per copy, named copy_<kind>_<bytes>_us, on the GPU's rows.
  std::ostringstream csv;
  write_fixed_cost_rows(csv, c, "cpu", 1, "gpu", "driver");
  std::istringstream lines(csv.str());
  std::set<std::string> rows;
  for (std::string line; std::getline(lines, line);) {
    const std::string name = line.substr(0, line.find(','));
    if (name.rfind("copy_", 0) == 0 && name != "copy_us_per_mb") {
      EXPECT_NE(line.find(",FIXED,"), std::string::npos) << line;
      EXPECT_NE(line.find(",gpu,0,fp32,gpu,driver,"), std::string::npos) << line;
      rows.insert(name);
    }
  }
  std::set<std::string> want;
  for (const CopyCost& k : c.copies) want.insert(copy_cost_name(k));
  EXPECT_EQ(rows, want);
}

}  // namespace
}  // namespace hetsched::profiles
