// DEPTHWISE_CONV_2D's GPU kernel: packs the weights for gpu/shaders/depthwise_conv2d.comp and
// fixes the geometry and depth multiplier as specialization constants.
#include "gpu/ops/depthwise_conv2d.h"

#include "gpu/ops/conv2d_common.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of depthwise_conv2d.comp (field i = constant_id i).
struct DepthwiseConv2DSpec {
  conv_kernels::ConvLikeSpecHead head;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation, multiplier;
};

}  // namespace

std::unique_ptr<GpuKernel> create_depthwise_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                           const Op& op) {
  using namespace conv_kernels;
  const auto& a = op.attrs<DepthwiseConv2DAttributes>();
  const ConvLikeOperands x = conv_like_operands(graph, op);
  const int KH = x.weights.shape[1], KW = x.weights.shape[2], O = x.weights.shape[3];
  ConvLikeSetup s = conv_like_setup(graph, op, "depthwise_conv2d", x, O, /*slice_per_group=*/true);
  s.spec = SpecConstants::from_struct(DepthwiseConv2DSpec{spec_head(s, x), KH, KW, a.stride_h, a.stride_w,
                                                          a.dilation_h, a.dilation_w, a.pads.top, a.pads.left,
                                                          int32_t(a.activation), a.depth_multiplier});
  // [1,KH,KW,O] -> [output slice][ky][kx] vec4, padding lanes 0.
  const std::span<const float> w = x.weights.f32();
  s.weights.assign(size_t(slices_of(O)) * KH * KW * 4, 0.0f);
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx)
      for (int o = 0; o < O; ++o)
        s.weights[((size_t(o / 4) * KH + ky) * KW + kx) * 4 + size_t(o % 4)] = w[(size_t(ky) * KW + kx) * O + o];
  return std::make_unique<ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
