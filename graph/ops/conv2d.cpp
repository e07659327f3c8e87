// CONV_2D: shape inference, MACs and the float64 reference (see conv2d.h).
#include "graph/ops/conv2d.h"

#include "base/error.h"
#include "graph/ops/conv_checks.h"
#include "graph/ops/conv_reference.h"

namespace hetsched {
namespace {

void infer_conv2d(Graph& graph, Op& op) {
  using namespace conv_checks;
  const auto [in, w] = input_and_weights(graph, op, 4, 4, 4);
  const int out_c = w.shape[0];
  if (w.shape[3] != in.shape[3])
    fail(ErrorKind::kUnsupported, "{}: weights '{}' {} have {} input channels, input '{}' {} has {} (grouped "
         "convolution is not supported)", where(graph, op), w.name, w.shape_string(), w.shape[3], in.name,
         in.shape_string(), in.shape[3]);
  optional_bias(graph, op, 2, out_c);
  set_window_output(graph, op, op.attrs<Conv2DAttributes>(), in, w, out_c);
}

int64_t conv2d_macs(const Graph& graph, const Op& op) {
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const std::vector<int>& w = graph.tensors[size_t(op.inputs[1])].shape;
  return int64_t(out.n) * out.h * out.w * out.c * w[1] * w[2] * w[3];
}

void conv2d_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output) {
  const ConvReferenceOperands r = conv_reference_operands(graph, op, inputs, output);
  const int KH = r.weight_shape[1], KW = r.weight_shape[2], I = r.weight_shape[3];
  gather_window_reference(r, op.attrs<Conv2DAttributes>(), KH, KW, output,
                          [&](double& acc, const double* px, int ky, int kx, int o) {
                            const double* wk = &r.weights[((size_t(o) * KH + ky) * KW + kx) * size_t(I)];
                            for (int i = 0; i < I; ++i) acc += px[i] * wk[i];
                          });
}

}  // namespace

OpDescriptor conv2d_descriptor() {
  return {.type = OpType::kConv2D, .infer_shape = infer_conv2d, .macs = conv2d_macs, .reference = conv2d_reference,
          .split_slices = true, .split_rows = true,
          .row_local_for = conv_checks::window_reads_own_row<Conv2DAttributes>, .takes_epilogue = true};
}

}  // namespace hetsched
