// Session reports as JSON (see header).
#include "scheduler/report_json.h"

namespace hetsched {

nlohmann::ordered_json to_json(const ControllerEvent& e) {
  return {{"run", e.run}, {"session_ms", e.session_ms}, {"kind", e.kind},
          {"from", e.from}, {"to", e.to},                 {"reason", e.reason}};
}

nlohmann::ordered_json to_json(const TuningSummary& t) {
  return {{"enabled", t.enabled},          {"kernels", t.kernels},
          {"shapes_timed", t.shapes_timed}, {"cache_hits", t.cache_hits},
          {"changed", t.changed},           {"deferred", t.deferred}, {"precompiled", t.precompiled},
          {"timed_default_us", t.timed_default_us}, {"timed_best_us", t.timed_best_us},
          {"tuning_ms", t.tuning_ms},       {"tensor_core_kernels", t.tensor_core_kernels}};
}

nlohmann::ordered_json to_json(const StepReport& s) {
  return {{"op_index", s.op_index}, {"op_type", s.op_type}, {"device", s.device},          {"start_ms", s.start_ms},
          {"end_ms", s.end_ms},     {"wait_ms", s.wait_ms}, {"bytes_copied", s.bytes_copied}};
}

nlohmann::ordered_json to_json(const std::vector<ControllerEvent>& events) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const ControllerEvent& e : events) a.push_back(to_json(e));
  return a;
}

nlohmann::ordered_json to_json(const RunReport& r) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const StepReport& s : r.steps) steps.push_back(to_json(s));
  return {{"total_ms", r.total_ms}, {"steps", std::move(steps)}, {"runner", r.runner}, {"events", to_json(r.events)}};
}

}  // namespace hetsched
