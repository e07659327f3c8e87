// Small graphs for plan tests and the plan JSON fuzzer (header-only: the fuzz target links no test support).
#pragma once
#include <fmt/format.h>

#include <string>

#include "graph/graph.h"

namespace hetsched::test {

// A chain of three ADDs (each t[i] + t[i]) on [1,8,8,channels]: every op splittable by slices and
// rows. `channels` and `name` tell models apart (their graph fingerprints differ).
inline Graph chain_of_adds(int channels, const std::string& name) {
  Graph g;
  g.model_name = name;
  for (int i = 0; i < 4; ++i) {
    Tensor t;
    t.name = fmt::format("t{}", i);
    t.shape = {1, 8, 8, channels};
    g.tensors.push_back(t);
  }
  for (int i = 0; i < 3; ++i) {
    Op op;
    op.type = OpType::kAdd;
    op.inputs = {i, i};
    op.outputs = {i + 1};
    op.attributes = BinaryAttributes{};
    op.model_index = i;
    g.ops.push_back(op);
  }
  g.inputs = {0};
  g.outputs = {3};
  return g;
}

}  // namespace hetsched::test
