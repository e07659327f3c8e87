// Operands of the conv-like float64 references (see conv_reference.h).
#include "graph/ops/conv_reference.h"

namespace hetsched {

ConvReferenceOperands conv_reference_operands(const Graph& graph, const Op& op, std::span<const RefTensor> inputs,
                                              RefTensor& output) {
  const bool has_bias = inputs.size() > 2 && !inputs[2].data.empty();
  ConvReferenceOperands r{inputs[0], graph.tensors[size_t(op.inputs[1])].shape, inputs[1].data,
                          has_bias ? std::span<const double>(inputs[2].data) : std::span<const double>(),
                          graph.tensors[size_t(op.outputs[0])].shape4()};
  output.shape = r.out;
  output.data.assign(r.out.elements(), 0.0);
  return r;
}

}  // namespace hetsched
