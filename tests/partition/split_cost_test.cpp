// The partitioner's cost of a split step: both parts at once, each at its co-running slowdown
// (CostModel::cpu_corun_factor / gpu_corun_factor, from the predictor's --corun rows). With equal
// processors and no slowdown `auto` splits one op in half; when running together slows each side
// 3x, splitting costs more than either processor alone and `auto` keeps the op whole.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "partition/cost_model.h"
#include "partition/policy.h"

namespace hetsched::partition {
namespace {

// One ADD on [1,16,16,64]: 16 slices and 16 rows to split.
Graph one_add() {
  Graph g;
  g.model_name = "one_add";
  g.tensors.resize(2);
  g.tensors[0].name = "in", g.tensors[0].shape = {1, 16, 16, 64};
  g.tensors[1].name = "out", g.tensors[1].shape = {1, 16, 16, 64};
  Op op;
  op.type = OpType::kAdd;
  op.inputs = {0, 0};
  op.outputs = {1};
  op.attributes = BinaryAttributes{};
  g.ops = {op};
  g.inputs = {0};
  g.outputs = {1};
  return g;
}

CostModel equal_processors(double corun) {
  CostModel c;
  c.ops = {{1.0, 1.0}};
  c.sync_ms = 0;
  c.gpu_submit_ms = 0;
  c.cpu_fixed_ms = 0;
  c.cpu_corun_factor = c.gpu_corun_factor = corun;
  return c;
}

TEST(SplitCost, CoRunningSlowdownScalesBothParts) {
  const CostModel c = equal_processors(1.5);
  EXPECT_DOUBLE_EQ(c.split_ms(0, 0.5), 0.75);
  EXPECT_DOUBLE_EQ(c.split_ms(0, 0.25), 1.5 * 0.75);
  // A cost model round-trips its factors; an older file without them reads as 1.
  const nlohmann::json j = to_json(c);
  EXPECT_DOUBLE_EQ(cost_model_from_json(j).gpu_corun_factor, 1.5);
  nlohmann::json old = j;
  old.erase("cpu_corun_factor");
  old.erase("gpu_corun_factor");
  EXPECT_DOUBLE_EQ(cost_model_from_json(old).cpu_corun_factor, 1.0);
}

TEST(SplitCost, AutoSplitsOnlyWhenRunningTogetherStillPays) {
  const Graph g = one_add();
  PolicySpec policy = parse_policy("auto");
  const CostModel alone = equal_processors(1.0);
  const Plan split = make_plan(g, policy, &alone);
  ASSERT_EQ(split.steps.size(), 1u);
  EXPECT_EQ(split.steps[0].kind, StepKind::kSplit);
  EXPECT_NEAR(split.predicted_ms, 0.5, 0.1);
  const CostModel slowed = equal_processors(3.0);
  const Plan whole = make_plan(g, policy, &slowed);
  EXPECT_NE(whole.steps[0].kind, StepKind::kSplit);
  EXPECT_NEAR(whole.predicted_ms, 1.0, 1e-9);
}

}  // namespace
}  // namespace hetsched::partition
