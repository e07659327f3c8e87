// What `hetsched info` and the Python Model.describe() say about a model's tensors and ops, computed
// once for both: the inputs'/outputs' names, shapes and dtypes, MACs per op, op counts by type.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/graph.h"

namespace hetsched {

// [{name, shape, dtype}] of the tensors `ids` of `g` (its inputs or outputs), in that order.
nlohmann::ordered_json tensors_json(const Graph& g, const std::vector<int>& ids);

struct OpCensus {
  std::vector<int64_t> macs;          // per op (0 for ops without a MAC count)
  std::map<std::string, int> counts;  // ops per type name
  int64_t total_macs = 0;
};
OpCensus op_census(const Graph& g);

}  // namespace hetsched
