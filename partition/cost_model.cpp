// Cost model (de)serialization.
#include "partition/cost_model.h"

#include <nlohmann/json.hpp>

namespace hetsched::partition {

nlohmann::json to_json(const CostModel& c) {
  nlohmann::json j;
  j["model"] = c.model;
  j["device"] = c.device;
  j["threads"] = c.threads;
  j["sync_ms"] = c.sync_ms;
  j["gpu_submit_ms"] = c.gpu_submit_ms;
  j["cpu_fixed_ms"] = c.cpu_fixed_ms;
  j["cpu_corun_factor"] = c.cpu_corun_factor;
  j["gpu_corun_factor"] = c.gpu_corun_factor;
  j["ops"] = nlohmann::json::array();
  for (const OpCost& o : c.ops) j["ops"].push_back({{"cpu_ms", o.cpu_ms}, {"gpu_ms", o.gpu_ms}});
  return j;
}

CostModel cost_model_from_json(const nlohmann::json& j) {
  CostModel c;
  c.model = j.at("model").get<std::string>();
  c.device = j.at("device").get<std::string>();
  c.threads = j.at("threads").get<int>();
  c.sync_ms = j.at("sync_ms").get<double>();
  c.gpu_submit_ms = j.at("gpu_submit_ms").get<double>();
  c.cpu_fixed_ms = j.at("cpu_fixed_ms").get<double>();
  c.cpu_corun_factor = j.value("cpu_corun_factor", 1.0);  // absent in caches written before it
  c.gpu_corun_factor = j.value("gpu_corun_factor", 1.0);
  for (const auto& o : j.at("ops")) c.ops.push_back({o.at("cpu_ms").get<double>(), o.at("gpu_ms").get<double>()});
  return c;
}

}  // namespace hetsched::partition
