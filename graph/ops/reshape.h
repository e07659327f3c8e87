// RESHAPE: the logical NHWC (flat) order is preserved; in PHWC4 it is a re-layout whenever the
// 4D shapes differ. The output shape is the model's (set by the importer); shape inference only
// checks that the element counts match.
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_reshape_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
