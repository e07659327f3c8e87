// TRANSPOSE_CONV on PHWC4 in gather form, so that any output range can be computed alone:
//   out[y,x,o] = act(bias[o] + sum over taps with y + pt - ky = iy*sh, x + pl - kx = ix*sw of
//                in[iy,ix,:] . w[o,ky,kx,:])
// run as the packed GEMM of cpu/gemm/conv_gemm.h (per output row and column phase, a conv over
// consecutive input pixels; weights packed into micro-kernel panels once, at kernel creation).
#include "cpu/kernels/transpose_conv.h"

#include "cpu/gemm/conv_gemm.h"
#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

gemm::ConvGeometry transpose_geometry(const Graph& graph, const Op& op) {
  const auto& a = op.attrs<TransposeConvAttributes>();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  gemm::ConvGeometry g;
  g.in = graph.tensors[size_t(op.inputs[0])].shape4();
  g.out = graph.tensors[size_t(op.outputs[0])].shape4();
  g.kh = wt.shape[1];
  g.kw = wt.shape[2];
  g.stride_h = a.stride_h;
  g.stride_w = a.stride_w;
  g.pad_top = a.pads.top;
  g.pad_left = a.pads.left;
  g.activation = a.activation;
  g.transposed = true;
  return g;
}

std::span<const float> bias_of(const Graph& graph, const Op& op, size_t pos) {
  if (pos >= op.inputs.size() || op.inputs[pos] < 0) return {};
  return graph.tensors[size_t(op.inputs[pos])].f32();
}

class TransposeConvKernel final : public CpuKernel {
 public:
  TransposeConvKernel(const Graph& graph, const Op& op)
      : data_(graph, op, 0),
        gemm_(transpose_geometry(graph, op), graph.tensors[size_t(op.inputs[1])].f32(), bias_of(graph, op, 2)) {}

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    gemm_.run(data_.get(inputs), output.data, range);
  }
  int slice_grain() const override { return gemm::kPanelSlices; }

 private:
  conv_kernels::DataInput data_;
  gemm::ConvGemm gemm_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_transpose_conv_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<TransposeConvKernel>(graph, op);
}

}  // namespace hetsched::cpu
