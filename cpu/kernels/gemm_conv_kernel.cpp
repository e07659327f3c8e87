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
    gemm_.run(data_.get(inputs), output.data, range, store_ops(inputs, false));
  }
  int slice_grain() const override { return gemm::kPanelSlices; }

  bool fuse_store(const FusedStore& store) override {
    switch (store.operand_activation) {
      case Activation::kNone: case Activation::kRelu: case Activation::kRelu6: case Activation::kReluN1To1: break;
      default: return false;
    }
    const int channels = gemm_.geometry().out.c;
    if (!store.prelu_alpha.empty() && int(store.prelu_alpha.size()) != channels) return false;
    operand_input_ = store.operand_input;
    operand_activation_ = store.operand_activation;
    if (!store.prelu_alpha.empty()) alpha_ = gemm::pack_panel_bias(store.prelu_alpha, channels);
    return true;
  }
  void run_fused(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    gemm_.run(data_.get(inputs), output.data, range, store_ops(inputs, true));
  }

 private:
  gemm::StoreOps store_ops(std::span<const ConstView> inputs, bool prelu) const {
    gemm::StoreOps s;
    if (operand_input_ >= 0) s.operand = inputs[size_t(operand_input_)].data;
    s.operand_activation = operand_activation_;
    if (prelu) s.alpha = alpha_.get();
    return s;
  }

  conv_kernels::DataInput data_;
  gemm::ConvGemm gemm_;
  int operand_input_ = -1;
  Activation operand_activation_ = Activation::kNone;
  hwy::AlignedFreeUniquePtr<float[]> alpha_{nullptr, hwy::AlignedFreer()};
};

}  // namespace

std::unique_ptr<CpuKernel> create_gemm_conv_kernel(const Graph& graph, const Op& op, const gemm::ConvGeometry& geometry) {
  return std::make_unique<GemmConvKernel>(graph, op, geometry);
}

}  // namespace hetsched::cpu
