// DEPTHWISE_CONV_2D's GPU kernel: packs the weights for gpu/shaders/depthwise_conv2d.comp and
// fixes the geometry and depth multiplier as specialization constants.
#include "gpu/ops/depthwise_conv2d.h"

#include "gpu/ops/conv2d_common.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of depthwise_conv2d.comp (field i = constant_id i).
struct DepthwiseConv2DSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation, multiplier;
};

}  // namespace

std::unique_ptr<GpuKernel> create_depthwise_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                           const Op& op) {
  const auto& a = op.attrs<DepthwiseConv2DAttributes>();
  const Shape4 in = graph.tensors[size_t(op.inputs[0])].shape4();
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  const int KH = wt.shape[1], KW = wt.shape[2], O = wt.shape[3];
  conv_kernels::ConvLikeSetup s;
  s.shader = "depthwise_conv2d";
  s.local_size = conv_kernels::local_size_for(out, /*slice_per_group=*/true);
  s.spec = SpecConstants::from_struct(DepthwiseConv2DSpec{
      s.local_size[0], s.local_size[1], s.local_size[2], out.n, in.h, in.w, in.c, out.h, out.w, out.c, KH, KW,
      a.stride_h, a.stride_w, a.dilation_h, a.dilation_w, a.pads.top, a.pads.left, int32_t(a.activation),
      a.depth_multiplier});
  // [1,KH,KW,O] -> [output slice][ky][kx] vec4, padding lanes 0.
  const std::span<const float> w = wt.f32();
  s.weights.assign(size_t(slices_of(O)) * KH * KW * 4, 0.0f);
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx)
      for (int o = 0; o < O; ++o)
        s.weights[((size_t(o / 4) * KH + ky) * KW + kx) * 4 + size_t(o % 4)] = w[(size_t(ky) * KW + kx) * O + o];
  s.bias = conv_kernels::pack_bias(graph, op, 2, O);
  return std::make_unique<conv_kernels::ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
