// Graph queries and op activation accessors.
#include "graph/graph.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/error.h"

namespace hetsched {

const char* to_string(OpType t) {
  static constexpr const char* kNames[] = {
      "ADD", "SUB", "MUL", "DIV", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "CONV_2D",
      "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED", "DEPTH_TO_SPACE", "DEQUANTIZE",
      "DENSIFY", "HARD_SWISH", "LOGISTIC", "TANH", "RELU", "RELU6", "PRELU", "MEAN", "PAD",
      "RESHAPE", "RESIZE_BILINEAR", "SOFTMAX"};
  static_assert(std::size(kNames) == kOpTypeCount);
  const int i = static_cast<int>(t);
  return i >= 0 && i < kOpTypeCount ? kNames[i] : "UNKNOWN";
}

const char* to_string(Activation a) {
  switch (a) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kRelu6: return "RELU6";
    case Activation::kTanh: return "TANH";
    case Activation::kSigmoid: return "SIGMOID";
  }
  return "?";
}

Activation Op::activation() const {
  return std::visit(
      [](const auto& a) -> Activation {
        if constexpr (requires { a.activation; }) return a.activation;
        else return Activation::kNone;
      },
      attributes);
}

void Op::set_activation(Activation act) {
  std::visit(
      [&](auto& a) {
        if constexpr (requires { a.activation; }) a.activation = act;
        else if (act != Activation::kNone)
          fail(ErrorKind::kInternal, "{} has no fused activation", to_string(type));
      },
      attributes);
}

int Op::epilogue_operands() const {
  int n = 0;
  for (const EpilogueStep& s : epilogue) n += s.operand_input >= 0 ? 1 : 0;
  return n;
}

std::string Graph::describe(const Op& op) const {
  return fmt::format("op {} ({})", op.model_index, to_string(op.type));
}

int Graph::producer_of(int tensor) const {
  for (size_t i = 0; i < ops.size(); ++i)
    if (std::find(ops[i].outputs.begin(), ops[i].outputs.end(), tensor) != ops[i].outputs.end()) return int(i);
  return -1;
}

int Graph::consumer_count(int tensor) const {
  int n = std::count(outputs.begin(), outputs.end(), tensor);
  for (const Op& op : ops) n += std::count(op.inputs.begin(), op.inputs.end(), tensor);
  return n;
}

}  // namespace hetsched
