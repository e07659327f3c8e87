// CONV_2D: shape inference (TFLite SAME/VALID), MAC count and the float64 reference.
// Inputs {input [N,H,W,I], weights [O,KH,KW,I] constant, bias [O] constant or -1}; output [N,OH,OW,O].
#pragma once
#include "graph/op_registry.h"

namespace hetsched {
OpDescriptor conv2d_descriptor();
}  // namespace hetsched
