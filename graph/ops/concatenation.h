// CONCATENATION along any 4D axis (attrs.axis, already mapped by the importer), fused activation.
// Inputs have the same rank and equal 4D shapes except along the axis.
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_concatenation_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
