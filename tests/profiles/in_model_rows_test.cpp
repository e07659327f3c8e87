// The profiler's in-model rows (KernelProfileOptions::in_model): each op of a CPU profile also gets
// one row timed inside consecutive whole-model runs (whole output, in_model = 1), with the features
// of its alone row and one sample per run; kernel_share leaves out the same ops for both kinds of
// row; off, no such row; the dataset CSV writes the column. On a GPU with timestamps, every
// dispatched op gets one from the whole recorded model.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "profiles/dataset_csv.h"
#include "profiles/kernel_key.h"
#include "profiles/kernel_profiler.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched::profiles {
namespace {

// x -> conv 3x3 (8 -> 8) -> conv 3x3 stride 2 -> relu6 conv 1x1 (8 -> 16) on 11x9.
Graph three_convs() {
  std::mt19937_64 rng(3);
  test::GraphBuilder b("in_model_net");
  int t = b.input("x", {1, 11, 9, 8});
  auto add = [&](int in, int k, int stride, int out_c, Activation act) {
    Conv2DAttributes a;
    a.padding = Padding::kSame;
    a.stride_h = a.stride_w = stride;
    a.activation = act;
    b.add_op(OpType::kConv2D,
             {in, b.random_constant(rng, "w", {out_c, k, k, 8}), b.random_constant(rng, "b", {out_c})}, a);
    return b.graph().ops.back().outputs[0];
  };
  t = add(add(add(t, 3, 1, 8, Activation::kNone), 3, 2, 8, Activation::kNone), 1, 1, 16, Activation::kRelu6);
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  return g;
}

KernelProfileOptions options() {
  KernelProfileOptions o;
  o.samples = 4;
  o.min_sample_us = 10;
  o.fractions = {0.5};
  return o;
}

TEST(InModelRows, EachOpGetsOneWholeRowWithItsAloneFeaturesAndASamplePerRun) {
  const Graph g = three_convs();
  std::vector<Measurement> rows;
  profile_cpu_kernels(g, 1, options(), rows);
  int in_model = 0;
  for (const Measurement& m : rows) {
    if (!m.in_model) continue;
    ++in_model;
    SCOPED_TRACE(m.op_index);
    ASSERT_GE(m.op_index, 0) << "a MODEL row marked in_model";
    EXPECT_EQ(m.axis, RangeAxis::kWhole);
    EXPECT_EQ(m.fraction, 1.0);
    EXPECT_EQ(m.stats.n, 4) << "one sample per timed whole run";
    EXPECT_GT(m.stats.median_us, 0.0);
    EXPECT_EQ(m.processor, "cpu");
    EXPECT_EQ(m.threads, 1);
    // Its alone counterpart: the same op, whole output, the same features.
    int alone = 0;
    for (const Measurement& a : rows) {
      if (a.in_model || a.op_index != m.op_index || a.axis != RangeAxis::kWhole) continue;
      ++alone;
      EXPECT_EQ(kernel_config_key(g, g.ops[size_t(a.op_index)]), kernel_config_key(g, g.ops[size_t(m.op_index)]));
      EXPECT_EQ(feature_vector(a.features, a.axis, a.range), feature_vector(m.features, m.axis, m.range));
    }
    EXPECT_EQ(alone, 1);
  }
  EXPECT_EQ(in_model, int(g.ops.size()));
}

TEST(InModelRows, KernelShareLeavesOutTheSameOpsAndOffMeansNone) {
  const Graph g = three_convs();
  KernelProfileOptions o = options();
  o.kernel_share = 0.5;
  std::vector<Measurement> rows;
  profile_cpu_kernels(g, 1, o, rows);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    bool alone = false, in_model = false;
    for (const Measurement& m : rows) {
      if (m.op_index != int(i) || m.axis != RangeAxis::kWhole) continue;
      (m.in_model ? in_model : alone) = true;
    }
    EXPECT_EQ(alone, in_model) << "op " << i;
    EXPECT_EQ(in_model, in_sample(kernel_config_key(g, g.ops[i]), 0.5)) << "op " << i;
  }
  o.kernel_share = 1;
  o.in_model = false;
  rows.clear();
  profile_cpu_kernels(g, 1, o, rows);
  for (const Measurement& m : rows) EXPECT_FALSE(m.in_model) << "op " << m.op_index;
}

TEST(InModelRows, TheDatasetWritesTheColumn) {
  const Graph g = three_convs();
  std::vector<Measurement> rows;
  KernelProfileOptions o = options();
  o.whole_model = false;
  profile_cpu_kernels(g, 1, o, rows);
  std::ostringstream csv;
  write_csv_header(csv);
  for (const Measurement& m : rows) write_csv_row(csv, m);
  std::istringstream in(csv.str());
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string f; std::getline(hs, f, ',');) header.push_back(f);
  const auto col = std::find(header.begin(), header.end(), "in_model") - header.begin();
  ASSERT_LT(size_t(col), header.size()) << line;
  int ones = 0, zeros = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string v; std::getline(ls, v, ',');) f.push_back(v);
    ASSERT_EQ(f.size(), header.size()) << line;
    (f[size_t(col)] == "1" ? ones : zeros) += 1;
    EXPECT_TRUE(f[size_t(col)] == "1" || f[size_t(col)] == "0") << line;
  }
  EXPECT_EQ(ones, int(g.ops.size()));
  EXPECT_GT(zeros, ones);
}

TEST(InModelRows, GpuOpsAreTimedInsideTheRecordedModel) {
  std::string why;
  gpu::VulkanDevice* device = test::test_gpu_device(&why);
  if (!device || device->info().timestamp_valid_bits == 0) {
    GTEST_SKIP() << "no Vulkan device with timestamps: " << why;
  }
  const Graph g = three_convs();
  KernelProfileOptions o = options();
  o.gpu_warmup_ms = 1;
  std::vector<Measurement> rows;
  profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows);
  std::vector<int> ops;
  for (const Measurement& m : rows) {
    if (!m.in_model) continue;
    ops.push_back(m.op_index);
    EXPECT_EQ(m.processor, "gpu");
    EXPECT_EQ(m.axis, RangeAxis::kWhole);
    EXPECT_EQ(m.stats.n, 4) << "op " << m.op_index;
    EXPECT_GT(m.stats.median_us, 0.0) << "op " << m.op_index;
    EXPECT_EQ(m.fused_into, -1);
    EXPECT_EQ(m.chain_ops, 1);
  }
  EXPECT_EQ(ops, (std::vector<int>{0, 1, 2})) << "three convs, none fused into another";
  // Co-running rows (the other processor busy) have no in-model counterpart.
  rows.clear();
  o.corun = "cpu";
  profile_gpu_kernels(g, *device, nullptr, nullptr, o, rows);
  for (const Measurement& m : rows) EXPECT_FALSE(m.in_model) << "op " << m.op_index;
}

}  // namespace
}  // namespace hetsched::profiles
