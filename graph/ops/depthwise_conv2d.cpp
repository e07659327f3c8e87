// DEPTHWISE_CONV_2D: shape inference, MACs and the float64 reference (see depthwise_conv2d.h).
#include "graph/ops/depthwise_conv2d.h"

#include "base/error.h"
#include "graph/ops/conv_checks.h"

namespace hetsched {
namespace {

void infer_depthwise(Graph& graph, Op& op) {
  using namespace conv_checks;
  expect_io_count(graph, op, 2, 3);
  auto& a = op.attrs<DepthwiseConv2DAttributes>();
  const Tensor& in = activation_input(graph, op, 0, 4, 4);
  const Tensor& w = constant_weights(graph, op, 1, 4);
  const int in_c = in.shape[3], out_c = w.shape[3], kh = w.shape[1], kw = w.shape[2];
  if (w.shape[0] != 1 || out_c % in_c != 0)
    fail(ErrorKind::kInvalidModel, "{}: weights '{}' have shape {}, expected [1,KH,KW,{}*multiplier] for input '{}' {}",
         where(graph, op), w.name, w.shape_string(), in_c, in.name, in.shape_string());
  if (a.depth_multiplier < 0)
    fail(ErrorKind::kInvalidModel, "{}: negative depth_multiplier {}", where(graph, op), a.depth_multiplier);
  a.depth_multiplier = out_c / in_c;
  optional_bias(graph, op, 2, out_c);
  check_window(graph, op, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w);
  const int oh = window_output(graph, op, "height", in.shape[1], kh, a.stride_h, a.dilation_h, a.padding,
                               &a.pads.top, &a.pads.bottom);
  const int ow = window_output(graph, op, "width", in.shape[2], kw, a.stride_w, a.dilation_w, a.padding,
                               &a.pads.left, &a.pads.right);
  set_output(graph, op, {in.shape[0], oh, ow, out_c});
}

int64_t depthwise_macs(const Graph& graph, const Op& op) {
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const std::vector<int>& w = graph.tensors[size_t(op.inputs[1])].shape;
  return int64_t(out.n) * out.h * out.w * out.c * w[1] * w[2];
}

void depthwise_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output) {
  const auto& a = op.attrs<DepthwiseConv2DAttributes>();
  const RefTensor& in = inputs[0];
  const std::vector<int>& ws = graph.tensors[size_t(op.inputs[1])].shape;
  const std::vector<double>& w = inputs[1].data;
  const bool has_bias = inputs.size() > 2 && !inputs[2].data.empty();
  const int KH = ws[1], KW = ws[2], O = ws[3];
  const Shape4 os = graph.tensors[size_t(op.outputs[0])].shape4();
  const Shape4& is = in.shape;
  const int M = O / is.c;
  output.shape = os;
  output.data.assign(os.elements(), 0.0);
  for (int b = 0; b < os.n; ++b)
    for (int y = 0; y < os.h; ++y)
      for (int x = 0; x < os.w; ++x)
        for (int o = 0; o < O; ++o) {
          const int c = o / M;
          double acc = has_bias ? inputs[2].data[size_t(o)] : 0.0;
          for (int ky = 0; ky < KH; ++ky) {
            const int iy = y * a.stride_h - a.pads.top + ky * a.dilation_h;
            if (iy < 0 || iy >= is.h) continue;
            for (int kx = 0; kx < KW; ++kx) {
              const int ix = x * a.stride_w - a.pads.left + kx * a.dilation_w;
              if (ix < 0 || ix >= is.w) continue;
              acc += in.data[((size_t(b) * is.h + iy) * is.w + ix) * size_t(is.c) + size_t(c)] *
                     w[(size_t(ky) * KW + kx) * size_t(O) + size_t(o)];
            }
          }
          output.data[((size_t(b) * os.h + y) * os.w + x) * size_t(O) + size_t(o)] = apply_activation(a.activation, acc);
        }
}

}  // namespace

OpDescriptor depthwise_conv2d_descriptor() {
  OpDescriptor d;
  d.type = OpType::kDepthwiseConv2D;
  d.infer_shape = infer_depthwise;
  d.macs = depthwise_macs;
  d.reference = depthwise_reference;
  d.split_slices = true;
  d.split_rows = true;
  // Output slice s reads only input slice s when depth_multiplier == 1, but the flag is per op
  // type: with multiplier 2 it would be wrong, so it stays false until the descriptor can say it
  // per op.
  d.channel_local = false;
  d.channel_local_for = [](const Graph&, const Op& op) {
    return op.attrs<DepthwiseConv2DAttributes>().depth_multiplier == 1;
  };
  d.takes_epilogue = true;
  d.row_local_for = [](const Graph& g, const Op& op) {
    const auto& a = op.attrs<DepthwiseConv2DAttributes>();
    return conv_checks::reads_own_row_only(g.tensors[size_t(op.inputs[1])], a.stride_h, a.stride_w, a.pads);
  };
  return d;
}

}  // namespace hetsched
