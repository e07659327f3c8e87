// Dead-op and dead-tensor elimination, iterated backwards from the model outputs.
#include "graph/passes/eliminate_dead.h"

#include <fmt/format.h>

#include "graph/passes/erase_ops.h"

namespace hetsched {

PassResult eliminate_dead(Graph& g) {
  const size_t nt = g.tensors.size();
  // Backwards sweep over the topological order: an op is live if one of its outputs is read by a
  // live op or is a model output.
  std::vector<bool> needed(nt, false);
  for (int t : g.outputs)
    if (t >= 0 && size_t(t) < nt) needed[size_t(t)] = true;
  std::vector<bool> dead(g.ops.size(), true);
  for (size_t i = g.ops.size(); i-- > 0;) {
    const Op& op = g.ops[i];
    bool any = false;
    for (int t : op.outputs) any |= t >= 0 && size_t(t) < nt && needed[size_t(t)];
    if (!any) continue;
    dead[i] = false;
    for (int t : op.inputs)
      if (t >= 0 && size_t(t) < nt) needed[size_t(t)] = true;
  }
  const size_t removed_ops = erase_marked_ops(g, dead);

  std::vector<bool> used(nt, false);
  auto mark = [&](int t) {
    if (t >= 0 && size_t(t) < nt) used[size_t(t)] = true;
  };
  for (int t : g.inputs) mark(t);
  for (int t : g.outputs) mark(t);
  for (const Op& op : g.ops) {
    for (int t : op.inputs) mark(t);
    for (int t : op.outputs) mark(t);
  }
  std::vector<int> remap(nt, -1);
  std::vector<Tensor> tensors;
  for (size_t t = 0; t < nt; ++t)
    if (used[t]) {
      remap[t] = int(tensors.size());
      tensors.push_back(std::move(g.tensors[t]));
    }
  const size_t removed_tensors = nt - tensors.size();
  g.tensors = std::move(tensors);
  auto apply = [&](std::vector<int>& v) {
    for (int& t : v)
      if (t >= 0 && size_t(t) < nt) t = remap[size_t(t)];
  };
  apply(g.inputs);
  apply(g.outputs);
  for (Op& op : g.ops) {
    apply(op.inputs);
    apply(op.outputs);
  }
  if (removed_ops == 0 && removed_tensors == 0) return {false, "nothing dead"};
  return {true, fmt::format("removed {} ops and {} tensors", removed_ops, removed_tensors)};
}

}  // namespace hetsched
