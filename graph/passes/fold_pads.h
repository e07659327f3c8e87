// Pass: folds a zero PAD into the explicit padding of the CONV_2D / DEPTHWISE_CONV_2D reading it.
// Exact by construction: a conv's implicit padding is zeros too. Folded only when the PAD pads the
// spatial axes alone (channel pads, as in Blaze residuals, stay), its output has that conv as its
// single reader and is not a model output. Never into MAX_POOL (zeros change the max of negative
// inputs) nor AVERAGE_POOL (TFLite excludes padding from the count).
//
// The conv becomes padding = VALID with pads = its own resolved pads + the PAD's amounts; shape
// inference must therefore keep explicit pads of a VALID conv: out = (in + top + bottom - dk) / s + 1.
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

PassResult fold_pads(Graph& graph);

}  // namespace hetsched
