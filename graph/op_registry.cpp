// The op descriptor table, filled once from the per-family registration functions.
#include "graph/op_registry.h"

#include <algorithm>

#include "base/error.h"
#include "graph/epilogue.h"

namespace hetsched {
namespace {
const std::vector<OpDescriptor>& table() {
  static const std::vector<OpDescriptor> t = [] {
    std::vector<OpDescriptor> all;
    register_conv_ops(all);
    register_general_ops(all);
    std::vector<OpDescriptor> by_type(kOpTypeCount);
    for (const OpDescriptor& d : all) by_type[static_cast<int>(d.type)] = d;
    return by_type;
  }();
  return t;
}
}  // namespace

bool has_descriptor(OpType type) {
  const int i = static_cast<int>(type);
  return i >= 0 && i < kOpTypeCount && table()[i].infer_shape != nullptr;
}

const OpDescriptor& describe_op(OpType type) {
  if (!has_descriptor(type)) fail(ErrorKind::kUnsupported, "op {} has no description", to_string(type));
  return table()[static_cast<int>(type)];
}

void infer_op_shape(Graph& graph, Op& op) {
  const OpDescriptor& d = describe_op(op.type);
  if (op.epilogue.empty()) {
    d.infer_shape(graph, op);
    return;
  }
  // The descriptor validates its own input count: show it the op without the operands.
  const std::vector<int> all = op.inputs;
  op.inputs.resize(size_t(std::max(0, op.own_inputs())));
  try {
    d.infer_shape(graph, op);
  } catch (...) {
    op.inputs = all;
    throw;
  }
  op.inputs = all;
  check_epilogue(graph, op);
}

void infer_shapes(Graph& graph) {
  for (Op& op : graph.ops) infer_op_shape(graph, op);
}

void run_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output) {
  const OpDescriptor& d = describe_op(op.type);
  if (!d.reference) fail(ErrorKind::kUnsupported, "model '{}': {} has no reference kernel", graph.model_name, graph.describe(op));
  const size_t own = size_t(op.own_inputs());
  if (inputs.size() != op.inputs.size())
    fail(ErrorKind::kInternal, "model '{}': {} reference given {} inputs, expected {}", graph.model_name,
         graph.describe(op), inputs.size(), op.inputs.size());
  d.reference(graph, op, inputs.first(own), output);
  for (const EpilogueStep& step : op.epilogue) {
    const RefTensor* operand = step.operand_input >= 0 ? &inputs[size_t(step.operand_input)] : nullptr;
    if (operand && operand->data.size() != output.data.size())
      fail(ErrorKind::kInternal, "model '{}': {} epilogue operand has {} values, the output {}", graph.model_name,
           graph.describe(op), operand->data.size(), output.data.size());
    for (size_t i = 0; i < output.data.size(); ++i)
      output.data[i] = apply_epilogue_step(step, output.data[i], operand ? operand->data[i] : double(step.scalar));
  }
}

bool is_channel_local(const Graph& graph, const Op& op) {
  const OpDescriptor& d = describe_op(op.type);
  return d.channel_local_for ? d.channel_local_for(graph, op) : d.channel_local;
}

bool is_row_local(const Graph& graph, const Op& op) {
  if (!has_descriptor(op.type) || op.outputs.empty()) return false;
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  for (int t : op.inputs) {
    if (t < 0 || graph.tensors[size_t(t)].is_constant) continue;
    const Shape4 in = graph.tensors[size_t(t)].shape4();
    if (in.h != out.h || in.w != out.w) return false;
  }
  const OpDescriptor& d = describe_op(op.type);
  return d.row_local_for ? d.row_local_for(graph, op) : d.row_local;
}

int64_t total_macs(const Graph& graph) {
  int64_t n = 0;
  for (const Op& op : graph.ops) {
    const OpDescriptor& d = describe_op(op.type);
    if (d.macs) n += d.macs(graph, op);
  }
  return n;
}

}  // namespace hetsched
