// The model IR: tensors, ops in topological order, model inputs and outputs.
#pragma once
#include <string>
#include <vector>

#include "graph/op.h"
#include "graph/tensor.h"

namespace hetsched {

struct Graph {
  std::string model_name;  // file name, for messages
  std::vector<Tensor> tensors;
  std::vector<Op> ops;      // kept in a topological order by every pass
  std::vector<int> inputs;  // tensor indices
  std::vector<int> outputs;

  // "op 12 (CONV_2D)" with the model's operator index, for messages.
  std::string describe(const Op& op) const;
  // Index of the op producing tensor t, or -1 for inputs and constants.
  int producer_of(int tensor) const;
  // Number of ops reading tensor t, plus 1 if t is a model output.
  int consumer_count(int tensor) const;
};

}  // namespace hetsched
