// The packed-GEMM kernel of CONV_2D and TRANSPOSE_CONV (see gemm_conv_kernel.h).
#include "cpu/kernels/gemm_conv_kernel.h"

#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

std::span<const float> bias_of(const Graph& graph, const Op& op) {
  if (op.inputs.size() <= 2 || op.inputs[2] < 0) return {};
  return graph.tensors[size_t(op.inputs[2])].f32();
}

class GemmConvKernel final : public CpuKernel {
 public:
  GemmConvKernel(const Graph& graph, const Op& op, const gemm::ConvGeometry& geometry)
      : data_(graph, op, 0), gemm_(geometry, graph.tensors[size_t(op.inputs[1])].f32(), bias_of(graph, op)) {}

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    gemm_.run(data_.get(inputs), output.data, range);
  }
  int slice_grain() const override { return gemm::kPanelSlices; }

 private:
  conv_kernels::DataInput data_;
  gemm::ConvGemm gemm_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_gemm_conv_kernel(const Graph& graph, const Op& op, const gemm::ConvGeometry& geometry) {
  return std::make_unique<GemmConvKernel>(graph, op, geometry);
}

}  // namespace hetsched::cpu
