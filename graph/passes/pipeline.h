// The graph preparation pipeline run after import: fold constants, infer shapes, fuse activations,
// fold PADs into convs, re-infer, fuse elementwise chains into epilogues, re-infer, eliminate dead
// tensors, topological sort.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace hetsched {

struct PrepareOptions {
  // Fold elementwise chains into their producers' epilogues (fuse_elementwise.h). The environment
  // variable HETSCHED_FUSE_ELEMENTWISE=0 turns it off for every load (for A/B measurements).
  bool fuse_elementwise = true;
};

// Throws Error (naming the model and op) if shape inference fails or an op has no descriptor.
// `log`, if given, receives one line per pass ("fuse_activations: fused 17 activations").
void prepare_graph(Graph& graph, std::vector<std::string>* log = nullptr, PrepareOptions options = {});

}  // namespace hetsched
