// One line saying where a plan puts a model's ops: how many on each processor, which ones the
// minority processor gets, and the splits (axis, CPU share).
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "graph/graph.h"

namespace hetsched::tools {

// `plan` in partition::to_json's format; `graph` names the op types.
std::string summarize_plan(const nlohmann::json& plan, const Graph& graph);

}  // namespace hetsched::tools
