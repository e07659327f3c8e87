// The plan summary line of `hetsched run --policy auto` and `hetsched compare`.
#include "tools/plan_summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace hetsched::tools {

std::string summarize_plan(const nlohmann::json& plan, const Graph& graph) {
  int n_cpu = 0, n_gpu = 0;
  std::vector<std::string> cpu_ops, gpu_ops, splits;
  for (const auto& s : plan.at("steps")) {
    const int op = s.at("op").get<int>();
    const std::string kind = s.at("kind").get<std::string>();
    const std::string what = op >= 0 && op < int(graph.ops.size())
                                 ? fmt::format("{} {}", op, to_string(graph.ops[size_t(op)].type))
                                 : fmt::to_string(op);
    if (kind == "cpu") ++n_cpu, cpu_ops.push_back(what);
    else if (kind == "gpu") ++n_gpu, gpu_ops.push_back(what);
    else splits.push_back(fmt::format("{} by {} at {}", what, s.value("axis", std::string("?")), s.value("boundary", 0)));
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < 6; ++i) out += (i ? ", " : "") + v[i];
    if (v.size() > 6) out += fmt::format(", ... {} more", v.size() - 6);
    return out;
  };
  const int total = n_cpu + n_gpu + int(splits.size());
  std::string out = fmt::format("{} ops: {} on the GPU, {} on the CPU, {} split", total, n_gpu, n_cpu, splits.size());
  if (n_cpu > 0 && n_gpu > 0) {
    const bool cpu_fewer = n_cpu <= n_gpu;
    out += fmt::format("; on the {}: {}", cpu_fewer ? "CPU" : "GPU", list(cpu_fewer ? cpu_ops : gpu_ops));
  }
  if (!splits.empty()) out += fmt::format("; splits: {}", list(splits));
  return out;
}

}  // namespace hetsched::tools
