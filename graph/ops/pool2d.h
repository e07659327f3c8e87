// AVERAGE_POOL_2D (padding excluded from the count, as TFLite) and MAX_POOL_2D, with fused
// activation. The window of output (y, x) covers input rows y*sh - pad_top + [0, filter_h) clipped
// to the input (and the same for columns).
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

void register_pool2d_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
