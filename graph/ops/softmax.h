// SOFTMAX over the channel (last) axis: out = exp(beta * (x - max)) / sum exp(beta * (x - max)).
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_softmax_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
