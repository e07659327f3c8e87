// FULLY_CONNECTED: shape inference, MAC count and the float64 reference.
// Inputs {input (rank 1..4), weights [O,I] constant, bias [O] constant or -1}. The input is read in
// its logical (NHWC) order as a matrix of rows of I elements: out[r,o] = act(bias[o] + sum_i
// in[r*I + i] * w[o,i]). Output: [rows, O]; with keep_num_dims the input's shape with its last
// dimension (which must be I) replaced by O.
#pragma once
#include "graph/op_registry.h"

namespace hetsched {
OpDescriptor fully_connected_descriptor();
}  // namespace hetsched
