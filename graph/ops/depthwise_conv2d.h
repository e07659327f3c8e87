// DEPTHWISE_CONV_2D: shape inference (TFLite SAME/VALID), MAC count and the float64 reference.
// Inputs {input [N,H,W,C], weights [1,KH,KW,C*M] constant, bias [C*M] constant or -1};
// output channel c*M+k reads input channel c. Shape inference sets depth_multiplier = (C*M) / C
// from the shapes (TFLite's kernels trust the shapes, some converters write a stale attribute).
#pragma once
#include "graph/op_registry.h"

namespace hetsched {
OpDescriptor depthwise_conv2d_descriptor();
}  // namespace hetsched
