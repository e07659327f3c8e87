// Pass: orders the ops topologically (stable: keeps the model order where it is already valid).
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

// Throws Error(kInvalidModel) if a tensor has two producers, an op writes a constant or a model
// input, an op reads (or the model outputs) a tensor that is neither written, constant nor a model
// input, or the ops form a cycle (naming an op that cannot be scheduled).
PassResult topological_sort(Graph& graph);

}  // namespace hetsched
