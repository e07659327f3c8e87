// extract_op: copies the op, its constants and its tensors into a fresh graph.
#include "graph/subgraph.h"

#include <fmt/format.h>

namespace hetsched {

Graph extract_op(const Graph& g, int op_index) {
  const Op& op = g.ops.at(size_t(op_index));
  Graph out;
  out.model_name = fmt::format("{}#op{}", g.model_name, op_index);
  Op copy = op;
  for (int& t : copy.inputs) {
    if (t < 0) continue;
    out.tensors.push_back(g.tensors[t]);
    const int id = int(out.tensors.size()) - 1;
    if (!g.tensors[t].is_constant) out.inputs.push_back(id);
    t = id;
  }
  out.tensors.push_back(g.tensors[op.outputs[0]]);
  copy.outputs = {int(out.tensors.size()) - 1};
  out.outputs = copy.outputs;
  out.ops.push_back(copy);
  return out;
}

}  // namespace hetsched
