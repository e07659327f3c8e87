// Co-scheduler tests: every plan shape (all CPU, all GPU, slice and row splits at many ratios,
// random mixed plans) gives the CPU executor's outputs on a small network with a residual branch
// and a chain of channel-local ops; repeated runs with fresh inputs; a run after an injected fault
// mid-plan is correct; the two halves of a split run at the same time. Runs under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cpu/executor.h"
#include "graph/op_registry.h"
#include "graph/passes/fuse_elementwise.h"
#include "partition/plan_liveness.h"
#include "partition/plan_syncs.h"
#include "partition/policy.h"
#include "scheduler/co_scheduler.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

using partition::Plan;
using partition::PlanStep;
using partition::SplitAxis;
using partition::StepKind;

// input [1,H,W,5] -> conv 3x3 (13 ch, relu) -> depthwise 3x3 -> add(conv out) -> hard_swish
//   -> avg pool 2x2 s2 -> conv 1x1 (6 ch) -> logistic
Graph make_net(std::mt19937_64& rng, int h, int w) {
  test::GraphBuilder b("co_net");
  const int x = b.input("x", {1, h, w, 5});
  Conv2DAttributes ca;
  ca.padding = Padding::kSame;
  ca.activation = Activation::kRelu;
  const int w1 = b.random_constant(rng, "w1", {13, 3, 3, 5}, -0.3, 0.3);
  const int b1 = b.random_constant(rng, "b1", {13});
  b.add_op(OpType::kConv2D, {x, w1, b1}, ca);
  const int t1 = b.graph().ops.back().outputs[0];
  DepthwiseConv2DAttributes da;
  da.padding = Padding::kSame;
  const int w2 = b.random_constant(rng, "w2", {1, 3, 3, 13}, -0.3, 0.3);
  b.add_op(OpType::kDepthwiseConv2D, {t1, w2, -1}, da);
  const int t2 = b.graph().ops.back().outputs[0];
  b.add_op(OpType::kAdd, {t2, t1}, BinaryAttributes{});
  const int t3 = b.graph().ops.back().outputs[0];
  b.add_op(OpType::kHardSwish, {t3}, NoAttributes{});
  const int t4 = b.graph().ops.back().outputs[0];
  Pool2DAttributes pa;
  pa.filter_h = pa.filter_w = 2;
  pa.stride_h = pa.stride_w = 2;
  pa.padding = Padding::kValid;
  b.add_op(OpType::kAveragePool2D, {t4}, pa);
  const int t5 = b.graph().ops.back().outputs[0];
  Conv2DAttributes c2;
  const int w3 = b.random_constant(rng, "w3", {6, 1, 1, 13}, -0.3, 0.3);
  b.add_op(OpType::kConv2D, {t5, w3, -1}, c2);
  const int t6 = b.graph().ops.back().outputs[0];
  b.add_op(OpType::kLogistic, {t6}, NoAttributes{});
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0], t3};  // two outputs: the end and the residual sum
  infer_shapes(g);
  return g;
}

// A random plan: each op on the CPU, the GPU or split along a random axis at a random boundary
// (an op that cannot be split on that axis goes to the CPU; its boundary is drawn all the same).
Plan random_mixed_plan(const Graph& g, std::mt19937_64& rng) {
  Plan plan;
  plan.model = g.model_name;
  for (int i = 0; i < int(g.ops.size()); ++i) {
    PlanStep s{i, StepKind(rng() % 3), SplitAxis(rng() % 2), 0, 0};
    const Shape4 out = g.tensors[g.ops[i].outputs[0]].shape4();
    if (s.kind == StepKind::kSplit) {
      if (!partition::can_split(g, g.ops[i], s.axis)) s.kind = StepKind::kCpu;
      const int extent = s.axis == SplitAxis::kSlices ? out.slices() : out.h;
      s.boundary = int(rng() % (extent + 1));
    }
    plan.steps.push_back(s);
  }
  return plan;
}

std::vector<float> random_input(const Graph& g, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(g.tensors[g.inputs[0]].elements());
  for (float& x : v) x = d(rng);
  return v;
}

using test::test_threads;

class CoSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    device_ = test::test_gpu_device(&why);
    if (!device_) GTEST_SKIP() << "no Vulkan device: " << why;
  }
  // Runs `plan` 3 times with fresh inputs and compares every output with the CPU executor.
  void expect_matches_cpu(const Graph& g, const Plan& plan, std::mt19937_64& rng) {
    CoScheduler co(g, *device_, nullptr, plan, test_threads());
    cpu::CpuExecutor ref(g, cpu::CpuExecutorOptions{test_threads()});
    for (int run = 0; run < 3; ++run) {
      const auto x = random_input(g, rng);
      co.set_input(0, x);
      ref.set_input(0, x);
      co.run();
      ref.run();
      for (size_t o = 0; o < g.outputs.size(); ++o)
        EXPECT_LT(test::output_rel_l2(co.output_nhwc(int(o)), ref.output_nhwc(int(o))), 1e-5)
            << "plan " << partition::to_json(plan).dump() << " run " << run << " output " << o;
    }
  }
  gpu::VulkanDevice* device_ = nullptr;
};

TEST_F(CoSchedulerTest, PolicyPlansMatchCpu) {
  auto rng = test::make_rng(1);
  const Graph g = make_net(rng, 11, 9);
  for (const char* p : {"cpu", "gpu", "ratio=0", "ratio=0.1", "ratio=0.25", "ratio=0.5", "ratio=0.75", "ratio=0.9",
                        "ratio=1", "ratio=0.25:rows", "ratio=0.5:rows", "ratio=0.9:rows"}) {
    SCOPED_TRACE(p);
    expect_matches_cpu(g, partition::make_plan(g, partition::parse_policy(p)), rng);
  }
}

// The same net with its elementwise chains in epilogues (the depthwise takes the residual ADD,
// the 1x1 conv the LOGISTIC): the epilogue operand is read over the split's range on each device.
TEST_F(CoSchedulerTest, FusedPlansMatchCpu) {
  auto rng = test::make_rng(3);
  Graph g = make_net(rng, 11, 9);
  const Graph plain = g;
  ASSERT_TRUE(fuse_elementwise(g).applied);
  infer_shapes(g);
  ASSERT_EQ(g.ops.size(), plain.ops.size() - 2);
  {  // the fused CPU executor gives the unfused one's outputs
    cpu::CpuExecutor a(g, cpu::CpuExecutorOptions{test_threads()}), b(plain, cpu::CpuExecutorOptions{test_threads()});
    const auto x = random_input(g, rng);
    a.set_input(0, x), b.set_input(0, x);
    a.run(), b.run();
    for (size_t o = 0; o < g.outputs.size(); ++o) EXPECT_LT(test::output_rel_l2(a.output_nhwc(int(o)), b.output_nhwc(int(o))), 1e-6);
  }
  for (const char* p : {"gpu", "ratio=0.25", "ratio=0.5", "ratio=0.75", "ratio=0.5:rows", "ratio=0.9:rows"}) {
    SCOPED_TRACE(p);
    expect_matches_cpu(g, partition::make_plan(g, partition::parse_policy(p)), rng);
  }
}

TEST_F(CoSchedulerTest, RandomMixedPlansMatchCpu) {
  auto rng = test::make_rng(2);
  const Graph g = make_net(rng, 8, 13);
  for (int trial = 0; trial < 12; ++trial) expect_matches_cpu(g, random_mixed_plan(g, rng), rng);
}

// Issue #12 bullet 6: the arenas alias (a fraction of the bytes without aliasing), and runs with
// reused slots, on both processors and inside GPU segments, still match the CPU executor. A chain
// of pointwise ops with one 3x3 conv in the middle: split by slices or rows, the chain's halves
// need no waits, so the planner adds memory synchronizations; mixed random plans reuse slots across
// the two processors through the plan's own waits.
TEST_F(CoSchedulerTest, AliasedArenasMatchCpu) {
  auto rng = test::make_rng(8);
  test::GraphBuilder b("alias_chain");
  int t = b.input("x", {1, 9, 11, 12});
  for (int i = 0; i < 10; ++i) {
    if (i == 4) {
      Conv2DAttributes a;
      a.padding = Padding::kSame;
      const int w = b.random_constant(rng, "w", {12, 3, 3, 12}, -0.3, 0.3);
      b.add_op(OpType::kConv2D, {t, w, -1}, a);
    } else {
      b.add_op(i % 3 == 0 ? OpType::kHardSwish : i % 3 == 1 ? OpType::kLogistic : OpType::kTanh, {t}, NoAttributes{});
    }
    t = b.graph().ops.back().outputs[0];
  }
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  for (const char* p : {"gpu", "ratio=0.5", "ratio=0.5:rows", "ratio=0.25"}) {
    SCOPED_TRACE(p);
    const Plan plan = partition::make_plan(g, partition::parse_policy(p));
    const auto naive = partition::plan_coexec_memory(g, plan, {.aliasing = false});
    const auto aliased = partition::plan_coexec_memory(g, plan);
    // (Not for "gpu": its input and output sit in the host arena, apart from the device-local one.)
    if (plan.steps[0].kind == StepKind::kSplit) {
      EXPECT_LE(double(aliased.total_bytes()), 1.3 * double(aliased.single_device_bytes));
      EXPECT_GT(aliased.memory_syncs, 0);
    }
    {
      CoScheduler co(g, *device_, nullptr, plan, test_threads());
      EXPECT_LT(co.host_arena_bytes() + co.device_arena_bytes(), naive.total_bytes() / 2);
    }
    expect_matches_cpu(g, plan, rng);
  }
  for (int trial = 0; trial < 8; ++trial) expect_matches_cpu(g, random_mixed_plan(g, rng), rng);
}

TEST_F(CoSchedulerTest, RunAfterInjectedFaultIsCorrect) {
  auto rng = test::make_rng(3);
  const Graph g = make_net(rng, 12, 12);
  const Plan plan = partition::make_plan(g, partition::parse_policy("ratio=0.5"));
  CoScheduler co(g, *device_, nullptr, plan, test_threads());
  cpu::CpuExecutor ref(g, cpu::CpuExecutorOptions{test_threads()});
  for (int step : {2, 5, 0}) {
    const auto x = random_input(g, rng);
    co.set_input(0, x);
    co.inject_fault_at_step(step);
    EXPECT_THROW(co.run(), Error);
    co.run();
    ref.set_input(0, x);
    ref.run();
    for (size_t o = 0; o < g.outputs.size(); ++o)
      EXPECT_LT(test::output_rel_l2(co.output_nhwc(int(o)), ref.output_nhwc(int(o))), 1e-5) << "after a fault at step " << step;
  }
}

TEST_F(CoSchedulerTest, ReportHasBothDevicesForSplitSteps) {
  auto rng = test::make_rng(4);
  const Graph g = make_net(rng, 10, 10);
  CoScheduler co(g, *device_, nullptr, partition::make_plan(g, partition::parse_policy("ratio=0.5")), test_threads());
  co.set_input(0, random_input(g, rng));
  co.run();
  int cpu = 0, gpu = 0;
  for (const StepReport& s : co.report().steps) {
    (s.device == "cpu" ? cpu : gpu)++;
    EXPECT_LE(s.start_ms, s.end_ms) << s.op_index << " " << s.device;
  }
  EXPECT_GT(cpu, 0);
  EXPECT_GT(gpu, 0);
}

// Bullet 3 of the co-execution issue: the CPU and GPU halves of a split op run at the same time.
// One 3x3 conv (64 -> 64 channels on 64x64, 151 M MACs: the CPU's 90% takes milliseconds, far
// longer than a dispatch takes to start) split by slices and by rows; with profiling on, the report (the
// data of `--trace`) has the GPU part's timestamps on the host clock next to the CPU part's times,
// and the two intervals must intersect. A scheduler that finished one half before starting the
// other (a wait on the GPU before the CPU part, or a submit after it) fails. One CPU thread, so a
// software GPU (lavapipe's threads) has a core of a 2-core machine to start on; any of 10 runs may
// show the overlap: one run's can be lost to the OS scheduler, ten in a row cannot.
TEST_F(CoSchedulerTest, SplitHalvesOverlapInTime) {
  auto rng = test::make_rng(6);
  test::GraphBuilder b("overlap_net");
  const int x = b.input("x", {1, 64, 64, 64});
  Conv2DAttributes ca;
  ca.padding = Padding::kSame;
  const int w = b.random_constant(rng, "w", {64, 3, 3, 64}, -0.1, 0.1);
  const int bias = b.random_constant(rng, "b", {64});
  b.add_op(OpType::kConv2D, {x, w, bias}, ca);
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  for (const char* policy : {"ratio=0.9", "ratio=0.9:rows"}) {
    CoScheduler co(g, *device_, nullptr, partition::make_plan(g, partition::parse_policy(policy)), 1);
    co.set_profiling(true);
    co.set_input(0, random_input(g, rng));
    co.run();  // warm-up
    double best_overlap = -1e9;
    for (int run = 0; run < 10 && best_overlap <= 0; ++run) {
      co.run();
      const StepReport* cpu = nullptr;
      const StepReport* gpu = nullptr;
      for (const StepReport& s : co.report().steps) (s.device == "cpu" ? cpu : gpu) = &s;
      ASSERT_TRUE(cpu && gpu) << policy << ": the split step has no CPU or no GPU part";
      ASSERT_EQ(cpu->op_index, gpu->op_index);
      const double overlap = std::min(cpu->end_ms, gpu->end_ms) - std::max(cpu->start_ms, gpu->start_ms);
      std::printf("%s run %d: cpu %.3f-%.3f ms, gpu %.3f-%.3f ms, overlap %.3f ms\n", policy, run, cpu->start_ms,
                  cpu->end_ms, gpu->start_ms, gpu->end_ms, overlap);
      best_overlap = std::max(best_overlap, overlap);
    }
    EXPECT_GT(best_overlap, 0) << policy << ": the CPU and GPU parts of the split never ran at the same time";
  }
}

TEST(PlanTest, JsonRoundTripAndValidation) {
  auto rng = test::make_rng(5);
  const Graph g = make_net(rng, 6, 6);
  const Plan plan = partition::make_plan(g, partition::parse_policy("ratio=0.25"));
  const Plan back = partition::plan_from_json(partition::to_json(plan), g);
  ASSERT_EQ(back.steps.size(), plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    EXPECT_EQ(back.steps[i].kind, plan.steps[i].kind);
    EXPECT_EQ(back.steps[i].boundary, plan.steps[i].boundary);
  }
  auto j = partition::to_json(plan);
  j["steps"].erase(0);
  EXPECT_THROW(partition::plan_from_json(j, g), Error);
  j = partition::to_json(plan);
  j["steps"][0]["kind"] = "split";
  j["steps"][0]["axis"] = "slices";
  j["steps"][0]["boundary"] = 99;
  EXPECT_THROW(partition::plan_from_json(j, g), Error);
}

// The syncs a plan implies (partition/plan_syncs.h) on make_net: 0 conv, 1 depthwise, 2 add(1, 0),
// 3 hard_swish, 4 avg pool, 5 conv 1x1, 6 logistic.
TEST(PlanSyncsTest, SingleProcessorPlansHaveNoEdges) {
  auto rng = test::make_rng(6);
  const Graph g = make_net(rng, 6, 6);
  for (const char* p : {"cpu", "gpu"}) {
    const auto syncs = partition::derive_syncs(g, partition::make_plan(g, partition::parse_policy(p)));
    EXPECT_EQ(syncs.cross_edges, 0) << p;
    EXPECT_EQ(syncs.host_waits + syncs.gpu_waits, 0) << p;
  }
}

TEST(PlanSyncsTest, GpuProducerCpuConsumerWaitsAndCountsBytes) {
  auto rng = test::make_rng(7);
  const Graph g = make_net(rng, 6, 6);
  Plan plan = partition::make_plan(g, partition::parse_policy("cpu"));
  plan.steps[0].kind = StepKind::kGpu;  // conv on the GPU, everything else on the CPU
  const auto syncs = partition::derive_syncs(g, plan);
  const int64_t t1_bytes = 1 * 4 * 6 * 6 * 4 * 4;  // 13 channels = 4 slices of a 6x6 map, PHWC4 fp32
  ASSERT_EQ(syncs.steps[1].edges.size(), 1u);
  EXPECT_EQ(syncs.steps[1].edges[0].producer, partition::Processor::kGpu);
  EXPECT_EQ(syncs.steps[1].edges[0].bytes_crossing, t1_bytes);
  EXPECT_EQ(syncs.steps[1].edges[0].bytes_copied, 0);
  EXPECT_EQ(syncs.steps[1].cpu_waits_for_gpu_step, 0);
  EXPECT_EQ(syncs.steps[2].cpu_waits_for_gpu_step, 0);  // the residual ADD reads the conv output too
  EXPECT_TRUE(syncs.steps[0].gpu_needed_by_cpu);
  EXPECT_FALSE(syncs.steps[0].cpu_signals);
  EXPECT_EQ(syncs.cross_edges, 2);
  EXPECT_EQ(syncs.gpu_waits, 0);
  // Reverse: CPU conv, GPU depthwise: the GPU waits, the host signals after step 0.
  plan = partition::make_plan(g, partition::parse_policy("cpu"));
  plan.steps[1].kind = StepKind::kGpu;
  const auto rev = partition::derive_syncs(g, plan);
  EXPECT_EQ(rev.steps[1].gpu_waits_for_cpu_step, 0);
  EXPECT_TRUE(rev.steps[0].cpu_signals);
  EXPECT_EQ(rev.steps[2].cpu_waits_for_gpu_step, 1);  // the ADD on the CPU reads the GPU depthwise
}

TEST(PlanSyncsTest, ChainsNeedNoSyncWindowedRowSplitsDo) {
  auto rng = test::make_rng(8);
  const Graph g = make_net(rng, 8, 8);
  const Plan slices = partition::make_plan(g, partition::parse_policy("ratio=0.5"));
  ASSERT_EQ(slices.steps[0].kind, StepKind::kSplit);
  ASSERT_EQ(slices.steps[1].kind, StepKind::kSplit);
  ASSERT_EQ(slices.steps[0].boundary, slices.steps[1].boundary);
  const auto s = partition::derive_syncs(g, slices);
  EXPECT_TRUE(s.steps[1].chained);  // depthwise is channel-local: each side reads its own slices
  EXPECT_TRUE(s.steps[1].edges.empty());
  EXPECT_EQ(s.steps[1].cpu_waits_for_gpu_step, -1);
  EXPECT_EQ(s.steps[1].gpu_waits_for_cpu_step, -1);
  // A row split of a 3x3 depthwise reads the neighbour's rows: both sides wait on step 0.
  const Plan rows = partition::make_plan(g, partition::parse_policy("ratio=0.5:rows"));
  const auto r = partition::derive_syncs(g, rows);
  EXPECT_FALSE(r.steps[1].chained);
  EXPECT_EQ(r.steps[1].cpu_waits_for_gpu_step, 0);
  EXPECT_EQ(r.steps[1].gpu_waits_for_cpu_step, 0);
  EXPECT_GT(r.bytes_crossing, 0);
  // The ADD and HARD_SWISH after it are pointwise: a row split at the same boundary chains.
  ASSERT_EQ(rows.steps[2].boundary, rows.steps[1].boundary);
  EXPECT_TRUE(r.steps[2].chained);
  EXPECT_TRUE(r.steps[2].edges.empty());
  EXPECT_TRUE(r.steps[3].chained);
  EXPECT_TRUE(r.steps[3].edges.empty());
  // The plan JSON with its syncs still loads as a plan.
  const auto j = partition::to_json_with_syncs(rows, r);
  EXPECT_TRUE(j["steps"][1].contains("syncs"));
  const Plan back = partition::plan_from_json(j, g);
  EXPECT_EQ(back.steps[1].boundary, rows.steps[1].boundary);
}

TEST(PolicyTest, ParseErrorsNameTheForms) {
  for (const char* bad : {"fast", "ratio=1.5", "ratio=abc", "ratio=0.5:cols", "plan="}) {
    try {
      partition::parse_policy(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("valid:"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(partition::parse_policy("ratio=0.25:rows").axis, SplitAxis::kRows);
  EXPECT_DOUBLE_EQ(partition::parse_policy("ratio=0.25").ratio, 0.25);
}

}  // namespace
}  // namespace hetsched
