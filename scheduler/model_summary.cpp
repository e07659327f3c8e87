// Model tensors and op census (see header).
#include "scheduler/model_summary.h"

#include "graph/op_registry.h"

namespace hetsched {

nlohmann::ordered_json tensors_json(const Graph& g, const std::vector<int>& ids) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (int id : ids) {
    const Tensor& t = g.tensors[size_t(id)];
    a.push_back({{"name", t.name}, {"shape", t.shape}, {"dtype", to_string(t.dtype)}});
  }
  return a;
}

OpCensus op_census(const Graph& g) {
  OpCensus c;
  for (const Op& op : g.ops) {
    const OpDescriptor& d = describe_op(op.type);
    c.macs.push_back(d.macs ? d.macs(g, op) : 0);
    c.total_macs += c.macs.back();
    c.counts[to_string(op.type)]++;
  }
  return c;
}

}  // namespace hetsched
