// Plan ranges and JSON (de)serialization with validation against the graph.
#include "partition/plan.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "base/enum_names.h"
#include "base/fnv1a.h"
#include "base/error.h"
#include "graph/op_registry.h"

namespace hetsched::partition {

namespace {
// The names plan files use (to_json and plan_from_json read the same tables).
constexpr EnumName<StepKind> kStepKinds[] = {
    {StepKind::kCpu, "cpu"}, {StepKind::kGpu, "gpu"}, {StepKind::kSplit, "split"}};
constexpr EnumName<SplitAxis> kSplitAxes[] = {{SplitAxis::kSlices, "slices"}, {SplitAxis::kRows, "rows"}};
}  // namespace

const char* to_string(StepKind k) { return name_of(kStepKinds, k); }

const char* to_string(SplitAxis a) { return name_of(kSplitAxes, a); }

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

uint64_t graph_fingerprint(const Graph& g) {
  Fnv1a h;
  auto mix = [&](const void* data, size_t n) { h.mix(data, n); };
  auto mix_int = [&](int64_t v) { mix(&v, sizeof(v)); };
  auto mix_ints = [&](const std::vector<int>& v) {
    mix_int(int64_t(v.size()));
    for (int x : v) mix_int(x);
  };
  mix_int(int64_t(g.tensors.size()));
  for (const Tensor& t : g.tensors) {
    mix(t.name.data(), t.name.size());
    mix_int(int64_t(t.dtype));
    mix_ints(t.shape);
    mix_int(t.is_constant);
    mix_int(int64_t(t.data.size()));
    // Up to 64 bytes from each end: weights that differ almost always differ there, and hashing
    // every byte of a 100 MB model would cost a visible fraction of a second per plan.
    const size_t n = std::min<size_t>(64, t.data.size());
    mix(t.data.data(), n);
    mix(t.data.data() + t.data.size() - n, n);
  }
  mix_int(int64_t(g.ops.size()));
  for (const Op& op : g.ops) {
    mix_int(int64_t(op.type));
    mix_int(op.model_index);
    mix_ints(op.inputs);
    mix_ints(op.outputs);
  }
  mix_ints(g.inputs);
  mix_ints(g.outputs);
  return h.value();
}

namespace {

std::string hash_text(uint64_t h) { return fmt::format("{:016x}", h); }

// A JSON integer in int range, else Error naming the field: nlohmann's get<int>() truncates 5.7
// to 5 and wraps 4294967296 to 0.
int strict_int(const nlohmann::json& js, const char* field, size_t step) {
  const nlohmann::json& v = js.at(field);
  if (!v.is_number_integer())
    fail(ErrorKind::kInvalidArgument, "plan step {}: \"{}\" is {}, expected an integer", step, field, v.dump());
  if (v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t(std::numeric_limits<int>::max())
                             : (v.get<int64_t>() < std::numeric_limits<int>::min() ||
                                v.get<int64_t>() > std::numeric_limits<int>::max()))
    fail(ErrorKind::kInvalidArgument, "plan step {}: \"{}\" is {}, outside the int range", step, field, v.dump());
  return int(v.get<int64_t>());
}

}  // namespace

nlohmann::json to_json(const Plan& p) {
  nlohmann::json j;
  j["model"] = p.model;
  j["graph_hash"] = hash_text(p.graph_hash);
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
    if (!j.is_object()) fail(ErrorKind::kInvalidArgument, "a plan is a JSON object, not {}", j.type_name());
    p.model = j.value("model", g.model_name);
    p.graph_hash = graph_fingerprint(g);
    if (!j.contains("graph_hash") || !j.at("graph_hash").is_string())
      fail(ErrorKind::kInvalidArgument,
           "plan (made for model '{}') has no \"graph_hash\" naming the model it was made for; save it again with "
           "`hetsched plan {} --save FILE`",
           p.model, g.model_name);
    if (j.at("graph_hash").get<std::string>() != hash_text(p.graph_hash))
      fail(ErrorKind::kInvalidArgument,
           "plan was made for model '{}' (graph hash {}), not for model '{}' (graph hash {})", p.model,
           j.at("graph_hash").get<std::string>(), g.model_name, hash_text(p.graph_hash));
    if (!j.contains("steps") || !j.at("steps").is_array())
      fail(ErrorKind::kInvalidArgument, "plan has no \"steps\" array");
    p.policy = j.value("policy", std::string("plan"));
    p.predicted_ms = j.value("predicted_ms", 0.0);
    const auto& steps = j.at("steps");
    if (steps.size() != g.ops.size())
      fail(ErrorKind::kInvalidArgument, "plan has {} steps but model '{}' has {} ops", steps.size(), g.model_name,
           g.ops.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      const auto& js = steps[i];
      if (!js.is_object()) fail(ErrorKind::kInvalidArgument, "plan step {} is {}, expected an object", i, js.dump());
      PlanStep s;
      s.op_index = strict_int(js, "op", i);
      if (s.op_index != int(i)) fail(ErrorKind::kInvalidArgument, "plan step {} names op {}", i, s.op_index);
      const std::string kind = js.at("kind").get<std::string>();
      const std::optional<StepKind> step_kind = value_of(kStepKinds, kind);
      if (!step_kind) fail(ErrorKind::kInvalidArgument, "plan step {}: unknown kind '{}'", i, kind);
      s.kind = *step_kind;
      s.predicted_ms = js.value("predicted_ms", 0.0);
      if (s.kind == StepKind::kSplit) {
        const std::string axis = js.at("axis").get<std::string>();
        const std::optional<SplitAxis> split_axis = value_of(kSplitAxes, axis);
        if (!split_axis) fail(ErrorKind::kInvalidArgument, "plan step {}: unknown axis '{}'", i, axis);
        s.axis = *split_axis;
        s.boundary = strict_int(js, "boundary", i);
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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(ErrorKind::kInvalidArgument, "plan file '{}' is a directory, expected a JSON plan file", path);
  std::ifstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot open plan file '{}': {}", path, std::strerror(errno));
  nlohmann::json j;
  try {
    f >> j;
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidArgument, "plan file '{}' is not JSON: {}", path, e.what());
  }
  try {
    return plan_from_json(j, g);
  } catch (const Error& e) {
    fail(e.kind(), "plan file '{}': {}", path, e.what());
  }
}

void save_plan(const Plan& p, const std::string& path) {
  std::ofstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot write plan file '{}'", path);
  f << to_json(p).dump(2) << "\n";
}

}  // namespace hetsched::partition
