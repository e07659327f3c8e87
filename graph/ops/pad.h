// PAD with zeros on any 4D axis: attrs.pads[axis4] = {before, after} (spatial pads before VALID
// convs, channel pads for Blaze residuals, e.g. 32 -> 48 channels).
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_pad_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
