// The GPU profiler's honest rows (issue #14, profiles/results/h100_2026-12-06-s11/): ops run inside
// another op's fused kernel (a MEAN + FC chain, gpu/gpu_fusions.h) are marked (fused_into, and
// chain_ops on the chain's last op), and the clock guard (profiles/gpu_clock_guard.h) times its
// reference kernel in every measurement's submission (ref_us), re-times a measurement whose
// reference read slow and marks one still slow after the retries (clock_ok 0; not stored in the
// measurement cache). Lavapipe has no clock states: the slow readings come from the guard's test hook.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graph/op_registry.h"
#include "profiles/dataset_csv.h"
#include "profiles/gpu_clock_guard.h"
#include "profiles/kernel_profiler.h"
#include "profiles/measurement_cache.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched::profiles {
namespace {
namespace fs = std::filesystem;

// x [1,6,6,16] -> 1x1 conv (16) -> MEAN over H, W -> FULLY_CONNECTED (16 -> 8): the GPU runs the
// MEAN inside the FC's kernel (a global pool + classifier chain).
Graph head_net(unsigned seed) {
  std::mt19937_64 rng(seed);
  test::GraphBuilder b("head_net");
  const int x = b.input("x", {1, 6, 6, 16});
  Conv2DAttributes c;
  c.padding = Padding::kSame;
  b.add_op(OpType::kConv2D, {x, b.random_constant(rng, "w", {16, 1, 1, 16}), b.random_constant(rng, "b", {16})}, c);
  b.add_op(OpType::kMean, {b.graph().ops.back().outputs[0]}, MeanAttributes{{1, 2}, false});
  b.add_op(OpType::kFullyConnected,
           {b.graph().ops.back().outputs[0], b.random_constant(rng, "fc_w", {8, 16}), b.random_constant(rng, "fc_b", {8})},
           FullyConnectedAttributes{false, Activation::kNone});
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  return g;
}

KernelProfileOptions fast_options() {
  KernelProfileOptions o;
  o.samples = 3;
  o.min_sample_us = 20;
  o.whole_model = false;
  o.fractions = {0.5};
  o.gpu_warmup_ms = 1;
  return o;
}

gpu::VulkanDevice* timestamp_device(std::string* why) {
  gpu::VulkanDevice* d = test::test_gpu_device(why);
  if (d && d->info().timestamp_valid_bits == 0) {
    *why = "no timestamps";
    return nullptr;
  }
  return d;
}

// Column `name` of CSV line `line` under `header` (quoted fields: the device name has commas).
std::string column(const std::string& header, const std::string& line, const std::string& name) {
  auto split = [](const std::string& s) {
    std::vector<std::string> v(1);
    bool quoted = false;
    for (const char ch : s) {
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) v.emplace_back();
      else v.back() += ch;
    }
    return v;
  };
  const auto h = split(header), l = split(line);
  for (size_t i = 0; i < h.size() && i < l.size(); ++i)
    if (h[i] == name) return l[i];
  return "<missing " + name + ">";
}

TEST(ClockGuard, SuspectOnlyAboveToleranceTimesTheBest) {
  EXPECT_FALSE(clock_suspect(12.4, 10, 1.25));
  EXPECT_FALSE(clock_suspect(12.5, 10, 1.25));
  EXPECT_TRUE(clock_suspect(12.6, 10, 1.25));
  EXPECT_TRUE(clock_suspect(35, 10, 1.25));  // a clock at a third of its speed
  EXPECT_FALSE(clock_suspect(35, -1, 1.25));  // no best yet
  EXPECT_FALSE(clock_suspect(-1, 10, 1.25));  // no reading
  EXPECT_TRUE(clock_suspect(11, 10, 1.05));
}

TEST(ClockGuard, TheBestIsTheSecondLowestReadingSoOneSpuriousLowReadingDoesNotFlagTheRest) {
  std::string why;
  gpu::VulkanDevice* device = timestamp_device(&why);
  if (!device) {
    GTEST_SKIP() << "no Vulkan device: " << why;
  }
  std::vector<double> next = {10, 12, 11};  // calibration
  ClockGuardOptions go;
  go.reading_for_testing = [&next](double) {
    const double v = next.front();
    next.erase(next.begin());
    return v;
  };
  GpuClockGuard guard(*device, nullptr, go);
  EXPECT_EQ(guard.best_us(), 11.0);
  next = {2.0};  // a spurious reading
  EXPECT_EQ(guard.observe(0, 1000), 2.0);
  EXPECT_EQ(guard.best_us(), 10.0);
  EXPECT_FALSE(guard.suspect(12.0));
  EXPECT_TRUE(guard.suspect(12.6));
  next = {30.0};  // slow readings never raise the best
  guard.observe(0, 1000);
  EXPECT_EQ(guard.best_us(), 10.0);
}

TEST(ProfilerFusedRows, ElidedOpIsMarkedAndTheChainRowCountsItsOps) {
  std::string why;
  gpu::VulkanDevice* device = timestamp_device(&why);
  if (!device) {
    GTEST_SKIP() << "no Vulkan device: " << why;
  }
  const Graph g = head_net(11);
  ASSERT_EQ(g.ops.size(), 3u);
  std::vector<Measurement> rows;
  ProfileCounters c;
  GpuClockGuard guard(*device, nullptr);
  EXPECT_GT(guard.best_us(), 0);
  profile_gpu_kernels(g, *device, nullptr, nullptr, fast_options(), rows, {}, &c, &guard);
  bool seen[3] = {false, false, false};
  for (const Measurement& m : rows) {
    ASSERT_TRUE(m.op_index >= 0 && m.op_index < 3);
    seen[m.op_index] = true;
    const int want_into[3] = {-1, 2, -1}, want_chain[3] = {1, 1, 2};
    EXPECT_EQ(m.fused_into, want_into[m.op_index]) << "op " << m.op_index << " " << m.features.op_type;
    EXPECT_EQ(m.chain_ops, want_chain[m.op_index]) << "op " << m.op_index;
    EXPECT_GT(m.ref_us, 0) << "op " << m.op_index;  // the reference timed in every submission
    EXPECT_EQ(m.clock_ok, 1) << "op " << m.op_index;  // lavapipe: recorded, never re-timed
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2]);
  EXPECT_EQ(c.fused, std::count_if(rows.begin(), rows.end(), [](const auto& m) { return m.op_index == 1; }));
  if (!guard.retiming()) {
    EXPECT_EQ(c.clock_retimed, 0);
  }

  // The dataset's columns.
  const std::string header = csv_header();
  for (const Measurement& m : rows) {
    std::ostringstream out;
    write_csv_row(out, m);
    const std::string line = out.str().substr(0, out.str().size() - 1);
    EXPECT_EQ(column(header, line, "fused_into"), std::to_string(m.fused_into));
    EXPECT_EQ(column(header, line, "chain_ops"), std::to_string(m.chain_ops));
    EXPECT_EQ(column(header, line, "clock_ok"), "1");
    EXPECT_NEAR(std::stod(column(header, line, "ref_us")), m.ref_us, 1e-3);
  }

  // Without a guard: no reference, clock_ok -1 (not guarded); the fusion marks stay.
  rows.clear();
  profile_gpu_kernels(g, *device, nullptr, nullptr, fast_options(), rows, {}, nullptr);
  for (const Measurement& m : rows) {
    EXPECT_EQ(m.ref_us, -1);
    EXPECT_EQ(m.clock_ok, -1);
    if (m.op_index == 1) {
      EXPECT_EQ(m.fused_into, 2);
    }
  }
}

TEST(ClockGuard, ASlowReferenceIsTimedAgainAndKeptWhenTheRetryReadsFast) {
  std::string why;
  gpu::VulkanDevice* device = timestamp_device(&why);
  if (!device) {
    GTEST_SKIP() << "no Vulkan device: " << why;
  }
  // Readings: calibration's three at 10 us, then each measurement's first at 30 us (clock down)
  // and its retry at 10 (clock up again after the busy spell).
  int n = 0;
  ClockGuardOptions go;
  go.reading_for_testing = [&n](double) { return n++ < 3 ? 10.0 : (n % 2 == 0 ? 30.0 : 10.0); };
  GpuClockGuard guard(*device, nullptr, go);
  EXPECT_TRUE(guard.retiming());
  EXPECT_EQ(guard.best_us(), 10.0);
  std::vector<Measurement> rows;
  ProfileCounters c;
  profile_gpu_kernels(head_net(12), *device, nullptr, nullptr, fast_options(), rows, {}, &c, &guard);
  ASSERT_GT(c.measured, 0);
  EXPECT_EQ(c.clock_retimed, c.measured);  // every measurement once
  EXPECT_EQ(c.clock_off, 0);
  for (const Measurement& m : rows) {
    EXPECT_EQ(m.ref_us, 10.0) << "op " << m.op_index;  // the kept timing's reference
    EXPECT_EQ(m.clock_ok, 1);
    EXPECT_GT(m.stats.median_us, 0);
  }
}

TEST(ClockGuard, AReferenceSlowThroughEveryRetryMarksTheRowAndIsNotCached) {
  std::string why;
  gpu::VulkanDevice* device = timestamp_device(&why);
  if (!device) {
    GTEST_SKIP() << "no Vulkan device: " << why;
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("hetsched_clock_guard_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  int n = 0;
  ClockGuardOptions go;
  go.retries = 2;
  go.reading_for_testing = [&n](double) { return n++ < 3 ? 10.0 : 40.0; };
  GpuClockGuard guard(*device, nullptr, go);
  {
    MeasurementCache cache(dir / "m.json", "build-a");
    KernelProfileOptions o = fast_options();
    o.cache = &cache;
    std::vector<Measurement> rows;
    ProfileCounters c;
    profile_gpu_kernels(head_net(13), *device, nullptr, nullptr, o, rows, {}, &c, &guard);
    ASSERT_GT(c.measured, 0);
    EXPECT_EQ(c.clock_off, c.measured);
    // `retries` re-timings each, until kGiveUpAfter measurements in a row stayed slow: later ones
    // are marked without re-timing.
    EXPECT_EQ(c.clock_retimed, 2 * std::min<int64_t>(c.measured, GpuClockGuard::kGiveUpAfter));
    EXPECT_EQ(cache.size(), 0u);  // timed again by the next profile, not reused
    for (const Measurement& m : rows) {
      EXPECT_EQ(m.clock_ok, 0) << "op " << m.op_index;
      EXPECT_EQ(m.ref_us, 40.0);
    }
    // The dataset row says so.
    std::ostringstream out;
    write_csv_row(out, rows.front());
    EXPECT_EQ(column(csv_header(), out.str().substr(0, out.str().size() - 1), "clock_ok"), "0");
    // More models of the session: past kGiveUpAfter slow measurements in a row, no more re-timing.
    for (int i = 0; i < 3; ++i) profile_gpu_kernels(head_net(14 + i), *device, nullptr, nullptr, o, rows, {}, &c, &guard);
    ASSERT_GT(c.measured, GpuClockGuard::kGiveUpAfter);
    EXPECT_EQ(c.clock_retimed, 2 * GpuClockGuard::kGiveUpAfter);
    EXPECT_EQ(c.clock_off, c.measured);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hetsched::profiles

namespace hetsched::profiles {
namespace {

// Rows timed without the guard are not reused as guarded ones; guarded rows are reused (clock_ok 1,
// no reading of their own: ref_us -1).
TEST(ClockGuard, TheMeasurementCacheKeepsGuardedAndUnguardedRowsApart) {
  std::string why;
  gpu::VulkanDevice* device = timestamp_device(&why);
  if (!device) {
    GTEST_SKIP() << "no Vulkan device: " << why;
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("hetsched_clock_guard_cache_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    MeasurementCache cache(dir / "m.json", "build-a");
    KernelProfileOptions o = fast_options();
    o.cache = &cache;
    GpuClockGuard guard(*device, nullptr);
    const Graph g = head_net(21);
    std::vector<Measurement> rows;
    ProfileCounters unguarded, first, second;
    profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows, {}, &unguarded);
    profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows, {}, &first, &guard);
    profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows, {}, &second, &guard);
    ASSERT_GT(unguarded.measured, 0);
    EXPECT_EQ(first.measured, unguarded.measured);
    EXPECT_EQ(first.reused, 0);
    EXPECT_EQ(second.measured, 0);
    EXPECT_EQ(second.reused, unguarded.measured);
    const size_t n = size_t(unguarded.measured);
    ASSERT_EQ(rows.size(), 3 * n);
    for (size_t i = 2 * n; i < 3 * n; ++i) {
      EXPECT_TRUE(rows[i].reused);
      EXPECT_EQ(rows[i].clock_ok, 1);
      EXPECT_EQ(rows[i].ref_us, -1);
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hetsched::profiles
