// Live ranges of activation tensors (see live_ranges.h).
#include "graph/live_ranges.h"

#include <algorithm>

namespace hetsched {

std::vector<memory::TensorUsageRecord> activation_usage_records(const Graph& g, std::vector<int>* tensors) {
  const int n_ops = int(g.ops.size());
  std::vector<int> first(g.tensors.size(), -1), last(g.tensors.size(), -1);
  for (int t : g.inputs) first[t] = last[t] = 0;
  for (int i = 0; i < n_ops; ++i) {
    for (int t : g.ops[i].inputs)
      if (t >= 0 && !g.tensors[t].is_constant) last[t] = std::max(last[t], i);
    for (int t : g.ops[i].outputs) {
      if (first[t] < 0) first[t] = i;
      last[t] = std::max(last[t], i);
    }
  }
  // Model inputs and outputs live through the whole run: an input set once serves every run.
  for (int t : g.inputs) last[t] = std::max(0, n_ops - 1);
  for (int t : g.outputs) last[t] = std::max(0, n_ops - 1);
  std::vector<memory::TensorUsageRecord> records;
  tensors->clear();
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (first[t] < 0 || g.tensors[t].is_constant) continue;
    records.push_back({g.tensors[t].shape4().phwc4_bytes(), first[t], last[t]});
    tensors->push_back(int(t));
  }
  return records;
}

}  // namespace hetsched
