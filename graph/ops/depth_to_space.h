// DEPTH_TO_SPACE (TFLite/DCR order): out[n, y, x, c] = in[n, y/b, x/b, ((y%b)*b + x%b) * C_out + c],
// with C_out = C_in / (b*b).
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_depth_to_space_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
