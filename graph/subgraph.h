// Extracting one op as a graph of its own (its activation inputs become model inputs): for
// per-layer benchmarks and profiles.
#pragma once
#include "graph/graph.h"

namespace hetsched {

Graph extract_op(const Graph& graph, int op_index);

}  // namespace hetsched
