// Derivation of a plan's cross-processor edges, waits and signals (see plan_syncs.h).
#include "partition/plan_syncs.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "base/error.h"
#include "graph/op_registry.h"

namespace hetsched::partition {
namespace {

int64_t range_bytes(const Shape4& s, const OutputRange& r) {
  if (r.empty()) return 0;
  return int64_t(s.n) * (r.slice_end - r.slice_begin) * (r.row_end - r.row_begin) * s.w * 4 * int64_t(sizeof(float));
}

}  // namespace

const char* to_string(Processor p) { return p == Processor::kCpu ? "cpu" : "gpu"; }

bool continues_split(const Graph& g, const PlanStep& producer, const PlanStep& consumer) {
  if (producer.kind != StepKind::kSplit || consumer.kind != StepKind::kSplit || producer.axis != consumer.axis ||
      producer.boundary != consumer.boundary)
    return false;
  const Op& op = g.ops[size_t(consumer.op_index)];
  return consumer.axis == SplitAxis::kSlices ? is_channel_local(g, op) : is_row_local(g, op);
}

PlanSyncs derive_syncs(const Graph& g, const Plan& plan) {
  const int n = int(g.ops.size());
  if (int(plan.steps.size()) != n)
    fail(ErrorKind::kInvalidArgument, "plan of '{}' has {} steps, the model {} ops", g.model_name, plan.steps.size(), n);
  std::vector<OutputRange> cpu(n), gpu(n);
  for (int k = 0; k < n; ++k) {
    const Shape4 out = g.tensors[g.ops[k].outputs[0]].shape4();
    cpu[k] = plan.steps[k].cpu_range(out);
    gpu[k] = plan.steps[k].gpu_range(out);
  }
  PlanSyncs r;
  r.steps.resize(n);
  for (int k = 0; k < n; ++k) {
    StepSyncs& s = r.steps[k];
    for (int t : g.ops[k].inputs) {
      if (t < 0 || g.tensors[t].is_constant) continue;
      const int p = g.producer_of(t);
      if (p < 0) continue;  // a model input: written by the host before the run
      if (continues_split(g, plan.steps[p], plan.steps[k])) {
        s.chained = true;
        continue;
      }
      const Shape4 shape = g.tensors[t].shape4();
      if (!cpu[k].empty() && !gpu[p].empty()) {
        s.edges.push_back({t, p, Processor::kGpu, Processor::kCpu, range_bytes(shape, gpu[p]), 0});
        s.cpu_waits_for_gpu_step = std::max(s.cpu_waits_for_gpu_step, p);
        r.steps[p].gpu_needed_by_cpu = true;
      }
      if (!gpu[k].empty() && !cpu[p].empty()) {
        s.edges.push_back({t, p, Processor::kCpu, Processor::kGpu, range_bytes(shape, cpu[p]), 0});
        s.gpu_waits_for_cpu_step = std::max(s.gpu_waits_for_cpu_step, p);
        r.steps[p].cpu_signals = true;
      }
    }
  }
  for (const StepSyncs& s : r.steps) {
    r.cross_edges += int(s.edges.size());
    r.host_waits += s.cpu_waits_for_gpu_step >= 0;
    r.gpu_waits += s.gpu_waits_for_cpu_step >= 0;
    for (const CrossingEdge& e : s.edges) r.bytes_crossing += e.bytes_crossing, r.bytes_copied += e.bytes_copied;
  }
  return r;
}

nlohmann::json to_json(const StepSyncs& s) {
  nlohmann::json j = nlohmann::json::object();
  if (s.cpu_waits_for_gpu_step >= 0) j["cpu_waits_for_gpu_step"] = s.cpu_waits_for_gpu_step;
  if (s.gpu_waits_for_cpu_step >= 0) j["gpu_waits_for_cpu_step"] = s.gpu_waits_for_cpu_step;
  if (s.cpu_signals) j["cpu_signals_gpu"] = true;
  if (s.gpu_needed_by_cpu) j["gpu_signals_cpu"] = true;
  if (s.chained) j["chained"] = true;
  if (!s.edges.empty()) {
    j["edges"] = nlohmann::json::array();
    for (const CrossingEdge& e : s.edges)
      j["edges"].push_back({{"tensor", e.tensor},
                            {"producer_step", e.producer_step},
                            {"from", to_string(e.producer)},
                            {"to", to_string(e.consumer)},
                            {"bytes_crossing", e.bytes_crossing},
                            {"bytes_copied", e.bytes_copied}});
  }
  return j;
}

nlohmann::json to_json_with_syncs(const Plan& plan, const PlanSyncs& syncs) {
  nlohmann::json j = to_json(plan);
  for (size_t k = 0; k < plan.steps.size() && k < syncs.steps.size(); ++k) {
    const nlohmann::json s = to_json(syncs.steps[k]);
    if (!s.empty()) j["steps"][k]["syncs"] = s;
  }
  j["syncs"] = {{"cross_edges", syncs.cross_edges},
                {"host_waits_for_gpu", syncs.host_waits},
                {"gpu_waits_for_host", syncs.gpu_waits},
                {"bytes_crossing", syncs.bytes_crossing},
                {"bytes_copied", syncs.bytes_copied}};
  return j;
}

}  // namespace hetsched::partition
