// DEPTHWISE_CONV_2D: shape inference, MACs and the float64 reference (see depthwise_conv2d.h).
#include "graph/ops/depthwise_conv2d.h"

#include "base/error.h"
#include "graph/ops/conv_checks.h"
#include "graph/ops/conv_reference.h"

namespace hetsched {
namespace {

void infer_depthwise(Graph& graph, Op& op) {
  using namespace conv_checks;
  const auto [in, w] = input_and_weights(graph, op, 4, 4, 4);
  auto& a = op.attrs<DepthwiseConv2DAttributes>();
  const int in_c = in.shape[3], out_c = w.shape[3];
  if (w.shape[0] != 1 || out_c % in_c != 0)
    fail(ErrorKind::kInvalidModel, "{}: weights '{}' have shape {}, expected [1,KH,KW,{}*multiplier] for input '{}' {}",
         where(graph, op), w.name, w.shape_string(), in_c, in.name, in.shape_string());
  if (a.depth_multiplier < 0)
    fail(ErrorKind::kInvalidModel, "{}: negative depth_multiplier {}", where(graph, op), a.depth_multiplier);
  a.depth_multiplier = out_c / in_c;
  optional_bias(graph, op, 2, out_c);
  set_window_output(graph, op, a, in, w, out_c);
}

int64_t depthwise_macs(const Graph& graph, const Op& op) {
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const std::vector<int>& w = graph.tensors[size_t(op.inputs[1])].shape;
  return int64_t(out.n) * out.h * out.w * out.c * w[1] * w[2];
}

void depthwise_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output) {
  const ConvReferenceOperands r = conv_reference_operands(graph, op, inputs, output);
  const int KH = r.weight_shape[1], KW = r.weight_shape[2], O = r.weight_shape[3];
  const int M = O / r.input.shape.c;
  gather_window_reference(r, op.attrs<DepthwiseConv2DAttributes>(), KH, KW, output,
                          [&](double& acc, const double* px, int ky, int kx, int o) {
                            acc += px[o / M] * r.weights[(size_t(ky) * KW + kx) * size_t(O) + size_t(o)];
                          });
}

}  // namespace

OpDescriptor depthwise_conv2d_descriptor() {
  // Output slice s reads only input slice s when depth_multiplier == 1, so channel_local is decided
  // per op (with multiplier 2 it would be wrong).
  return {.type = OpType::kDepthwiseConv2D, .infer_shape = infer_depthwise, .macs = depthwise_macs,
          .reference = depthwise_reference, .split_slices = true, .split_rows = true,
          .channel_local_for = [](const Graph&, const Op& op) {
            return op.attrs<DepthwiseConv2DAttributes>().depth_multiplier == 1;
          },
          .row_local_for = conv_checks::window_reads_own_row<DepthwiseConv2DAttributes>, .takes_epilogue = true};
}

}  // namespace hetsched
