// Policies -> plans. `auto` is a dynamic program over the op sequence (see make_auto_plan).
#include "partition/policy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/error.h"
#include "gpu/gpu_kernel.h"
#include "graph/op_registry.h"
#include "partition/plan_syncs.h"

namespace hetsched::partition {

PolicySpec parse_policy(const std::string& text) {
  PolicySpec p;
  p.text = text;
  auto bad = [&]() -> PolicySpec {
    fail(ErrorKind::kInvalidArgument,
         "unknown policy '{}' (valid: cpu, gpu, auto, auto:static, ratio=R with 0<=R<=1 optionally followed by :rows or "
         ":slices, plan=FILE)",
         text);
  };
  if (text == "cpu") p.kind = PolicySpec::Kind::kCpu;
  else if (text == "gpu") p.kind = PolicySpec::Kind::kGpu;
  else if (text == "auto") p.kind = PolicySpec::Kind::kAuto;
  else if (text == "auto:static") p.kind = PolicySpec::Kind::kAuto, p.adaptive = false;
  else if (text.rfind("plan=", 0) == 0 && text.size() > 5) {
    p.kind = PolicySpec::Kind::kPlanFile;
    p.file = text.substr(5);
  } else if (text.rfind("ratio=", 0) == 0) {
    p.kind = PolicySpec::Kind::kRatio;
    std::string v = text.substr(6);
    if (const size_t colon = v.find(':'); colon != std::string::npos) {
      const std::string axis = v.substr(colon + 1);
      if (axis == "rows") p.axis = SplitAxis::kRows;
      else if (axis != "slices") return bad();
      v = v.substr(0, colon);
    }
    try {
      size_t used = 0;
      p.ratio = std::stod(v, &used);
      if (used != v.size()) return bad();
    } catch (const std::exception&) {
      return bad();
    }
    if (!(p.ratio >= 0 && p.ratio <= 1)) return bad();
  } else {
    return bad();
  }
  return p;
}

bool gpu_supports(const Op& op) { return gpu::find_gpu_kernel(op.type) != nullptr; }

bool can_split(const Graph& graph, const Op& op, SplitAxis axis) {
  if (!gpu_supports(op)) return false;
  const OpDescriptor& d = describe_op(op.type);
  const Shape4 out = graph.tensors[op.outputs[0]].shape4();
  return axis == SplitAxis::kSlices ? d.split_slices && out.slices() > 1 : d.split_rows && out.h > 1;
}

namespace {

int extent(const Graph& g, const Op& op, SplitAxis axis) {
  const Shape4 out = g.tensors[op.outputs[0]].shape4();
  return axis == SplitAxis::kSlices ? out.slices() : out.h;
}

// Fraction of the op's work on the CPU for a step.
double cpu_fraction(const Graph& g, const PlanStep& s) {
  if (s.kind == StepKind::kCpu) return 1;
  if (s.kind == StepKind::kGpu) return 0;
  return double(s.boundary) / extent(g, g.ops[s.op_index], s.axis);
}

double step_ms(const Graph& g, const CostModel& c, const PlanStep& s) {
  const double f = cpu_fraction(g, s);
  if (f > 0 && f < 1) return c.split_ms(s.op_index, f);
  return std::max(c.cpu_part_ms(s.op_index, f), c.gpu_part_ms(s.op_index, 1 - f));
}

// Synchronization between consecutive steps p -> s (s reads p's output): none when the data
// stays on its side (same single device, or an operator chain continuing a split with the same
// boundary: partition/plan_syncs.h), else one cross-device synchronization.
double transition_ms(const Graph& g, const CostModel& c, const PlanStep& p, const PlanStep& s) {
  if (p.kind == s.kind && p.kind != StepKind::kSplit) return 0;
  if (continues_split(g, p, s)) return 0;
  return c.sync_ms + (s.kind != StepKind::kCpu ? c.gpu_submit_ms : 0);
}

// The candidate steps of an op for `auto`: cpu, gpu, and splits at boundaries covering the
// CPU fraction in steps of about 5% (every slice when the op has few).
std::vector<PlanStep> candidates(const Graph& g, int i) {
  const Op& op = g.ops[i];
  std::vector<PlanStep> out;
  out.push_back({i, StepKind::kCpu, SplitAxis::kSlices, 0, 0});
  if (!gpu_supports(op)) return out;
  out.push_back({i, StepKind::kGpu, SplitAxis::kSlices, 0, 0});
  for (SplitAxis axis : {SplitAxis::kSlices, SplitAxis::kRows}) {
    if (!can_split(g, op, axis)) continue;
    const int n = extent(g, op, axis);
    int last = 0;
    for (int k = 1; k < 20; ++k) {
      const int b = int(std::lround(n * k / 20.0));
      if (b <= last || b >= n) continue;
      last = b;
      out.push_back({i, StepKind::kSplit, axis, b, 0});
    }
  }
  return out;
}

// Dynamic program over the op sequence: best[i][c] = the lowest predicted time of ops 0..i with
// op i placed as candidate c; the transition charges a synchronization where data crosses.
Plan make_auto_plan(const Graph& g, const CostModel& c) {
  const int n = int(g.ops.size());
  if (int(c.ops.size()) != n)
    fail(ErrorKind::kInvalidArgument, "cost model of '{}' has {} ops, model '{}' has {}", c.model, c.ops.size(),
         g.model_name, n);
  std::vector<std::vector<PlanStep>> cand(n);
  std::vector<std::vector<double>> best(n);
  std::vector<std::vector<int>> from(n);
  for (int i = 0; i < n; ++i) {
    cand[i] = candidates(g, i);
    best[i].assign(cand[i].size(), std::numeric_limits<double>::infinity());
    from[i].assign(cand[i].size(), -1);
    for (size_t k = 0; k < cand[i].size(); ++k) {
      const double own = step_ms(g, c, cand[i][k]);
      if (i == 0) {
        best[i][k] = own + (cand[i][k].kind != StepKind::kCpu ? c.gpu_submit_ms : 0);
        continue;
      }
      for (size_t p = 0; p < cand[i - 1].size(); ++p) {
        const double v = best[i - 1][p] + transition_ms(g, c, cand[i - 1][p], cand[i][k]) + own;
        if (v < best[i][k]) best[i][k] = v, from[i][k] = int(p);
      }
    }
  }
  Plan plan;
  plan.model = g.model_name;
  plan.policy = "auto";
  plan.steps.resize(n);
  if (n == 0) return plan;
  int k = int(std::min_element(best[n - 1].begin(), best[n - 1].end()) - best[n - 1].begin());
  plan.predicted_ms = best[n - 1][k];
  for (int i = n - 1; i >= 0; --i) {
    plan.steps[i] = cand[i][k];
    plan.steps[i].predicted_ms = step_ms(g, c, cand[i][k]);
    k = from[i][k];
  }
  return plan;
}

}  // namespace

Plan make_plan(const Graph& g, const PolicySpec& policy, const CostModel* costs) {
  if (policy.kind == PolicySpec::Kind::kPlanFile) return load_plan(policy.file, g);
  if (policy.kind == PolicySpec::Kind::kAuto) {
    if (!costs) fail(ErrorKind::kInternal, "the auto policy needs a cost model");
    Plan plan = make_auto_plan(g, *costs);
    plan.graph_hash = graph_fingerprint(g);
    return plan;
  }
  Plan plan;
  plan.model = g.model_name;
  plan.graph_hash = graph_fingerprint(g);
  plan.policy = policy.text;
  for (int i = 0; i < int(g.ops.size()); ++i) {
    const Op& op = g.ops[i];
    PlanStep s{i, StepKind::kCpu, policy.axis, 0, 0};
    if (policy.kind == PolicySpec::Kind::kGpu) {
      s.kind = gpu_supports(op) ? StepKind::kGpu : StepKind::kCpu;
    } else if (policy.kind == PolicySpec::Kind::kRatio) {
      if (can_split(g, op, policy.axis)) {
        const int b = int(std::lround(policy.ratio * extent(g, op, policy.axis)));
        s.kind = StepKind::kSplit;
        s.boundary = b;
      } else {
        s.kind = policy.ratio >= 0.5 || !gpu_supports(op) ? StepKind::kCpu : StepKind::kGpu;
      }
    }
    plan.steps.push_back(s);
  }
  if (costs) {
    plan.predicted_ms = 0;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      plan.steps[i].predicted_ms = step_ms(g, *costs, plan.steps[i]);
      plan.predicted_ms += plan.steps[i].predicted_ms;
      if (i > 0) plan.predicted_ms += transition_ms(g, *costs, plan.steps[i - 1], plan.steps[i]);
    }
  }
  return plan;
}

}  // namespace hetsched::partition
