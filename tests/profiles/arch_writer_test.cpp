// profiles/arch_writer: malformed specs are refused with errors naming the file and the field; the
// same spec and seed give identical bytes (another seed other weights, the same graph); the written
// models of every family import, prepare and run on the CPU executor with finite outputs. That the
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

// Both heads' parts: a 7x7 stem, residual pairs, a blaze level (a strided block with a pooled and
// padded shortcut, then two stride-1 blocks 4 channels wider each, PReLU), two decoder levels
// (bilinear upsampling and concatenated skips), the reshaped box head; encdec_classes_spec swaps in
// the Dense head.
json encdec_spec() {
  return json::parse(R"({"family": "encdec", "resolution": 64, "stem_channels": 8, "stem_kernel": 7,
    "stem_act": "relu6", "levels": [
      {"block": "conv", "out": 16, "kernel": 3, "residual": 1, "residual_kernel": 3, "act": "relu"},
      {"block": "blaze", "out": 24, "kernel": 5, "residual": 2, "grow": 4, "act": "prelu"},
      {"block": "conv", "out": 32, "kernel": 3, "residual": 2, "residual_kernel": 1, "act": "hard_swish"}],
    "decoder": [{"out": 16, "kernel": 3, "act": "relu"}, {"out": 8, "kernel": 1, "act": "hard_swish"}],
    "head": {"kind": "boxes", "anchors": 3, "values": 4}})");
}

json encdec_classes_spec() {
  json s = encdec_spec();
  s["decoder"] = json::array();
  s["head"] = json::parse(R"({"kind": "classes", "hidden": 40, "classes": 7})");
  return s;
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
  for (const json& spec : {nb101_spec(), mobile_spec(), encdec_spec()}) {
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

TEST(ArchWriter, EncdecBoxModelImportsAndRunsOnTheCpu) {
  const Graph g = load(encdec_spec(), 7);
  const auto counts = op_counts(g);
  EXPECT_EQ(counts.at("RESIZE_BILINEAR"), 2);
  EXPECT_EQ(counts.at("CONCATENATION"), 2);
  EXPECT_EQ(counts.at("RESHAPE"), 1);
  // stem, 2 conv levels, 3 residual pairs, 3 blaze blocks' 1x1 convs, 2 decoder convs, the box head
  EXPECT_EQ(counts.at("CONV_2D"), 1 + 2 + 6 + 3 + 2 + 1);
  EXPECT_EQ(counts.at("DEPTHWISE_CONV_2D"), 3);
  EXPECT_EQ(counts.at("MAX_POOL_2D"), 1);  // the strided blaze block's shortcut
  EXPECT_EQ(counts.at("PAD"), 3);          // 16 -> 24 -> 28 -> 32 channels
  EXPECT_EQ(counts.at("PRELU"), 3);
  const Op* pool = nullptr;
  for (const Op& op : g.ops)
    if (op.type == OpType::kMaxPool2D) pool = &op;
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(g.tensors[size_t(pool->outputs[0])].shape, (std::vector<int>{1, 8, 8, 16}));
  // 64 -> stem 32 -> 16 -> 8 -> 4; the decoder goes back to 8 and 16; 16 x 16 x 3 anchors of 4 values.
  const Tensor& out = g.tensors[size_t(g.outputs[0])];
  ASSERT_EQ(out.shape, (std::vector<int>{1, 16 * 16 * 3, 4}));
  const auto y = run_cpu(g);
  ASSERT_EQ(y.size(), size_t(16 * 16 * 3 * 4));
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
  EXPECT_TRUE(std::any_of(y.begin(), y.end(), [](float v) { return v != 0.0f; }));
}

TEST(ArchWriter, EncdecClassifierHasTwoDenseLayers) {
  const Graph g = load(encdec_classes_spec(), 7);
  const auto counts = op_counts(g);
  EXPECT_EQ(counts.at("FULLY_CONNECTED"), 2);
  EXPECT_EQ(counts.count("RESIZE_BILINEAR"), 0u);
  EXPECT_EQ(g.tensors[size_t(g.outputs[0])].shape, (std::vector<int>{1, 7}));
  const auto y = run_cpu(g);
  ASSERT_EQ(y.size(), 7u);
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
}

TEST(ArchWriter, EncdecMaskModelWithSwishRunsOnTheCpu) {
  json spec = encdec_spec();
  spec["stem_act"] = "swish";
  spec["head"] = json::parse(R"({"kind": "mask", "channels": 8, "kernel": 3})");
  const Graph g = load(spec, 7);
  const auto counts = op_counts(g);
  EXPECT_EQ(counts.at("RESIZE_BILINEAR"), 3);  // two decoder levels and the mask head
  // The stem's swish (LOGISTIC + MUL) and the mask's sigmoid end up as conv epilogues.
  size_t swish = 0, logistic = 0;
  for (const Op& op : g.ops)
    for (const EpilogueStep& e : op.epilogue) {
      swish += e.type == OpType::kLogistic && e.times_input;
      logistic += e.type == OpType::kLogistic;
    }
  EXPECT_EQ(swish + (counts.count("MUL") ? size_t(counts.at("MUL")) : 0), 1u);
  EXPECT_EQ(logistic + (counts.count("LOGISTIC") ? size_t(counts.at("LOGISTIC")) : 0), 2u);
  ASSERT_EQ(g.tensors[size_t(g.outputs[0])].shape, (std::vector<int>{1, 32, 32, 1}));
  const auto y = run_cpu(g);
  ASSERT_EQ(y.size(), size_t(32 * 32));
  for (float v : y) EXPECT_TRUE(std::isfinite(v) && v >= 0.0f && v <= 1.0f);
}

TEST(ArchWriter, EncdecSpecErrorsNameTheField) {
  json deep = encdec_spec();
  deep["decoder"].push_back(deep["decoder"][0]);
  deep["decoder"].push_back(deep["decoder"][0]);  // 4 decoder levels over 3 encoder levels
  expect_error_from([&] { write_arch_tflite(deep, 1, "deep.json"); }, ErrorKind::kInvalidArgument,
                    {"deep.json", "'decoder'", "4 levels"});
  json narrow = encdec_spec();
  narrow["levels"][1]["out"] = 8;  // below the 16 channels coming in
  expect_error_from([&] { write_arch_tflite(narrow, 1, "narrow.json"); }, ErrorKind::kInvalidArgument,
                    {"narrow.json", "levels[1].out", "16 input channels"});
  json odd = encdec_spec();
  odd["resolution"] = 72;  // 36 -> 18 -> 9 -> 5: the upsampled 10x10 misses the 9x9 skip
  expect_error_from([&] { write_arch_tflite(odd, 1, "odd.json"); }, ErrorKind::kInvalidArgument,
                    {"odd.json", "decoder[0].out", "10x10", "9x9"});
  json head = encdec_classes_spec();
  head["decoder"] = encdec_spec()["decoder"];
  expect_error_from([&] { write_arch_tflite(head, 1, "head.json"); }, ErrorKind::kInvalidArgument,
                    {"head.json", "'decoder'", "classes head"});
}

}  // namespace
}  // namespace hetsched::profiles
