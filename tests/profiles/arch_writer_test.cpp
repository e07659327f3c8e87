// profiles/arch_writer: malformed specs are refused with errors naming the file and the field; the
// same spec and seed give identical bytes (another seed other weights, the same graph); the written
// models of both families import, prepare and run on the CPU executor with finite outputs. That the
// graph is the TFLite converter's is checked against TensorFlow by tests/test_gen_arch.py.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "base/error.h"
#include "cpu/executor.h"
#include "graph/load_model.h"
#include "graph/passes/pipeline.h"
#include "profiles/arch_writer.h"
#include "tests/support/expect_error.h"

namespace hetsched::profiles {
namespace {

using json = nlohmann::json;
using test::expect_error_from;

// archs.py's formats, small: a cell with a projection, an Add of two inputs, a concat and a pool.
json nb101_spec() {
  return json::parse(R"({"family": "nb101", "resolution": 16, "stem_channels": 8, "stacks": 3,
    "cells_per_stack": 2, "classes": 10, "cell": {
      "matrix": [[0, 1, 1, 0, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
      "ops": ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output"]}})");
}

// Every block kind: a hard_swish stem, squeeze-excite, a residual Add, strides 1 and 2.
json mobile_spec() {
  return json::parse(R"({"family": "mobile", "resolution": 96, "stem_channels": 16, "stem_act": "hard_swish",
    "head_channels": 32, "classes": 10, "blocks": [
      {"kind": "ds", "kernel": 3, "stride": 2, "expansion": 1, "out": 16, "act": "relu6", "se_ratio": 0.0},
      {"kind": "ir_se", "kernel": 5, "stride": 1, "expansion": 4, "out": 16, "act": "hard_swish", "se_ratio": 0.25},
      {"kind": "ir", "kernel": 7, "stride": 2, "expansion": 3, "out": 24, "act": "relu", "se_ratio": 0.0}]})");
}

Graph load(const json& spec, uint64_t seed) {
  Graph g = load_tflite_buffer(write_arch_tflite(spec, seed, "test spec"), "arch.tflite");
  prepare_graph(g);
  return g;
}

std::vector<float> run_cpu(const Graph& g) {
  const Tensor& in = g.tensors[size_t(g.inputs[0])];
  size_t n = 1;
  for (int d : in.shape) n *= size_t(d);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = u(rng);
  cpu::CpuExecutor e(g, cpu::CpuExecutorOptions{.threads = 1});
  e.set_input(0, x);
  e.run();
  return e.output_nhwc(0);
}

std::map<std::string, int> op_counts(const Graph& g) {
  std::map<std::string, int> counts;
  for (const Op& op : g.ops) ++counts[to_string(op.type)];
  return counts;
}

TEST(ArchWriter, MalformedSpecsNameTheFileAndField) {
  const auto expect_bad = [](json spec, std::initializer_list<std::string_view> needles) {
    expect_error_from([&] { write_arch_tflite(spec, 1, "specs/bad.json"); }, ErrorKind::kInvalidArgument, needles);
  };
  {
    SCOPED_TRACE("missing field");
    json s = mobile_spec();
    s["blocks"][1].erase("kernel");
    expect_bad(s, {"specs/bad.json", "blocks[1].kernel", "missing"});
  }
  {
    SCOPED_TRACE("bad op name");
    json s = nb101_spec();
    s["cell"]["ops"][2] = "conv5x5-bn-relu";
    expect_bad(s, {"specs/bad.json", "cell.ops[2]", "conv5x5-bn-relu"});
  }
  {
    SCOPED_TRACE("disconnected cell: vertex 3 feeds nothing, so vertex 2 (feeding only 3) is off the path too");
    json s = nb101_spec();
    s["cell"]["matrix"][3][4] = 0;
    expect_bad(s, {"specs/bad.json", "cell.matrix", "vertex 2 (conv1x1-bn-relu), vertex 3 (maxpool3x3)"});
  }
  {
    SCOPED_TRACE("unknown family");
    json s = nb101_spec();
    s["family"] = "resnet";
    expect_bad(s, {"specs/bad.json", "'family'", "resnet"});
  }
  {
    SCOPED_TRACE("wrong type");
    json s = mobile_spec();
    s["resolution"] = "96";
    expect_bad(s, {"specs/bad.json", "'resolution'", "integer"});
  }
  {
    SCOPED_TRACE("bad activation");
    json s = mobile_spec();
    s["blocks"][0]["act"] = "gelu";
    expect_bad(s, {"blocks[0].act", "gelu"});
  }
  {
    SCOPED_TRACE("too large to write");
    json s = mobile_spec();
    s["head_channels"] = 60000;
    s["blocks"][2]["out"] = 60000;
    expect_bad(s, {"specs/bad.json", "weights"});
  }
  {
    SCOPED_TRACE("lower-triangular edge");
    json s = nb101_spec();
    s["cell"]["matrix"][2][1] = 1;
    expect_bad(s, {"cell.matrix[2][1]"});
  }
}

TEST(ArchWriter, SameSpecAndSeedGiveIdenticalBytes) {
  for (const json& spec : {nb101_spec(), mobile_spec()}) {
    SCOPED_TRACE(spec["family"].get<std::string>());
    const auto a = write_arch_tflite(spec, 42, "a"), b = write_arch_tflite(spec, 42, "b");
    const auto c = write_arch_tflite(spec, 43, "c");
    EXPECT_EQ(a, b);
    ASSERT_EQ(a.size(), c.size());  // same graph, other weights
    EXPECT_NE(a, c);
  }
}

TEST(ArchWriter, Nb101ModelImportsAndRunsOnTheCpu) {
  const Graph g = load(nb101_spec(), 7);
  // Per cell: vertex 1 (projection + conv3x3), vertex 2 (projection + conv1x1), vertex 3 (ADD of 1
  // and 2, both at its width, then the pool), the concat of 1 and 3, the input's projection added.
  const auto counts = op_counts(g);
  EXPECT_EQ(counts.at("MAX_POOL_2D"), 3 * 2 + 2);  // one per cell, one between stacks
  EXPECT_EQ(counts.at("CONCATENATION"), 3 * 2);
  EXPECT_EQ(counts.at("MEAN"), 1);
  EXPECT_EQ(counts.at("FULLY_CONNECTED"), 1);
  const Tensor& out = g.tensors[size_t(g.outputs[0])];
  EXPECT_EQ(out.shape, (std::vector<int>{1, 10}));
  const auto y = run_cpu(g);
  ASSERT_EQ(y.size(), 10u);
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
}

TEST(ArchWriter, MobileModelImportsAndRunsOnTheCpu) {
  const Graph g = load(mobile_spec(), 7);
  const auto counts = op_counts(g);
  EXPECT_EQ(counts.at("DEPTHWISE_CONV_2D"), 3);
  EXPECT_EQ(counts.at("MEAN"), 2);  // squeeze-excite and the head
  EXPECT_EQ(counts.at("MUL"), 1);
  EXPECT_EQ(counts.at("FULLY_CONNECTED"), 1);
  // 96 -> stem 48 -> ds 24 -> ir_se 24 -> ir 12; the head conv keeps 12x12x32.
  bool saw_head = false;
  for (const Op& op : g.ops)
    if (g.tensors[size_t(op.outputs[0])].shape == std::vector<int>{1, 12, 12, 32}) saw_head = true;
  EXPECT_TRUE(saw_head);
  const auto y = run_cpu(g);
  ASSERT_EQ(y.size(), 10u);
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
  EXPECT_TRUE(std::any_of(y.begin(), y.end(), [](float v) { return v != 0.0f; }));
}

}  // namespace
}  // namespace hetsched::profiles
