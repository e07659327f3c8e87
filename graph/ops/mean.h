// MEAN over a subset of the 4D axes (attrs.axes). With keep_dims the reduced axes stay as 1,
// else they are dropped from the logical shape, so the output's 4D shape may differ from the
// reduced 4D shape (e.g. [1,H,W,C] over {3} -> [1,H,W] -> 4D [1,1,H,W]); the NHWC flat order of
// both is the same, which is how kernels map an output element to its reduction.
#pragma once
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

// The input's 4D shape with the reduced axes set to 1.
Shape4 mean_reduced_shape(const Shape4& in, const std::vector<int>& axes4);

void register_mean_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
