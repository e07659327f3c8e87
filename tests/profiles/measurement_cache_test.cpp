// The profiler's measurement reuse (profiles/kernel_key.h, profiles/measurement_cache.h): a kernel
// configuration repeated in a graph is timed once and its rows reused; a configuration that differs
// in one feature (stride, channels, activation, epilogue, input shape) is timed again; the cache
// persists across profiler calls of one build, is not used by another build, and a corrupt file is
// moved aside with a message naming it; adaptive repetition stops early on a tight spread; the
// range share leaves out partial ranges deterministically; an op after a reused one is timed on
// the values a real run gives it (the reused op still runs once).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph/op_registry.h"
#include "profiles/kernel_key.h"
#include "profiles/kernel_profiler.h"
#include "profiles/measurement_cache.h"
#include "base/random_values.h"
#include "cpu/executor.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched::profiles {
namespace {
namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / fmt::format("hetsched_measurement_cache_{}_{}", name, ::getpid());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

Conv2DAttributes conv(int stride, Activation act = Activation::kNone) {
  Conv2DAttributes c;
  c.padding = Padding::kSame;
  c.stride_h = c.stride_w = stride;
  c.activation = act;
  return c;
}

// x -> conv A -> conv A' (same configuration as A) -> conv with stride 2 -> conv with another
// activation; every conv 3x3, 8 -> 8 channels, on 12x10 (the strided one's input too).
Graph chain(unsigned seed) {
  std::mt19937_64 rng(seed);
  test::GraphBuilder b("reuse_net");
  const int x = b.input("x", {1, 12, 10, 8});
  auto add = [&](int in, const Conv2DAttributes& a) {
    b.add_op(OpType::kConv2D, {in, b.random_constant(rng, "w", {8, 3, 3, 8}), b.random_constant(rng, "b", {8})}, a);
    return b.graph().ops.back().outputs[0];
  };
  const int a1 = add(x, conv(1));
  const int a2 = add(a1, conv(1));
  add(a2, conv(2));
  add(a2, conv(1, Activation::kRelu));
  Graph g = b.graph();
  infer_shapes(g);
  return g;
}

KernelProfileOptions fast_options() {
  KernelProfileOptions o;
  o.samples = 3;
  o.min_sample_us = 20;
  o.whole_model = false;
  o.in_model = false;  // alone rows only (in_model_rows_test.cpp covers the others)
  o.fractions = {0.5};
  return o;
}

std::vector<Measurement> rows_of_op(const std::vector<Measurement>& rows, int op) {
  std::vector<Measurement> v;
  for (const auto& m : rows)
    if (m.op_index == op) v.push_back(m);
  return v;
}

TEST(KernelKeyTest, SameConfigurationSameKeyAndEachFeatureChangesIt) {
  const Graph g = chain(1);
  ASSERT_EQ(g.ops.size(), 4u);
  EXPECT_EQ(kernel_config_key(g, g.ops[0]), kernel_config_key(g, g.ops[1]));  // weights differ, shapes do not
  EXPECT_NE(kernel_config_key(g, g.ops[1]), kernel_config_key(g, g.ops[2]));  // stride
  EXPECT_NE(kernel_config_key(g, g.ops[1]), kernel_config_key(g, g.ops[3]));  // fused activation
  EXPECT_EQ(kernel_config_key(g, g.ops[0]).find('\t'), std::string::npos);

  Graph wider = g;  // more input channels (a changed weight shape)
  wider.tensors[size_t(wider.ops[1].inputs[1])].shape = {8, 3, 3, 16};
  EXPECT_NE(kernel_config_key(wider, wider.ops[1]), kernel_config_key(g, g.ops[0]));
  Graph dilated = g;
  dilated.ops[1].attrs<Conv2DAttributes>().dilation_h = 2;
  EXPECT_NE(kernel_config_key(dilated, dilated.ops[1]), kernel_config_key(g, g.ops[0]));
  Graph with_epilogue = g;  // a fused elementwise consumer
  with_epilogue.ops[1].epilogue.push_back(EpilogueStep{OpType::kHardSwish});
  EXPECT_NE(kernel_config_key(with_epilogue, with_epilogue.ops[1]), kernel_config_key(g, g.ops[0]));
  Graph taller = g;  // another output shape
  taller.tensors[size_t(taller.ops[1].outputs[0])].shape = {1, 14, 10, 8};
  EXPECT_NE(kernel_config_key(taller, taller.ops[1]), kernel_config_key(g, g.ops[0]));
}

TEST(KernelKeyTest, InSampleIsDeterministicAndNearItsShare) {
  int in = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string k = fmt::format("CONV_2D {}", i);
    EXPECT_EQ(in_sample(k, 0.25), in_sample(k, 0.25));
    in += in_sample(k, 0.25);
    EXPECT_TRUE(in_sample(k, 1.0));
    EXPECT_FALSE(in_sample(k, 0.0));
  }
  EXPECT_NEAR(in / 4000.0, 0.25, 0.03);
}

TEST(MeasurementCacheTest, ARepeatedConfigurationIsTimedOnceAndAChangedOneAgain) {
  TempDir dir("repeat");
  const Graph g = chain(2);
  MeasurementCache cache(dir.path / "m.json", "build-a");
  KernelProfileOptions o = fast_options();
  o.cache = &cache;
  std::vector<Measurement> rows;
  ProfileCounters c;
  profile_cpu_kernels(g, 1, o, rows, {}, &c);
  // Each op: the whole output and half of the slices and of the rows (3 rows; the strided conv's
  // 6x5 output too). Op 1 repeats op 0: its 3 rows are reused with op 0's timings.
  for (int op = 0; op < 4; ++op) ASSERT_EQ(rows_of_op(rows, op).size(), 3u) << "op " << op;
  EXPECT_EQ(c.reused, 3);
  EXPECT_EQ(c.measured, 9);
  const auto first = rows_of_op(rows, 0), second = rows_of_op(rows, 1);
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_FALSE(first[r].reused);
    EXPECT_TRUE(second[r].reused);
    EXPECT_EQ(second[r].stats.median_us, first[r].stats.median_us);
    EXPECT_EQ(second[r].range.row_end, first[r].range.row_end);
    EXPECT_EQ(second[r].model, "reuse_net");  // the row is the second op's, with its own index
  }
  for (int op : {2, 3})
    for (const auto& m : rows_of_op(rows, op)) EXPECT_FALSE(m.reused) << "op " << op;
  EXPECT_EQ(cache.size(), 9u);

  // Another thread count is another measurement; the same one again is all reused.
  ProfileCounters c2;
  std::vector<Measurement> more;
  profile_cpu_kernels(g, 2, o, more, {}, &c2);
  EXPECT_EQ(c2.measured, 9);
  ProfileCounters c3;
  profile_cpu_kernels(g, 1, o, more, {}, &c3);
  EXPECT_EQ(c3.measured, 0);
  EXPECT_EQ(c3.reused, 12);
  // Other sampling settings are other measurements.
  o.samples = 4;
  ProfileCounters c4;
  profile_cpu_kernels(g, 1, o, more, {}, &c4);
  EXPECT_EQ(c4.measured, 9);
}

// x -> conv A (t0) -> conv A again (t1, reused from the cache) -> conv B (t2) -> conv C (t3) ->
// conv D: t1 is dead after conv B, so the planner gives t3 its slot, and after a whole run that
// slot holds t3's values. Conv B must still be timed on t1's values: the reused op runs once.
TEST(MeasurementCacheTest, AnOpAfterAReusedOneReadsTheValuesARealRunGivesIt) {
  TempDir dir("inputs");
  std::mt19937_64 rng(5);
  test::GraphBuilder b("stale_slot_net");
  const int x = b.input("x", {1, 9, 7, 8});
  std::vector<int> t;
  auto add = [&](int in, const Conv2DAttributes& a) {
    b.add_op(OpType::kConv2D, {in, b.random_constant(rng, "w", {8, 3, 3, 8}), b.random_constant(rng, "b", {8})}, a);
    t.push_back(b.graph().ops.back().outputs[0]);
    return t.back();
  };
  add(add(add(add(add(x, conv(1)), conv(1)), conv(1, Activation::kRelu)), conv(1, Activation::kRelu6)),
      conv(1, Activation::kTanh));
  Graph g = b.graph();
  g.outputs = {t.back()};  // the builder makes every op's output a model output: only the last is
  infer_shapes(g);

  // What a real run leaves in t1, right after conv A's second application (the profiler's inputs).
  KernelProfileOptions o = fast_options();
  cpu::CpuExecutor ref(g, cpu::CpuExecutorOptions{.threads = 1});
  std::mt19937 in_rng(o.seed);
  ref.set_input(0, random_values(g.tensors[size_t(x)].elements(), in_rng));
  ref.run_ops(0, 2);
  const size_t n = g.tensors[size_t(t[1])].shape4().phwc4_elements();
  const std::vector<float> t1(ref.tensor_data(t[1]), ref.tensor_data(t[1]) + n);

  MeasurementCache cache(dir.path / "m.json", "build-a");
  o.cache = &cache;
  int checked = 0;
  o.before_cpu_measurement = [&](int op, const cpu::CpuExecutor& ex) {
    if (op != 2) return;
    ASSERT_EQ(ex.tensor_data(t[1]), ex.tensor_data(t[3])) << "the planner no longer gives t3 the slot of t1: "
                                                            "change the graph so that a later tensor shares it";
    EXPECT_EQ(std::vector<float>(ex.tensor_data(t[1]), ex.tensor_data(t[1]) + n), t1)
        << "conv B is timed on what a later tensor left in its input's slot";
    ++checked;
  };
  std::vector<Measurement> rows;
  ProfileCounters c;
  profile_cpu_kernels(g, 1, o, rows, {}, &c);
  EXPECT_EQ(c.reused, 3);  // conv A's second application: whole, half the slices, half the rows
  EXPECT_EQ(checked, 3);   // conv B's three measurements
}

TEST(MeasurementCacheTest, PersistsForTheSameBuildOnly) {
  TempDir dir("persist");
  const fs::path file = dir.path / "m.json";
  const Graph g = chain(3);
  KernelProfileOptions o = fast_options();
  {
    MeasurementCache cache(file, "build-a");
    o.cache = &cache;
    std::vector<Measurement> rows;
    profile_cpu_kernels(g, 1, o, rows);
    cache.save();
  }
  {
    MeasurementCache cache(file, "build-a");
    EXPECT_TRUE(cache.note().empty()) << cache.note();
    EXPECT_EQ(cache.size(), 9u);
    o.cache = &cache;
    std::vector<Measurement> rows;
    ProfileCounters c;
    profile_cpu_kernels(g, 1, o, rows, {}, &c);
    EXPECT_EQ(c.measured, 0);
    EXPECT_EQ(c.reused, 12);
  }
  MeasurementCache other(file, "build-b");
  EXPECT_EQ(other.size(), 0u);
  EXPECT_NE(other.note().find("made by build build-a"), std::string::npos) << other.note();
  EXPECT_NE(other.note().find(file.string()), std::string::npos) << other.note();
}

TEST(MeasurementCacheTest, ACorruptFileIsMovedAsideWithAMessageNamingIt) {
  TempDir dir("corrupt");
  const fs::path file = dir.path / "m.json";
  for (const std::string& text :
       {std::string("{not json"),
        std::string(R"({"format": "hetsched-measurement-cache", "version": 1, "build": "b", "entries": {"k": [1, 2]}})"),
        std::string(R"({"format": "hetsched-measurement-cache", "version": 1, "build": "b",
                        "entries": {"k": [-1, 1, 1, 3, 0, -1, 0.5]}})"),
        std::string(R"({"format": "something-else", "version": 1, "build": "b", "entries": {}})")}) {
    std::ofstream(file) << text;
    MeasurementCache cache(file, "b");
    EXPECT_EQ(cache.size(), 0u) << text;
    EXPECT_NE(cache.note().find("corrupt"), std::string::npos) << cache.note();
    EXPECT_NE(cache.note().find(file.string()), std::string::npos) << cache.note();
    EXPECT_FALSE(fs::exists(file)) << text;
    EXPECT_TRUE(fs::exists(file.string() + ".bad")) << text;
    // It is rebuilt: a new entry saves and reads back.
    cache.store("k", {TimingStats{10, 9, 11, 3, 0}, 10, 0.5});
    cache.save();
    MeasurementCache again(file, "b");
    ASSERT_NE(again.find("k"), nullptr);
    EXPECT_EQ(*again.find("k"), (MeasurementCache::Entry{TimingStats{10, 9, 11, 3, 0}, 10, 0.5}));
    fs::remove(file);
  }
}

TEST(SamplingTest, AdaptiveRepetitionStopsEarlyOnlyWhenTheSpreadIsTight) {
  const Graph g = chain(4);
  KernelProfileOptions o = fast_options();
  o.samples = 9;
  o.fractions.clear();
  std::vector<Measurement> rows;
  profile_cpu_kernels(g, 1, o, rows);
  for (const auto& m : rows) EXPECT_EQ(m.stats.n, 9);  // rel_ci 0: every sample
  rows.clear();
  o.rel_ci = 1e9;  // any spread: stop at min_samples
  o.min_samples = 4;
  profile_cpu_kernels(g, 1, o, rows);
  for (const auto& m : rows) EXPECT_EQ(m.stats.n, 4);
  rows.clear();
  o.rel_ci = 1e-9;  // no real timing is that tight: every sample
  profile_cpu_kernels(g, 1, o, rows);
  for (const auto& m : rows) EXPECT_EQ(m.stats.n, 9);
}

TEST(SamplingTest, RangeAndKernelSharesLeaveOutDeterministically) {
  const Graph g = chain(5);
  KernelProfileOptions o = fast_options();
  o.range_share = 0;
  std::vector<Measurement> rows;
  ProfileCounters c;
  profile_cpu_kernels(g, 1, o, rows, {}, &c);
  ASSERT_EQ(rows.size(), 4u);  // whole outputs only
  for (const auto& m : rows) EXPECT_EQ(m.axis, RangeAxis::kWhole);
  EXPECT_EQ(c.sampled_out, 8);
  o.range_share = 1;
  o.kernel_share = 0;
  rows.clear();
  profile_cpu_kernels(g, 1, o, rows);
  EXPECT_TRUE(rows.empty());
  // A share in between picks the same ranges on every call, and identical configurations alike.
  o.kernel_share = 1;
  o.range_share = 0.5;
  o.fractions = {0.2, 0.4, 0.6, 0.8};
  std::set<std::tuple<int, int, double>> first, second;
  for (auto* picked : {&first, &second}) {
    rows.clear();
    profile_cpu_kernels(g, 1, o, rows);
    for (const auto& m : rows) picked->insert({m.op_index, int(m.axis), m.fraction});
  }
  EXPECT_EQ(first, second);
  std::set<std::pair<int, double>> op0, op1;
  for (const auto& [op, axis, f] : first) {
    if (op == 0) op0.insert({axis, f});
    if (op == 1) op1.insert({axis, f});
  }
  EXPECT_EQ(op0, op1);
}

TEST(MeasurementCacheTest, GpuRowsOfARepeatedConfigurationAreReused) {
  std::string why;
  gpu::VulkanDevice* device = test::test_gpu_device(&why);
  if (!device) GTEST_SKIP() << "no Vulkan device: " << why;
  if (device->info().timestamp_valid_bits == 0) GTEST_SKIP() << "no timestamps";
  TempDir dir("gpu");
  const Graph g = chain(6);
  MeasurementCache cache(dir.path / "m.json", "build-a");
  KernelProfileOptions o = fast_options();
  o.cache = &cache;
  o.gpu_warmup_ms = 1;
  std::vector<Measurement> rows;
  ProfileCounters c;
  profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows, {}, &c);  // no tuning: default sizes
  for (int op = 0; op < 4; ++op) ASSERT_EQ(rows_of_op(rows, op).size(), 3u) << "op " << op;
  EXPECT_EQ(c.reused, 3);
  EXPECT_EQ(c.measured, 9);
  if (device->info().type == gpu::DeviceType::kCpu)
    EXPECT_EQ(c.warmup_ms, 0);  // no clocks to raise on a software device
  else
    EXPECT_GT(c.warmup_ms, 0);
  for (const auto& m : rows_of_op(rows, 1)) EXPECT_TRUE(m.reused);
  for (const auto& m : rows) {
    EXPECT_EQ(m.stats.n, 3);  // all samples of one submission
    EXPECT_GT(m.stats.median_us, 0);
    EXPECT_EQ(m.tuned, 1);  // nothing to tune without a tuning cache: the sizes in use are final
  }
}

}  // namespace
}  // namespace hetsched::profiles
