// Removal of the ops a pass marked (see erase_ops.h).
#include "graph/passes/erase_ops.h"

namespace hetsched {

size_t erase_marked_ops(Graph& g, const std::vector<bool>& marked) {
  std::vector<Op> kept;
  kept.reserve(g.ops.size());
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (!marked[i]) kept.push_back(std::move(g.ops[i]));
  const size_t erased = g.ops.size() - kept.size();
  g.ops = std::move(kept);
  return erased;
}

}  // namespace hetsched
