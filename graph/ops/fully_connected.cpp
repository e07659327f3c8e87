// FULLY_CONNECTED: shape inference, MACs and the float64 reference (see fully_connected.h).
#include "graph/ops/fully_connected.h"

#include "base/error.h"
#include "graph/ops/conv_checks.h"
#include "graph/ops/conv_reference.h"

namespace hetsched {
namespace {

void infer_fully_connected(Graph& graph, Op& op) {
  using namespace conv_checks;
  const auto [in, w] = input_and_weights(graph, op, 1, 4, 2);
  const auto& a = op.attrs<FullyConnectedAttributes>();
  const int O = w.shape[0], I = w.shape[1];
  optional_bias(graph, op, 2, O);
  if (a.keep_num_dims) {
    if (in.shape.back() != I)
      fail(ErrorKind::kInvalidModel, "{}: input '{}' {} has last dimension {}, weights '{}' {} expect {} "
           "(keep_num_dims)", where(graph, op), in.name, in.shape_string(), in.shape.back(), w.name,
           w.shape_string(), I);
    std::vector<int> shape = in.shape;
    shape.back() = O;
    set_output(graph, op, shape);
    return;
  }
  if (in.elements() % size_t(I) != 0)
    fail(ErrorKind::kInvalidModel, "{}: input '{}' {} has {} elements, not a multiple of the {} inputs of weights "
         "'{}' {}", where(graph, op), in.name, in.shape_string(), in.elements(), I, w.name, w.shape_string());
  set_output(graph, op, {int(in.elements() / size_t(I)), O});
}

int64_t fully_connected_macs(const Graph& graph, const Op& op) {
  const Tensor& in = graph.tensors[size_t(op.inputs[0])];
  const std::vector<int>& w = graph.tensors[size_t(op.inputs[1])].shape;
  return int64_t(in.elements()) * w[0];
}

void fully_connected_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs,
                               RefTensor& output) {
  const auto& a = op.attrs<FullyConnectedAttributes>();
  const ConvReferenceOperands r = conv_reference_operands(graph, op, inputs, output);
  const std::vector<double>& in = r.input.data;
  const std::vector<double>& w = r.weights;
  const size_t O = size_t(r.weight_shape[0]), I = size_t(r.weight_shape[1]);
  const size_t rows = in.size() / I;  // the input flattened to rows of I values, one output row each
  for (size_t row = 0; row < rows; ++row)
    for (size_t o = 0; o < O; ++o) {
      double acc = r.bias_at(int(o));
      for (size_t i = 0; i < I; ++i) acc += in[row * I + i] * w[o * I + i];
      output.data[row * O + o] = apply_activation(a.activation, acc);
    }
}

}  // namespace

OpDescriptor fully_connected_descriptor() {
  // split_rows: output rows (1 unless keep_num_dims keeps a spatial shape).
  return {.type = OpType::kFullyConnected, .infer_shape = infer_fully_connected, .macs = fully_connected_macs,
          .reference = fully_connected_reference, .split_slices = true, .split_rows = true, .takes_epilogue = true};
}

}  // namespace hetsched
