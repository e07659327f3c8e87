// TRANSPOSE_CONV's GPU kernel: packs the weights (as conv2d's) for the gather-form shader
// gpu/shaders/transpose_conv.comp and fixes the geometry as specialization constants.
#include "gpu/ops/transpose_conv.h"

#include "gpu/ops/conv2d_common.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of transpose_conv.comp (field i = constant_id i).
struct TransposeConvSpec {
  conv_kernels::ConvLikeSpecHead head;
  int32_t kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left;
  int32_t activation;
};

}  // namespace

std::unique_ptr<GpuKernel> create_transpose_conv_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                         const Op& op) {
  using namespace conv_kernels;
  const auto& a = op.attrs<TransposeConvAttributes>();
  const ConvLikeOperands x = conv_like_operands(graph, op);
  const int O = x.weights.shape[0], KH = x.weights.shape[1], KW = x.weights.shape[2], I = x.weights.shape[3];
  ConvLikeSetup s = conv_like_setup(graph, op, "transpose_conv", x, O, /*slice_per_group=*/true);
  s.spec = SpecConstants::from_struct(TransposeConvSpec{spec_head(s, x), KH, KW, a.stride_h, a.stride_w, a.pads.top,
                                                        a.pads.left, int32_t(a.activation)});
  s.weights = pack_conv_weights(x.weights.f32(), O, KH, KW, I);
  return std::make_unique<ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
