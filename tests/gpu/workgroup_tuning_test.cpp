// Workgroup tuning: candidates, the tuning cache round trip (the second prepare only reads the
// cache), no tuning without a cache (`--no-tune`), a corrupt cache file ignored with a warning,
// and tuned (non-default) sizes and register blocks giving bit-identical outputs; split-K
// candidates offered only for small outputs with long reductions, cached and run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "gpu/cache_file.h"
#include "gpu/executor.h"
#include "gpu/pipeline_cache.h"
#include "gpu/workgroup_tuning.h"
#include "graph/op_registry.h"
#include "scheduler/session.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/test_util.h"

namespace hetsched {
namespace {

namespace fs = std::filesystem;

// Timings made while the machine is busy are not saved (gpu/cache_file.h); these tests check the
// round trip, so they run as on a quiet machine (cache_hardening_test.cpp covers the busy case).
const bool kQuietMachine = (gpu::set_load_average_for_testing(0.0), true);

// A fresh directory under the test temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / fmt::format("hetsched_tuning_{}_{}", name, ::getpid());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// input [1,13,11,6] -> CONV_2D 3x3 SAME (5) -> DEPTHWISE 3x3 stride 2 -> ADD constant -> HARD_SWISH,
// plus a second CONV_2D of the first one's shape (same tuning key: timed once).
Graph small_model(std::mt19937_64& rng) {
  test::GraphBuilder g("tuning_model");
  const int x = g.input("x", {1, 13, 11, 6});
  Conv2DAttributes c;
  c.padding = Padding::kSame;
  const int conv = g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {5, 3, 3, 6}), g.random_constant(rng, "b", {5})}, c);
  const int conv_out = g.graph().ops[conv].outputs[0];
  DepthwiseConv2DAttributes d;
  d.padding = Padding::kSame;
  d.stride_h = d.stride_w = 2;
  const int dw = g.add_op(OpType::kDepthwiseConv2D,
                          {conv_out, g.random_constant(rng, "dw", {1, 3, 3, 5}), g.random_constant(rng, "db", {5})}, d);
  const int add = g.add_op(OpType::kAdd, {g.graph().ops[dw].outputs[0], g.random_constant(rng, "k", {5})},
                           BinaryAttributes{Activation::kNone});
  g.add_op(OpType::kHardSwish, {g.graph().ops[add].outputs[0]}, NoAttributes{});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w2", {5, 3, 3, 6}), g.random_constant(rng, "b2", {5})}, c);
  Graph graph = g.graph();
  infer_shapes(graph);
  return graph;
}

std::vector<std::vector<float>> run_model(const Graph& graph, gpu::GpuExecutor& ex, std::mt19937_64& rng) {
  const Tensor& in = graph.tensors[graph.inputs[0]];
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> x(in.elements());
  for (float& v : x) v = u(rng);
  ex.set_input(0, x);
  ex.run();
  std::vector<std::vector<float>> outs;
  for (size_t i = 0; i < graph.outputs.size(); ++i) outs.push_back(ex.output_nhwc(int(i)));
  return outs;
}

// `tuned` gives bit-identical outputs to an executor with every default size, on one random input.
void expect_same_outputs_as_untuned(const Graph& graph, const gpu::VulkanDevice& dev, gpu::GpuExecutor& tuned,
                                    std::mt19937_64& rng) {
  gpu::GpuExecutor plain(graph, dev, nullptr, gpu::GpuExecutorOptions{});
  const uint64_t seed = rng();
  std::mt19937_64 r1(seed), r2(seed);
  const auto want = run_model(graph, plain, r1);
  const auto got = run_model(graph, tuned, r2);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].size(), got[i].size());
    size_t differ = 0;
    for (size_t j = 0; j < want[i].size(); ++j) differ += want[i][j] != got[i][j];
    EXPECT_EQ(differ, 0u) << "output " << i << ": " << differ << " of " << want[i].size() << " values differ";
    EXPECT_NE(want[i][0], test::kPoison);
  }
}

TEST(WorkgroupTuning, CandidatesStartWithTheCurrentSizeAndFitTheDevice) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::DeviceInfo& info = test::test_gpu_device()->info();
  for (const Shape4 out : {Shape4{1, 112, 112, 32}, Shape4{1, 1, 1, 1001}, Shape4{2, 7, 3, 5}}) {
    const gpu::WorkgroupSize current{8, 8, 1};
    const auto c = gpu::workgroup_candidates(out, current, false, info);
    ASSERT_GE(c.size(), 1u);
    EXPECT_EQ(c[0], current) << out.to_string();
    EXPECT_LE(c.size(), 5u);
    for (size_t i = 0; i < c.size(); ++i) {
      EXPECT_LE(c[i].invocations(), info.max_workgroup_invocations);
      for (size_t j = 0; j < i; ++j) EXPECT_FALSE(c[i] == c[j]) << "duplicate candidate for " << out.to_string();
    }
  }
  // A 112x112 map gets more than one shape to try; a 1x1 FC output too (different z).
  EXPECT_GE(gpu::workgroup_candidates({1, 112, 112, 32}, {8, 8, 1}, false, info).size(), 3u);
  EXPECT_GE(gpu::workgroup_candidates({1, 1, 1, 1001}, {1, 1, 64}, false, info).size(), 2u);
}

TEST(WorkgroupTuning, RegisterBlockedCandidatesCoverTheBlocksThatFit) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::DeviceInfo& info = test::test_gpu_device()->info();
  const gpu::WorkgroupSize current{8, 8, 1};
  // out, the blocks that fit it (block_s <= slices, block_x <= width)
  const std::pair<Shape4, size_t> cases[] = {{{1, 56, 56, 64}, 5}, {{1, 7, 7, 2048}, 5}, {{2, 13, 1, 5}, 2},
                                             {{1, 1, 1, 3}, 1}, {{1, 9, 3, 9}, 3}};
  for (const auto& [out, blocks_that_fit] : cases) {
    SCOPED_TRACE(out.to_string());
    const auto c = gpu::register_blocked_candidates(out, current, info);
    ASSERT_GE(c.size(), 1u);
    EXPECT_EQ(c[0], current);
    EXPECT_LE(c.size(), 17u);
    std::vector<std::pair<uint32_t, uint32_t>> blocks;
    for (size_t i = 0; i < c.size(); ++i) {
      EXPECT_LE(c[i].invocations(), info.max_workgroup_invocations);
      EXPECT_LE(int(c[i].block_s), std::max(out.slices(), 1));
      EXPECT_LE(int(c[i].block_x), std::max(out.w, 1));
      if (c[i].blocked()) {
        EXPECT_EQ(c[i].z, 1u) << "blocked candidates keep one slice block per workgroup";
      }
      for (size_t j = 0; j < i; ++j) EXPECT_FALSE(c[i] == c[j]) << "duplicate candidate";
      if (std::find(blocks.begin(), blocks.end(), std::pair(c[i].block_s, c[i].block_x)) == blocks.end())
        blocks.emplace_back(c[i].block_s, c[i].block_x);
    }
    EXPECT_EQ(blocks.size(), blocks_that_fit);
    // Block (1, 1) keeps exactly the unblocked candidates.
    const auto plain = gpu::workgroup_candidates(out, current, false, info);
    ASSERT_LE(plain.size(), c.size());
    for (size_t i = 0; i < plain.size(); ++i) EXPECT_EQ(c[i], plain[i]);
  }
}

TEST(WorkgroupTuning, CacheKeepsTheBlock) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  TempDir dir("block");
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  cache.store("blocked", {{16, 4, 1, 4, 2}, 1.0, 2.0});
  cache.store("plain", {{8, 8, 1}, 3.0, 3.0});
  // A cooperative-matrix tile of 2 x 1 matrices per subgroup with 8 K groups (block_s 1, block_x 2:
  // no register block), which the check on reading dropped before.
  cache.store("coopmat", {{32, 8, 1, 1, 2}, 1.0, 2.0});
  cache.save();
  gpu::WorkgroupTuningCache reread(dev, dir.path);
  EXPECT_TRUE(reread.warning().empty()) << reread.warning();
  ASSERT_NE(reread.find("blocked"), nullptr);
  EXPECT_EQ(reread.find("blocked")->best, (gpu::WorkgroupSize{16, 4, 1, 4, 2}));
  ASSERT_NE(reread.find("plain"), nullptr);
  EXPECT_EQ(reread.find("plain")->best, (gpu::WorkgroupSize{8, 8, 1, 1, 1}));
  ASSERT_NE(reread.find("coopmat"), nullptr);
  EXPECT_EQ(reread.find("coopmat")->best, (gpu::WorkgroupSize{32, 8, 1, 1, 2}));
  // A block of 0 is corrupt.
  { std::ofstream(reread.file()) << R"({"entries": {"k": {"best": [8, 8, 1], "block": [0, 2], "best_us": 1, "default_us": 2}}})"; }
  gpu::WorkgroupTuningCache corrupt(dev, dir.path);
  EXPECT_NE(corrupt.warning().find("corrupt"), std::string::npos);
  EXPECT_EQ(corrupt.size(), 0u);
}

TEST(WorkgroupTuning, SecondPrepareReadsTheCache) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  const Graph graph = small_model(rng);
  TempDir dir("roundtrip");
  gpu::WorkgroupTuningCache first(dev, dir.path);
  EXPECT_EQ(first.size(), 0u);
  gpu::GpuExecutorOptions o;
  o.tuning = &first;
  gpu::GpuExecutor a(graph, dev, nullptr, o);
  const gpu::TuningStats& sa = a.tuning_stats();
  EXPECT_EQ(sa.kernels, 5);
  EXPECT_EQ(sa.shapes_timed, 4) << "the two identical convs share one key";
  EXPECT_EQ(sa.cache_hits, 1);
  EXPECT_GT(sa.timed_default_us, 0);
  EXPECT_LE(sa.timed_best_us, sa.timed_default_us);
  EXPECT_EQ(first.size(), 4u);
  first.save();
  ASSERT_TRUE(fs::exists(first.file()));

  gpu::WorkgroupTuningCache second(dev, dir.path);
  EXPECT_TRUE(second.warning().empty()) << second.warning();
  EXPECT_EQ(second.size(), 4u);
  o.tuning = &second;
  gpu::GpuExecutor b(graph, dev, nullptr, o);
  EXPECT_EQ(b.tuning_stats().shapes_timed, 0);
  EXPECT_EQ(b.tuning_stats().cache_hits, 5);
  EXPECT_FALSE(second.dirty());
}

TEST(WorkgroupTuning, NoTuneLeavesDefaultsAndWritesNoCache) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  const Graph graph = small_model(rng);
  gpu::GpuExecutor ex(graph, dev, nullptr, gpu::GpuExecutorOptions{});
  EXPECT_EQ(ex.tuning_stats().kernels, 0);
  EXPECT_EQ(ex.tuning_stats().shapes_timed, 0);
}

TEST(WorkgroupTuning, CorruptCacheIsIgnoredWithAWarning) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  const Graph graph = small_model(rng);
  TempDir dir("corrupt");
  const fs::path file = gpu::WorkgroupTuningCache(dev, dir.path).file();
  for (const char* content : {"{not json", R"({"entries": {"k": {"best": [0, 0, 0], "best_us": 1, "default_us": 2}}})",
                              R"({"entries": {"k": {"best": "8x8"}}})", ""}) {
    SCOPED_TRACE(content);
    { std::ofstream(file) << content; }
    gpu::WorkgroupTuningCache cache(dev, dir.path);
    if (*content) {
      EXPECT_NE(cache.warning().find("corrupt"), std::string::npos) << cache.warning();
    }
    EXPECT_EQ(cache.size(), 0u);
    gpu::GpuExecutorOptions o;
    o.tuning = &cache;
    gpu::GpuExecutor ex(graph, dev, nullptr, o);
    EXPECT_EQ(ex.tuning_stats().shapes_timed, 4);
    cache.save();
    gpu::WorkgroupTuningCache reread(dev, dir.path);
    EXPECT_TRUE(reread.warning().empty()) << reread.warning();
    EXPECT_EQ(reread.size(), 4u);
  }
}

TEST(WorkgroupTuning, PrecompiledCandidatesTimeTheSameKernelsAndKeepOutputs) {
  // Forced on (a CPU device such as lavapipe has it off): other threads compile the candidates'
  // pipelines while the loop times; the loop must time the same keys, end with every kernel at a
  // size it chose, and give the same outputs as the untuned executor.
  HETSCHED_SKIP_WITHOUT_GPU();
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one core: no compiling threads";
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  const Graph graph = small_model(rng);
  TempDir dir("precompile");
  gpu::PipelineCache pipelines(dev, dir.path);
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  gpu::GpuExecutorOptions o;
  o.tuning = &cache;
  o.tuning_budget_ms = 1e9;
  o.precompile = gpu::GpuExecutorOptions::Precompile::kOn;
  gpu::GpuExecutor tuned(graph, dev, &pipelines, o);
  const gpu::TuningStats& st = tuned.tuning_stats();
  EXPECT_EQ(st.kernels, 5);
  EXPECT_EQ(st.shapes_timed, 4) << "the two identical convs share one key";
  EXPECT_EQ(st.cache_hits, 1);
  EXPECT_EQ(st.deferred, 0);
  // The workers start with the first kernel's candidates while the loop builds its queries and
  // times candidate 0; the loop then times candidates for tens of ms each here, so the workers are
  // ahead of it. Only the 4 keys the loop times have candidates built ahead, each at most once.
  EXPECT_GE(st.precompiled, 1);
  EXPECT_LE(st.precompiled, st.candidates_timed - st.shapes_timed) << "candidate 0 of each key is built by the loop";
  EXPECT_EQ(cache.size(), 4u);
  expect_same_outputs_as_untuned(graph, dev, tuned, rng);
}

TEST(WorkgroupTuning, TunedSizesGiveTheSameOutputs) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  const Graph graph = small_model(rng);
  TempDir dir("same_outputs");
  // A cache that sends every kernel to its last candidate (never the default; for the convs a
  // register block other than 1x1).
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  int forced = 0;
  for (const Op& op : graph.ops) {
    const auto k = gpu::create_gpu_kernel(gpu::GpuKernelContext{dev, nullptr}, graph, op);
    const auto candidates = k->workgroup_candidates(dev.info());
    const std::string key = gpu::workgroup_tuning_key(*k, graph.tensors[op.outputs[0]].shape4());
    if (candidates.size() < 2 || key.empty()) continue;
    cache.store(key, {candidates.back(), 1.0, 2.0});
    if (op.type == OpType::kConv2D) {
      EXPECT_TRUE(candidates.back().blocked()) << key;
    }
    ++forced;
  }
  ASSERT_GT(forced, 0);
  gpu::GpuExecutorOptions o;
  o.tuning = &cache;
  gpu::GpuExecutor tuned(graph, dev, nullptr, o);
  EXPECT_EQ(tuned.tuning_stats().changed, tuned.tuning_stats().kernels);
  EXPECT_EQ(tuned.tuning_stats().shapes_timed, 0);
  expect_same_outputs_as_untuned(graph, dev, tuned, rng);
}

TEST(WorkgroupTuning, SplitKIsACandidateForSmallOutputsWithLongReductions) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  auto rng = test::rng_for_current_test();
  auto has_split_k = [&](const Graph& graph, const Op& op) {
    const auto k = gpu::create_gpu_kernel(gpu::GpuKernelContext{dev, nullptr}, graph, op);
    const auto c = k->workgroup_candidates(dev.info());
    return std::any_of(c.begin(), c.end(), [](const gpu::WorkgroupSize& w) { return w.split_k(); });
  };
  // small_model's convs reduce over 3x3x2 slices: no split-K.
  const Graph small = small_model(rng);
  for (const Op& op : small.ops) {
    if (op.type == OpType::kConv2D) {
      EXPECT_FALSE(has_split_k(small, op));
    }
  }
  // A late-ResNet-like conv: 7x7x256 -> 3x3 -> 64 (784 output vec4s, 576 steps each).
  test::GraphBuilder g("split_k_model");
  const int x = g.input("x", {1, 7, 7, 256});
  Conv2DAttributes c;
  c.padding = Padding::kSame;
  c.activation = Activation::kRelu;
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {64, 3, 3, 256}), g.random_constant(rng, "b", {64})}, c);
  Graph graph = g.graph();
  infer_shapes(graph);
  const Op& conv = graph.ops[0];
  ASSERT_TRUE(has_split_k(graph, conv));
  const auto k = gpu::create_gpu_kernel(gpu::GpuKernelContext{dev, nullptr}, graph, conv);
  const auto candidates = k->workgroup_candidates(dev.info());
  const gpu::WorkgroupSize split = *std::find_if(candidates.begin(), candidates.end(), [](const auto& w) { return w.split_k(); });
  TempDir dir("split_k");
  const std::string key = gpu::workgroup_tuning_key(*k, graph.tensors[conv.outputs[0]].shape4());
  {
    gpu::WorkgroupTuningCache cache(dev, dir.path);
    cache.store(key, {split, 1.0, 2.0});
    cache.save();
  }
  gpu::WorkgroupTuningCache cache(dev, dir.path);  // read back: the split-K block is a valid entry
  ASSERT_NE(cache.find(key), nullptr) << "the split-K entry was dropped on reading";
  EXPECT_TRUE(cache.find(key)->best.split_k());
  gpu::GpuExecutorOptions o;
  o.tuning = &cache;
  gpu::GpuExecutor tuned(graph, dev, nullptr, o);
  EXPECT_EQ(tuned.tuning_stats().changed, 1);
  gpu::GpuExecutor plain(graph, dev, nullptr, gpu::GpuExecutorOptions{});
  const uint64_t seed = rng();
  std::mt19937_64 r1(seed), r2(seed);
  const auto want = run_model(graph, plain, r1), got = run_model(graph, tuned, r2);
  EXPECT_LT(test::output_rel_l2(got[0], want[0]), 1e-5) << "split-K sums in another order: rounding only";
}

}  // namespace
}  // namespace hetsched
