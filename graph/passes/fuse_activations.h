// Pass: fuses a standalone RELU / RELU6 / TANH into the op producing its input, when that op has a
// fused-activation slot set to NONE and its output is read by the activation alone (and is not a
// model output). Only activations a TFLite fused_activation_function can express are fused.
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

PassResult fuse_activations(Graph& graph);

}  // namespace hetsched
