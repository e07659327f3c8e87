// Removes the ops a pass marked for removal, keeping the others in their (topological) order.
#pragma once
#include <vector>

#include "graph/graph.h"

namespace hetsched {

// Erases g.ops[i] for every i with marked[i] (marked has one entry per op); returns how many went.
size_t erase_marked_ops(Graph& g, const std::vector<bool>& marked);

}  // namespace hetsched
