// CONV_2D on PHWC4: an implicit GEMM over the input slices (cpu/gemm/conv_gemm.h), weights
// packed into micro-kernel panels once, at kernel creation.
#include "cpu/kernels/conv2d.h"

#include "cpu/gemm/conv_gemm.h"
#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

gemm::ConvGeometry conv_geometry(const Graph& graph, const Op& op) {
  const auto& a = op.attrs<Conv2DAttributes>();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  gemm::ConvGeometry g;
  g.in = graph.tensors[size_t(op.inputs[0])].shape4();
  g.out = graph.tensors[size_t(op.outputs[0])].shape4();
  g.kh = wt.shape[1];
  g.kw = wt.shape[2];
  g.stride_h = a.stride_h;
  g.stride_w = a.stride_w;
  g.dilation_h = a.dilation_h;
  g.dilation_w = a.dilation_w;
  g.pad_top = a.pads.top;
  g.pad_left = a.pads.left;
  g.activation = a.activation;
  return g;
}

std::span<const float> bias_of(const Graph& graph, const Op& op, size_t pos) {
  if (pos >= op.inputs.size() || op.inputs[pos] < 0) return {};
  return graph.tensors[size_t(op.inputs[pos])].f32();
}

class Conv2DKernel final : public CpuKernel {
 public:
  Conv2DKernel(const Graph& graph, const Op& op)
      : data_(graph, op, 0),
        gemm_(conv_geometry(graph, op), graph.tensors[size_t(op.inputs[1])].f32(), bias_of(graph, op, 2)) {}

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    gemm_.run(data_.get(inputs), output.data, range);
  }
  int slice_grain() const override { return gemm::kPanelSlices; }

 private:
  conv_kernels::DataInput data_;
  gemm::ConvGemm gemm_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_conv2d_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<Conv2DKernel>(graph, op);
}

}  // namespace hetsched::cpu
