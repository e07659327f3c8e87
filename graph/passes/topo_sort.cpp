// Kahn's algorithm over tensor dependencies, always taking the ready op with the lowest position.
#include "graph/passes/topo_sort.h"

#include <queue>

#include "base/error.h"

namespace hetsched {

PassResult topological_sort(Graph& g) {
  const int nt = int(g.tensors.size()), no = int(g.ops.size());
  std::vector<int> producer(size_t(nt), -1);
  std::vector<bool> is_input(size_t(nt), false);
  for (int t : g.inputs)
    if (t >= 0 && t < nt) is_input[size_t(t)] = true;
  auto check_index = [&](const Op& op, int t) {
    if (t < -1 || t >= nt)
      fail(ErrorKind::kInvalidModel, "model '{}': {} refers to tensor {} (the model has {})", g.model_name,
           g.describe(op), t, nt);
  };
  for (int i = 0; i < no; ++i) {
    const Op& op = g.ops[size_t(i)];
    for (int t : op.inputs) check_index(op, t);
    for (int t : op.outputs) {
      check_index(op, t);
      if (t < 0) fail(ErrorKind::kInvalidModel, "model '{}': {} has an absent output", g.model_name, g.describe(op));
      if (producer[size_t(t)] >= 0)
        fail(ErrorKind::kInvalidModel, "model '{}': tensor '{}' is written by {} and {}", g.model_name,
             g.tensors[size_t(t)].name, g.describe(g.ops[size_t(producer[size_t(t)])]), g.describe(op));
      if (g.tensors[size_t(t)].is_constant)
        fail(ErrorKind::kInvalidModel, "model '{}': {} writes the constant tensor '{}'", g.model_name, g.describe(op),
             g.tensors[size_t(t)].name);
      if (is_input[size_t(t)])
        fail(ErrorKind::kInvalidModel, "model '{}': {} writes the model input '{}'", g.model_name, g.describe(op),
             g.tensors[size_t(t)].name);
      producer[size_t(t)] = i;
    }
  }
  for (int t : g.outputs) {
    if (t < 0 || t >= nt) fail(ErrorKind::kInvalidModel, "model '{}': model output {} out of range", g.model_name, t);
    if (producer[size_t(t)] < 0 && !is_input[size_t(t)] && !g.tensors[size_t(t)].is_constant)
      fail(ErrorKind::kInvalidModel, "model '{}': no op writes the model output '{}'", g.model_name,
           g.tensors[size_t(t)].name);
  }
  // Edges producer -> consumer; in-degree counts distinct input tensors produced by ops.
  std::vector<std::vector<int>> consumers(g.ops.size());
  std::vector<int> indegree(size_t(no), 0);
  for (int i = 0; i < no; ++i) {
    const Op& op = g.ops[size_t(i)];
    for (size_t k = 0; k < op.inputs.size(); ++k) {
      const int t = op.inputs[k];
      if (t < 0) continue;
      const int p = producer[size_t(t)];
      if (p < 0) {
        if (!g.tensors[size_t(t)].is_constant && !is_input[size_t(t)])
          fail(ErrorKind::kInvalidModel,
               "model '{}': {} reads tensor '{}', which no op writes and which is neither a constant nor a model input",
               g.model_name, g.describe(op), g.tensors[size_t(t)].name);
        continue;
      }
      consumers[size_t(p)].push_back(i);
      ++indegree[size_t(i)];
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < no; ++i)
    if (indegree[size_t(i)] == 0) ready.push(i);
  std::vector<int> order;
  order.reserve(size_t(no));
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int c : consumers[size_t(i)])
      if (--indegree[size_t(c)] == 0) ready.push(c);
  }
  if (int(order.size()) != no) {
    for (int i = 0; i < no; ++i)
      if (indegree[size_t(i)] > 0)
        fail(ErrorKind::kInvalidModel, "model '{}': the ops form a cycle through {}", g.model_name,
             g.describe(g.ops[size_t(i)]));
  }
  bool changed = false;
  for (int i = 0; i < no; ++i) changed |= order[size_t(i)] != i;
  if (!changed) return {false, "already in topological order"};
  std::vector<Op> sorted;
  sorted.reserve(size_t(no));
  for (int i : order) sorted.push_back(std::move(g.ops[size_t(i)]));
  g.ops = std::move(sorted);
  return {true, "reordered the ops"};
}

}  // namespace hetsched
