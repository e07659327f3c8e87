// Plan ranges and JSON (de)serialization with validation against the graph.
#include "partition/plan.h"

#include <nlohmann/json.hpp>

#include <fstream>

#include "graph/error.h"
#include "graph/op_registry.h"

namespace hetsched::partition {

const char* to_string(StepKind k) {
  switch (k) {
    case StepKind::kCpu: return "cpu";
    case StepKind::kGpu: return "gpu";
    case StepKind::kSplit: return "split";
  }
  return "?";
}

const char* to_string(SplitAxis a) { return a == SplitAxis::kSlices ? "slices" : "rows"; }

OutputRange PlanStep::cpu_range(const Shape4& out) const {
  OutputRange r = OutputRange::whole(out);
  if (kind == StepKind::kGpu) return {0, 0, 0, 0};
  if (kind == StepKind::kSplit) (axis == SplitAxis::kSlices ? r.slice_end : r.row_end) = boundary;
  return r;
}

OutputRange PlanStep::gpu_range(const Shape4& out) const {
  OutputRange r = OutputRange::whole(out);
  if (kind == StepKind::kCpu) return {0, 0, 0, 0};
  if (kind == StepKind::kSplit) (axis == SplitAxis::kSlices ? r.slice_begin : r.row_begin) = boundary;
  return r;
}

nlohmann::json to_json(const Plan& p) {
  nlohmann::json j;
  j["model"] = p.model;
  j["policy"] = p.policy;
  j["predicted_ms"] = p.predicted_ms;
  j["steps"] = nlohmann::json::array();
  for (const PlanStep& s : p.steps) {
    nlohmann::json js = {{"op", s.op_index}, {"kind", to_string(s.kind)}, {"predicted_ms", s.predicted_ms}};
    if (s.kind == StepKind::kSplit) {
      js["axis"] = to_string(s.axis);
      js["boundary"] = s.boundary;
    }
    j["steps"].push_back(js);
  }
  return j;
}

Plan plan_from_json(const nlohmann::json& j, const Graph& g) {
  try {
    Plan p;
    p.model = j.value("model", g.model_name);
    p.policy = j.value("policy", std::string("plan"));
    p.predicted_ms = j.value("predicted_ms", 0.0);
    const auto& steps = j.at("steps");
    if (steps.size() != g.ops.size())
      fail(ErrorKind::kInvalidArgument, "plan has {} steps but model '{}' has {} ops", steps.size(), g.model_name,
           g.ops.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      const auto& js = steps[i];
      PlanStep s;
      s.op_index = js.at("op").get<int>();
      if (s.op_index != int(i)) fail(ErrorKind::kInvalidArgument, "plan step {} names op {}", i, s.op_index);
      const std::string kind = js.at("kind").get<std::string>();
      if (kind == "cpu") s.kind = StepKind::kCpu;
      else if (kind == "gpu") s.kind = StepKind::kGpu;
      else if (kind == "split") s.kind = StepKind::kSplit;
      else fail(ErrorKind::kInvalidArgument, "plan step {}: unknown kind '{}'", i, kind);
      s.predicted_ms = js.value("predicted_ms", 0.0);
      if (s.kind == StepKind::kSplit) {
        const std::string axis = js.at("axis").get<std::string>();
        if (axis != "slices" && axis != "rows")
          fail(ErrorKind::kInvalidArgument, "plan step {}: unknown axis '{}'", i, axis);
        s.axis = axis == "slices" ? SplitAxis::kSlices : SplitAxis::kRows;
        s.boundary = js.at("boundary").get<int>();
        const Op& op = g.ops[i];
        const OpDescriptor& d = describe_op(op.type);
        const Shape4 out = g.tensors[op.outputs[0]].shape4();
        const bool ok = s.axis == SplitAxis::kSlices ? d.split_slices : d.split_rows;
        if (!ok) fail(ErrorKind::kInvalidArgument, "plan step {}: {} cannot be split by {}", i, g.describe(op), axis);
        const int extent = s.axis == SplitAxis::kSlices ? out.slices() : out.h;
        if (s.boundary < 0 || s.boundary > extent)
          fail(ErrorKind::kInvalidArgument, "plan step {}: boundary {} outside [0, {}]", i, s.boundary, extent);
      }
      p.steps.push_back(s);
    }
    return p;
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidArgument, "malformed plan for model '{}': {}", g.model_name, e.what());
  }
}

Plan load_plan(const std::string& path, const Graph& g) {
  std::ifstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot open plan file '{}'", path);
  nlohmann::json j;
  try {
    f >> j;
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidArgument, "plan file '{}' is not JSON: {}", path, e.what());
  }
  return plan_from_json(j, g);
}

void save_plan(const Plan& p, const std::string& path) {
  std::ofstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot write plan file '{}'", path);
  f << to_json(p).dump(2) << "\n";
}

}  // namespace hetsched::partition
