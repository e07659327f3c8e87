// Pass: folds an elementwise consumer (ADD, SUB, MUL, HARD_SWISH, LOGISTIC, TANH, RELU, RELU6) into
// the epilogue (graph/epilogue.h) of the op producing its input X, so one kernel computes both.
//
// Folded when: X is float32, read by that consumer alone and not a model output; the consumer's
// output has X's shape (no broadcast of X); a binary consumer's other operand is a float32
// activation of X's shape or a one-element constant (then a scalar step); SUB only as X - operand;
// the producer supports epilogues (below) and stays within kMaxEpilogueSteps / kMaxEpilogueOperands.
// Producers: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV with an activation data
// input; HARD_SWISH, LOGISTIC, TANH, RELU, RELU6; ADD, SUB, MUL, DIV, PRELU with two activation
// inputs (the GPU's shaders bind the operands after the activation inputs; a constant input would
// sit in between).
//
// Order: the fused op takes the producer's place when the operand is available there (a model
// input or produced earlier), else the consumer's place (every input of the producer is produced
// before the consumer too, and the consumer's readers come after it), so the op order stays
// topological either way. The fused op writes the consumer's output tensor; the producer's
// output tensor disappears.
//
// First, swish: y = MUL(X, LOGISTIC(X)) with X read by those two ops only becomes one SWISH step
// of X's producer (efficientnet: 49 LOGISTIC ops and 33 MULs gone, and with them a full read and
// write of each of those tensors).
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

// Whether `op` (with its current epilogue) can take one more epilogue step (with an operand when
// `with_operand`).
bool accepts_epilogue_step(const Graph& graph, const Op& op, bool with_operand);

PassResult fuse_elementwise(Graph& graph);

}  // namespace hetsched
