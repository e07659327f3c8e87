// conv_geometry(): CONV_2D's and TRANSPOSE_CONV's window for the implicit-GEMM kernels.
#include "graph/ops/conv_geometry.h"

#include "base/error.h"

namespace hetsched {
namespace {
template <class Attributes>
ConvGeometry window_of(const Graph& graph, const Op& op, const Attributes& a) {
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  ConvGeometry g;
  g.in = graph.tensors[size_t(op.inputs[0])].shape4();
  g.out = graph.tensors[size_t(op.outputs[0])].shape4();
  g.kh = wt.shape[1];
  g.kw = wt.shape[2];
  g.stride_h = a.stride_h;
  g.stride_w = a.stride_w;
  g.pad_top = a.pads.top;
  g.pad_left = a.pads.left;
  g.activation = a.activation;
  return g;
}
}  // namespace

ConvGeometry conv_geometry(const Graph& graph, const Op& op) {
  if (op.type == OpType::kConv2D) {
    const auto& a = op.attrs<Conv2DAttributes>();
    ConvGeometry g = window_of(graph, op, a);
    g.dilation_h = a.dilation_h;
    g.dilation_w = a.dilation_w;
    return g;
  }
  if (op.type == OpType::kTransposeConv) {
    ConvGeometry g = window_of(graph, op, op.attrs<TransposeConvAttributes>());
    g.transposed = true;
    return g;
  }
  fail(ErrorKind::kInternal, "conv_geometry: {} is neither CONV_2D nor TRANSPOSE_CONV", graph.describe(op));
}

}  // namespace hetsched
