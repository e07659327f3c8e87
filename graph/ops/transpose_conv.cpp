// TRANSPOSE_CONV: shape inference, MACs and the float64 reference (see transpose_conv.h).
#include "graph/ops/transpose_conv.h"

#include <algorithm>

#include "base/error.h"
#include "graph/ops/conv_checks.h"
#include "graph/ops/conv_reference.h"

namespace hetsched {
namespace {

// TFLite's padding of a transpose conv along one axis (see the header).
void transpose_pads(int out, int kernel, int stride, Padding padding, int* before, int* after) {
  const int conv_out = conv_output_size(out, kernel, stride, 1, padding);
  const int total = std::max(0, (conv_out - 1) * stride + kernel - out);
  *before = total / 2;
  *after = total - total / 2;
}

void infer_transpose_conv(Graph& graph, Op& op) {
  using namespace conv_checks;
  const auto [in, w] = input_and_weights(graph, op, 4, 4, 4);
  auto& a = op.attrs<TransposeConvAttributes>();
  if (a.out_h <= 0 || a.out_w <= 0 || a.out_c <= 0)
    fail(ErrorKind::kInvalidModel, "{}: invalid output shape {}x{}x{}", where(graph, op), a.out_h, a.out_w, a.out_c);
  if (w.shape[0] != a.out_c || w.shape[3] != in.shape[3])
    fail(ErrorKind::kInvalidModel, "{}: weights '{}' have shape {}, expected [{},KH,KW,{}] (output channels, "
         "channels of input '{}')", where(graph, op), w.name, w.shape_string(), a.out_c, in.shape[3], in.name);
  optional_bias(graph, op, 2, a.out_c);
  check_window(graph, op, a.stride_h, a.stride_w, 1, 1);
  transpose_pads(a.out_h, w.shape[1], a.stride_h, a.padding, &a.pads.top, &a.pads.bottom);
  transpose_pads(a.out_w, w.shape[2], a.stride_w, a.padding, &a.pads.left, &a.pads.right);
  set_output(graph, op, {in.shape[0], a.out_h, a.out_w, a.out_c});
}

int64_t transpose_conv_macs(const Graph& graph, const Op& op) {
  const Shape4 in = graph.tensors[size_t(op.inputs[0])].shape4();
  const std::vector<int>& w = graph.tensors[size_t(op.inputs[1])].shape;
  return int64_t(in.n) * in.h * in.w * in.c * w[0] * w[1] * w[2];
}

// The scatter form of TFLite's reference_ops::TransposeConv, then bias and activation.
void transpose_conv_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs,
                              RefTensor& output) {
  const auto& a = op.attrs<TransposeConvAttributes>();
  const ConvReferenceOperands r = conv_reference_operands(graph, op, inputs, output);
  const RefTensor& in = r.input;
  const std::vector<double>& w = r.weights;
  const int O = r.weight_shape[0], KH = r.weight_shape[1], KW = r.weight_shape[2], I = r.weight_shape[3];
  const Shape4& os = r.out;
  const Shape4& is = in.shape;
  for (int b = 0; b < is.n; ++b)
    for (int iy = 0; iy < is.h; ++iy)
      for (int ix = 0; ix < is.w; ++ix)
        for (int ky = 0; ky < KH; ++ky) {
          const int y = iy * a.stride_h - a.pads.top + ky;
          if (y < 0 || y >= os.h) continue;
          for (int kx = 0; kx < KW; ++kx) {
            const int x = ix * a.stride_w - a.pads.left + kx;
            if (x < 0 || x >= os.w) continue;
            const double* px = &in.data[((size_t(b) * is.h + iy) * is.w + ix) * size_t(I)];
            double* out = &output.data[((size_t(b) * os.h + y) * os.w + x) * size_t(O)];
            for (int o = 0; o < O; ++o) {
              const double* wk = &w[((size_t(o) * KH + ky) * KW + kx) * size_t(I)];
              double acc = 0;
              for (int i = 0; i < I; ++i) acc += px[i] * wk[i];
              out[o] += acc;
            }
          }
        }
  for (size_t i = 0; i < output.data.size(); ++i)
    output.data[i] = apply_activation(a.activation, output.data[i] + r.bias_at(int(i % size_t(O))));
}

}  // namespace

OpDescriptor transpose_conv_descriptor() {
  return {.type = OpType::kTransposeConv, .infer_shape = infer_transpose_conv, .macs = transpose_conv_macs,
          .reference = transpose_conv_reference, .split_slices = true, .split_rows = true, .takes_epilogue = true};
}

}  // namespace hetsched
