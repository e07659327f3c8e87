// Pass: removes ops whose outputs nobody reads, then tensors no op, input or output refers to.
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

// Tensor indices are compacted (order kept); op.inputs/outputs and graph inputs/outputs remapped.
PassResult eliminate_dead(Graph& graph);

}  // namespace hetsched
