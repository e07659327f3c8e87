// The graph preparation pipeline run after import: fold constants, infer shapes, fuse activations,
// fold PADs into convs, re-infer, eliminate dead tensors, topological sort.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace hetsched {

// Throws Error (naming the model and op) if shape inference fails or an op has no descriptor.
// `log`, if given, receives one line per pass ("fuse_activations: fused 17 activations").
void prepare_graph(Graph& graph, std::vector<std::string>* log = nullptr);

}  // namespace hetsched
