// Registers the conv-like ops: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED.
#include "graph/op_registry.h"
#include "graph/ops/conv2d.h"
#include "graph/ops/depthwise_conv2d.h"
#include "graph/ops/fully_connected.h"
#include "graph/ops/transpose_conv.h"

namespace hetsched {
void register_conv_ops(std::vector<OpDescriptor>& table) {
  table.push_back(conv2d_descriptor());
  table.push_back(depthwise_conv2d_descriptor());
  table.push_back(transpose_conv_descriptor());
  table.push_back(fully_connected_descriptor());
}
}  // namespace hetsched
