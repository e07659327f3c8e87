// Op epilogues: elementwise consumers (residual ADD, MUL, SUB, HARD_SWISH, LOGISTIC, TANH, RELU,
// RELU6, and SWISH: a LOGISTIC times its own input) folded into the op producing their input, so one kernel computes the whole chain and the
// intermediate tensor is never written and read back.
//
// Representation (graph/op.h): Op::epilogue is an ordered list of EpilogueStep; the operand tensor
// of each binary step that reads one is appended to Op::inputs after the op's own inputs (the
// descriptor and the kernels of the op see only the first own_inputs() of them). An operand always
// has the output's shape, so output element e reads operand element e: the epilogue is local to
// every element, hence to any OutputRange (slices and rows) a kernel computes, and channel-local.
// Constant operands are single values, kept in the step (`scalar`). The op's own fused activation
// is applied before the first step; padding lanes are zeroed after the last one.
//
// Who applies it: the float64 reference (run_reference in op_registry.h), the CPU executor per
// tile (cpu/epilogue.h), the GPU shaders at their store (gpu/shaders/epilogue.glsl).
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "graph/graph.h"
#include "graph/ops/elementwise.h"

namespace hetsched {

// Most steps and operand tensors one op's epilogue may hold (the GPU shaders' fixed limits).
inline constexpr int kMaxEpilogueSteps = 4;
inline constexpr int kMaxEpilogueOperands = 2;

// Whether `type` can be an epilogue step, unary or binary (the op table: OpDescriptor::epilogue_step).
bool is_epilogue_unary(OpType type);
bool is_epilogue_binary(OpType type);
// The step's code (EPILOGUE_* of graph/op_codes.h, EPILOGUE_SWISH for LOGISTIC times its input), as
// the shaders' epilogue.glsl switches on it; throws kInternal for a type that is no step.
int epilogue_step_code(const EpilogueStep& step);

// One step on one value; `operand` is ignored by unary steps.
// The formulas are the elementwise ops' own (graph/ops/elementwise.h); check_epilogue admits only
// step types of the op table.
template <typename T>
T apply_epilogue_step(const EpilogueStep& step, T v, T operand) {
  if (step.times_input) return v / (T(1) + std::exp(-v));  // SWISH: v * logistic(v)
  if (is_epilogue_binary(step.type))
    return visit_binary(step.type, [&](auto op) {
      return apply_activation(step.activation, binary_apply<decltype(op)::value>(v, operand));
    });
  return visit_unary(step.type, [&](auto op) { return unary_apply<decltype(op)::value>(v); });
}

// "ADD(t12)+RELU > HARD_SWISH" for messages and `hetsched info`; "" for no epilogue.
std::string epilogue_string(const Graph& graph, const Op& op);

// Checks the epilogue of `op` after its own shape inference: step types, operand positions (the
// last epilogue_operands() inputs, in step order), operands float32 activations of the output's
// shape, limits. Throws kInvalidModel naming the op.
void check_epilogue(const Graph& graph, const Op& op);

}  // namespace hetsched
