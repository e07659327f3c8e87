// Op epilogues: step classification, description and validation (see epilogue.h).
#include "graph/epilogue.h"

#include <fmt/format.h>

#include "base/error.h"
#include "graph/op_codes.h"
#include "graph/op_registry.h"

namespace hetsched {

// The codes of graph/op_codes.h mirror the Activation enum (the shaders get int32_t(activation)).
static_assert(int(Activation::kNone) == ACT_NONE && int(Activation::kRelu) == ACT_RELU &&
              int(Activation::kReluN1To1) == ACT_RELU_N1_TO_1 && int(Activation::kRelu6) == ACT_RELU6 &&
              int(Activation::kTanh) == ACT_TANH && int(Activation::kSigmoid) == ACT_SIGMOID);

namespace {
bool is_epilogue_step(OpType t, ElementwiseKind kind) {
  if (!has_descriptor(t)) return false;
  const OpDescriptor& d = describe_op(t);
  return d.epilogue_step != EPILOGUE_NONE && d.elementwise == kind;
}
}  // namespace

bool is_epilogue_unary(OpType t) { return is_epilogue_step(t, ElementwiseKind::kUnary); }

bool is_epilogue_binary(OpType t) { return is_epilogue_step(t, ElementwiseKind::kBinary); }

int epilogue_step_code(const EpilogueStep& step) {
  if (step.times_input) return EPILOGUE_SWISH;
  if (!has_descriptor(step.type) || describe_op(step.type).epilogue_step == EPILOGUE_NONE)
    fail(ErrorKind::kInternal, "{} is no epilogue step", to_string(step.type));
  return describe_op(step.type).epilogue_step;
}

std::string epilogue_string(const Graph& g, const Op& op) {
  std::string s;
  for (const EpilogueStep& step : op.epilogue) {
    if (!s.empty()) s += " > ";
    s += step.times_input ? std::string("SWISH") : to_string(step.type);
    if (is_epilogue_binary(step.type)) {
      if (step.operand_input >= 0) s += fmt::format("(t{})", op.inputs[size_t(step.operand_input)]);
      else s += fmt::format("({})", step.scalar);
      if (step.activation != Activation::kNone) s += fmt::format("+{}", to_string(step.activation));
    }
  }
  (void)g;
  return s;
}

void check_epilogue(const Graph& g, const Op& op) {
  if (op.epilogue.empty()) return;
  auto bad = [&](const std::string& why) {
    fail(ErrorKind::kInvalidModel, "model '{}': {} epilogue '{}': {}", g.model_name, g.describe(op),
         epilogue_string(g, op), why);
  };
  if (int(op.epilogue.size()) > kMaxEpilogueSteps) bad(fmt::format("more than {} steps", kMaxEpilogueSteps));
  if (op.epilogue_operands() > kMaxEpilogueOperands) bad(fmt::format("more than {} operands", kMaxEpilogueOperands));
  if (op.own_inputs() < 0 || op.outputs.size() != 1) bad("inputs and outputs do not match the operand count");
  const Tensor& out = g.tensors[size_t(op.outputs[0])];
  int next_operand = op.own_inputs();
  for (const EpilogueStep& step : op.epilogue) {
    if (!is_epilogue_unary(step.type) && !is_epilogue_binary(step.type))
      bad(fmt::format("{} cannot be an epilogue step", to_string(step.type)));
    if (step.times_input && step.type != OpType::kLogistic) bad("only LOGISTIC can multiply by its input");
    if (step.operand_input < 0) continue;
    if (!is_epilogue_binary(step.type)) bad("a unary step has an operand");
    if (step.operand_input != next_operand++) bad("operands are not the last inputs in step order");
    const int t = op.inputs[size_t(step.operand_input)];
    if (t < 0) bad("absent operand");
    const Tensor& x = g.tensors[size_t(t)];
    if (x.is_constant || x.dtype != DataType::kFloat32 || x.shape4() != out.shape4())
      bad(fmt::format("operand '{}' {} is not a float32 activation of the output's shape {}", x.name,
                      x.shape_string(), out.shape_string()));
  }
}

}  // namespace hetsched
