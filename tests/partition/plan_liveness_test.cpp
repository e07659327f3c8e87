// Co-execution memory tests (partition/plan_liveness.h): on random graphs with random plans, and on
// the zoo models with policy plans, no two tensors that may be live at once on either processor
// share a byte. The check is independent of the derivation: it builds the graph of parts with the
// co-scheduler's waits (program order on each processor, each segment after its host step, each
// waiting CPU part after its GPU step's segment), closes it transitively, and requires, for every
// two tensors whose bytes overlap, that every access of one reaches every access of the other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "graph/live_ranges.h"
#include "partition/plan_liveness.h"
#include "partition/plan_syncs.h"
#include "partition/policy.h"
#include "scheduler/model.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

using partition::Plan;
using partition::SplitAxis;
using partition::StepKind;

// Events: 0 = host before the run, 1 + 2k = CPU part of step k, 2 + 2k = GPU part, 2n + 1 = host
// after the run. reach[a][b]: a completes before b starts in every execution.
struct Reach {
  int n = 0;
  std::vector<std::vector<bool>> reach;
  int cpu(int k) const { return 1 + 2 * k; }
  int gpu(int k) const { return 2 + 2 * k; }
  int end() const { return 2 * n + 1; }
};

Reach brute_force_order(const Graph& g, const Plan& plan, const partition::PlanSyncs& syncs) {
  const int n = int(g.ops.size());
  Reach r;
  r.n = n;
  const int events = 2 * n + 2;
  std::vector<std::vector<int>> next(static_cast<size_t>(events));
  std::vector<bool> has_cpu(static_cast<size_t>(n)), has_gpu(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) {
    const Shape4 out = g.tensors[g.ops[k].outputs[0]].shape4();
    has_cpu[k] = !plan.steps[k].cpu_range(out).empty();
    has_gpu[k] = !plan.steps[k].gpu_range(out).empty();
  }
  int last_cpu = 0, last_gpu = 0;  // program order on each processor, from the host before the run
  for (int k = 0; k < n; ++k) {
    if (has_cpu[k]) next[last_cpu].push_back(r.cpu(k)), last_cpu = r.cpu(k);
    if (has_gpu[k]) next[last_gpu].push_back(r.gpu(k)), last_gpu = r.gpu(k);
  }
  next[last_cpu].push_back(r.end());
  next[last_gpu].push_back(r.end());  // the host waits for the last segment
  const auto segments = partition::derive_gpu_segments(g, plan, syncs);
  std::vector<int> segment_end(size_t(n), -1);
  for (const auto& s : segments) {
    if (s.wait_cpu_step >= 0) next[r.cpu(s.wait_cpu_step)].push_back(r.gpu(s.steps.front()));
    for (int k : s.steps) segment_end[k] = s.steps.back();
  }
  for (int k = 0; k < n; ++k)
    if (has_cpu[k] && syncs.steps[k].cpu_waits_for_gpu_step >= 0)
      next[r.gpu(segment_end.at(syncs.steps[k].cpu_waits_for_gpu_step))].push_back(r.cpu(k));
  r.reach.assign(size_t(events), std::vector<bool>(size_t(events), false));
  for (int a = 0; a < events; ++a) {  // depth-first search from every event
    std::vector<int> stack = next[a];
    while (!stack.empty()) {
      const int b = stack.back();
      stack.pop_back();
      if (r.reach[a][b]) continue;
      r.reach[a][b] = true;
      for (int c : next[b]) stack.push_back(c);
    }
  }
  return r;
}

// The events that touch each tensor, from the graph and plan directly.
std::vector<std::vector<int>> events_of_tensors(const Graph& g, const Plan& plan, const Reach& r) {
  std::vector<std::vector<int>> ev(g.tensors.size());
  for (int k = 0; k < int(g.ops.size()); ++k) {
    const Shape4 out = g.tensors[g.ops[k].outputs[0]].shape4();
    std::vector<int> touched = g.ops[k].outputs;
    for (int t : g.ops[k].inputs)
      if (t >= 0 && !g.tensors[t].is_constant) touched.push_back(t);
    for (int t : touched) {
      if (!plan.steps[k].cpu_range(out).empty()) ev[t].push_back(r.cpu(k));
      if (!plan.steps[k].gpu_range(out).empty()) ev[t].push_back(r.gpu(k));
    }
  }
  for (int t : g.inputs) ev[t].push_back(0), ev[t].push_back(r.end());  // kept across runs
  for (int t : g.outputs) ev[t].push_back(r.end());
  return ev;
}

bool all_before(const Reach& r, const std::vector<int>& a, const std::vector<int>& b) {
  for (int x : a)
    for (int y : b)
      if (!r.reach[x][y]) return false;
  return true;
}

// Checks the planned offsets of `plan` on `g` under the synchronizations the co-scheduler runs (the
// plan's, plus memory synchronizations); returns the number of tensor pairs that share bytes.
int expect_no_live_overlap(const Graph& g, const Plan& plan, const std::string& what,
                           const partition::CoexecMemoryOptions& options = {}) {
  const auto m = partition::plan_coexec_memory(g, plan, options);
  const auto plain = partition::derive_syncs(g, plan);
  for (size_t k = 0; k < plain.steps.size(); ++k) {  // memory synchronizations only add waits
    EXPECT_GE(m.syncs.steps[k].cpu_waits_for_gpu_step, plain.steps[k].cpu_waits_for_gpu_step) << what;
    EXPECT_GE(m.syncs.steps[k].gpu_waits_for_cpu_step, plain.steps[k].gpu_waits_for_cpu_step) << what;
    EXPECT_LT(m.syncs.steps[k].cpu_waits_for_gpu_step, int(k)) << what;
    EXPECT_LT(m.syncs.steps[k].gpu_waits_for_cpu_step, int(k)) << what;
  }
  const Reach r = brute_force_order(g, plan, m.syncs);
  const auto ev = events_of_tensors(g, plan, r);
  const auto host = partition::host_touched_tensors(g, plan);
  int shared = 0;
  for (int arena = 0; arena < 2; ++arena) {
    const auto& ids = m.tensors[arena];
    for (size_t i = 0; i < ids.size(); ++i) {
      const int a = ids[i];
      const auto bytes_a = g.tensors[a].shape4().phwc4_bytes();
      EXPECT_EQ(m.offset[a] % 64, 0) << what;
      EXPECT_LE(size_t(m.offset[a]) + bytes_a, m.plans[arena].total_bytes) << what << " tensor " << a;
      EXPECT_EQ(bool(arena), bool(host[a])) << what << " tensor " << a;
      if (!arena) {  // the device-local arena holds tensors only GPU parts touch
        for (int e : ev[a]) EXPECT_TRUE(e > 0 && e < r.end() && e % 2 == 0) << what << " tensor " << a;
      }
      for (size_t j = i + 1; j < ids.size(); ++j) {
        const int b = ids[j];
        const auto bytes_b = g.tensors[b].shape4().phwc4_bytes();
        if (!bytes_a || !bytes_b) continue;
        if (m.offset[a] + int64_t(bytes_a) <= m.offset[b] || m.offset[b] + int64_t(bytes_b) <= m.offset[a]) continue;
        ++shared;
        EXPECT_TRUE(all_before(r, ev[a], ev[b]) || all_before(r, ev[b], ev[a]))
            << what << ": tensors " << a << " and " << b << " share bytes but may be live at once; plan "
            << partition::to_json(plan).dump();
      }
    }
  }
  return shared;
}

Plan random_plan(const Graph& g, std::mt19937_64& rng) {
  Plan plan;
  plan.model = g.model_name;
  for (int i = 0; i < int(g.ops.size()); ++i) {
    partition::PlanStep s{i, StepKind(rng() % 3), SplitAxis(rng() % 2), 0, 0};
    if (s.kind != StepKind::kCpu && !partition::gpu_supports(g.ops[i])) s.kind = StepKind::kCpu;
    if (s.kind == StepKind::kSplit && !partition::can_split(g, g.ops[i], s.axis)) s.kind = StepKind::kCpu;
    if (s.kind == StepKind::kSplit) {
      const Shape4 out = g.tensors[g.ops[i].outputs[0]].shape4();
      const int extent = s.axis == SplitAxis::kSlices ? out.slices() : out.h;
      s.boundary = int(rng() % (extent + 1));
    }
    plan.steps.push_back(s);
  }
  return plan;
}

// A random DAG of same-size feature maps: unary activations, adds of two earlier tensors, 1x1 and
// 3x3 convolutions changing the channel count, and depthwise convolutions.
Graph random_graph(std::mt19937_64& rng, int ops) {
  test::GraphBuilder b("random_dag");
  const int h = 4 + int(rng() % 6), w = 3 + int(rng() % 6);
  std::vector<int> tensors = {b.input("x", {1, h, w, 4 + int(rng() % 9)})};
  std::vector<int> chans(1, b.graph().tensors[tensors[0]].shape.back());  // per tensor id (shapes come later)
  auto channels = [&](int t) { return chans.at(size_t(t)); };
  auto set_channels = [&](int t, int c) {
    if (chans.size() <= size_t(t)) chans.resize(size_t(t) + 1, 0);
    chans[size_t(t)] = c;
  };
  set_channels(tensors[0], chans[0]);
  for (int i = 0; i < ops; ++i) {
    int out_channels = 0;
    // Mostly recent tensors, sometimes an old one (long live ranges across processors).
    const int pick = rng() % 4 ? tensors[tensors.size() - 1 - rng() % std::min<size_t>(3, tensors.size())]
                               : tensors[rng() % tensors.size()];
    out_channels = channels(pick);
    switch (rng() % 5) {
      case 0: {
        b.add_op(rng() % 2 ? OpType::kRelu : OpType::kLogistic, {pick}, NoAttributes{});
        break;
      }
      case 1: {
        std::vector<int> same;
        for (int t : tensors)
          if (t != pick && channels(t) == channels(pick)) same.push_back(t);
        if (same.empty()) {
          b.add_op(OpType::kHardSwish, {pick}, NoAttributes{});
        } else {
          b.add_op(OpType::kAdd, {pick, same[rng() % same.size()]}, BinaryAttributes{});
        }
        break;
      }
      case 2:
      case 3: {
        const int k = rng() % 2 ? 1 : 3, out = 3 + int(rng() % 30);
        Conv2DAttributes a;
        a.padding = Padding::kSame;
        const int wt = b.random_constant(rng, fmt::format("w{}", i), {out, k, k, channels(pick)}, -0.3, 0.3);
        b.add_op(OpType::kConv2D, {pick, wt, -1}, a);
        out_channels = out;
        break;
      }
      default: {
        DepthwiseConv2DAttributes a;
        a.padding = Padding::kSame;
        const int wt = b.random_constant(rng, fmt::format("d{}", i), {1, 3, 3, channels(pick)}, -0.3, 0.3);
        b.add_op(OpType::kDepthwiseConv2D, {pick, wt, -1}, a);
        break;
      }
    }
    tensors.push_back(b.graph().ops.back().outputs[0]);
    set_channels(tensors.back(), out_channels);
  }
  Graph g = b.graph();
  g.outputs = {tensors.back()};
  if (rng() % 2) g.outputs.push_back(tensors[1 + rng() % (tensors.size() - 1)]);
  infer_shapes(g);
  return g;
}

uint64_t seed_from_env() {
  const char* e = std::getenv("HETSCHED_TEST_SEED");
  return e && *e ? std::strtoull(e, nullptr, 10) : std::random_device{}();
}

TEST(PlanLiveness, RandomGraphsAndPlansNeverOverlapLiveTensors) {
  const uint64_t seed = seed_from_env();
  std::printf("seed %llu (HETSCHED_TEST_SEED to repeat)\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  int shared = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const Graph g = random_graph(rng, 3 + int(rng() % 25));
    for (int p = 0; p < 4; ++p) {
      const Plan plan = random_plan(g, rng);
      const std::string what = fmt::format("seed {} trial {} plan {}", seed, trial, p);
      shared += expect_no_live_overlap(g, plan, what);
      shared += expect_no_live_overlap(g, plan, what + " (plan order only)", {.target_ratio = 0});
      shared += expect_no_live_overlap(g, plan, what + " (tight target)", {.target_ratio = 1.0});
    }
    for (const char* policy : {"cpu", "gpu", "ratio=0.5", "ratio=0.25:rows"})
      shared += expect_no_live_overlap(g, partition::make_plan(g, partition::parse_policy(policy)), policy);
  }
  EXPECT_GT(shared, 100) << "the arenas should reuse bytes";
}

// A chain of 8 pointwise ops: on one processor the intermediates ping-pong between two slots; split
// at one boundary every op continues its producer's split, so no part waits and the halves may
// drift arbitrarily far apart: no byte may be reused.
TEST(PlanLiveness, ChainsAliasOnOneProcessorButNotAcrossUnsynchronizedHalves) {
  test::GraphBuilder b("chain");
  int t = b.input("x", {1, 8, 8, 16});
  for (int i = 0; i < 8; ++i) {
    b.add_op(i % 2 ? OpType::kRelu : OpType::kLogistic, {t}, NoAttributes{});
    t = b.graph().ops.back().outputs[0];
  }
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  const size_t tensor = g.tensors[t].shape4().phwc4_bytes();
  const auto plan_of = [&](const char* p) { return partition::make_plan(g, partition::parse_policy(p)); };
  const partition::CoexecMemoryOptions order_only{.target_ratio = 0};
  const auto gpu = partition::plan_coexec_memory(g, plan_of("gpu"), order_only);
  EXPECT_EQ(gpu.plans[0].total_bytes, 2 * tensor);  // intermediates, GPU-only
  EXPECT_EQ(gpu.plans[1].total_bytes, 2 * tensor);  // input and output
  const auto cpu = partition::plan_coexec_memory(g, plan_of("cpu"), order_only);
  EXPECT_EQ(cpu.plans[0].total_bytes, 0u);
  EXPECT_EQ(cpu.plans[1].total_bytes, 3 * tensor);  // input, and two slots for the rest
  for (const char* p : {"ratio=0.5", "ratio=0.5:rows"}) {
    const auto split = partition::plan_coexec_memory(g, plan_of(p), order_only);
    EXPECT_EQ(split.total_bytes(), 9 * tensor) << p;
    EXPECT_EQ(split.memory_syncs, 0) << p;
    EXPECT_EQ(expect_no_live_overlap(g, plan_of(p), p, order_only), 0) << p;
    // Memory synchronizations bound the drift: within 1.3x of one processor's 3 tensors.
    const auto synced = partition::plan_coexec_memory(g, plan_of(p));
    EXPECT_GT(synced.memory_syncs, 0) << p;
    EXPECT_LE(synced.total_bytes(), 3 * tensor * 13 / 10) << p;
    EXPECT_GT(expect_no_live_overlap(g, plan_of(p), p), 0) << p;
  }
}

// One op that reads all input channels (a 3x3 convolution split by slices) makes both halves wait
// for each other: tensors before it are dead on both processors once both halves of it ran.
TEST(PlanLiveness, SynchronizationsLetSplitPlansAlias) {
  std::mt19937_64 rng(11);
  test::GraphBuilder b("synced_chain");
  int t = b.input("x", {1, 8, 8, 16});
  for (int i = 0; i < 12; ++i) {
    if (i % 3 == 2) {
      Conv2DAttributes a;
      a.padding = Padding::kSame;
      const int w = b.random_constant(rng, fmt::format("w{}", i), {16, 3, 3, 16}, -0.3, 0.3);
      b.add_op(OpType::kConv2D, {t, w, -1}, a);
    } else {
      b.add_op(OpType::kRelu, {t}, NoAttributes{});
    }
    t = b.graph().ops.back().outputs[0];
  }
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  const size_t tensor = g.tensors[t].shape4().phwc4_bytes();
  for (const char* p : {"ratio=0.5", "ratio=0.5:rows"}) {
    const Plan plan = partition::make_plan(g, partition::parse_policy(p));
    const auto naive = partition::plan_coexec_memory(g, plan, {.aliasing = false});
    const auto aliased = partition::plan_coexec_memory(g, plan, {.target_ratio = 0});
    EXPECT_EQ(naive.total_bytes(), 13 * tensor) << p;
    EXPECT_LE(aliased.total_bytes(), 7 * tensor) << p;
    EXPECT_GT(expect_no_live_overlap(g, plan, p, {.target_ratio = 0}), 10) << p;
  }
}

std::filesystem::path model_dir() {
  if (const char* e = std::getenv("HETSCHED_MODEL_DIR"); e && *e) return e;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "models";
}

TEST(PlanLiveness, ZooPolicyAndRandomPlansNeverOverlapLiveTensors) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(model_dir(), ec))
    if (e.path().extension() == ".tflite") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) GTEST_SKIP() << "no .tflite files in " << model_dir();
  const uint64_t seed = seed_from_env();
  std::printf("seed %llu (HETSCHED_TEST_SEED to repeat)\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  int loaded = 0;
  for (const auto& f : files) {
    std::shared_ptr<const Model> model;
    try {
      model = Model::load(f.string());
    } catch (const Error& e) {
      continue;  // models the importer does not support are covered by its own tests
    }
    const Graph& g = model->graph();
    SCOPED_TRACE(f.filename().string());
    ++loaded;
    for (const char* policy : {"gpu", "ratio=0.5", "ratio=0.5:rows", "ratio=0.25"}) {
      const Plan plan = partition::make_plan(g, partition::parse_policy(policy));
      expect_no_live_overlap(g, plan, policy);
      expect_no_live_overlap(g, plan, std::string(policy) + " (plan order only)", {.target_ratio = 0});
      // The target: within 1.3x of the single-device best plan.
      const auto m = partition::plan_coexec_memory(g, plan);
      EXPECT_LE(double(m.total_bytes()), 1.3 * double(m.single_device_bytes)) << policy;
    }
    expect_no_live_overlap(g, random_plan(g, rng), fmt::format("random plan, seed {}", seed));
  }
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace hetsched
