// The op descriptor table, filled once from the per-family registration functions.
#include "graph/op_registry.h"

#include "graph/error.h"

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

void infer_shapes(Graph& graph) {
  for (Op& op : graph.ops) describe_op(op.type).infer_shape(graph, op);
}

bool is_channel_local(const Graph& graph, const Op& op) {
  const OpDescriptor& d = describe_op(op.type);
  return d.channel_local_for ? d.channel_local_for(graph, op) : d.channel_local;
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
