// CONV_2D's GPU kernel: packs the weights for gpu/shaders/conv2d.comp and fixes the geometry as
// specialization constants.
#include "gpu/ops/conv2d.h"

#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/conv2d_coopmat.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of conv2d.comp (field i = constant_id i).
struct Conv2DSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation;
};

}  // namespace

std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op) {
  if (auto coopmat = try_create_conv2d_coopmat_kernel(ctx, graph, op)) return coopmat;  // tensor cores where enabled
  const auto& a = op.attrs<Conv2DAttributes>();
  const Shape4 in = graph.tensors[size_t(op.inputs[0])].shape4();
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  const int O = wt.shape[0], KH = wt.shape[1], KW = wt.shape[2], I = wt.shape[3];
  conv_kernels::ConvLikeSetup s;
  s.shader = "conv2d";
  s.local_size = conv_kernels::local_size_for(out, /*slice_per_group=*/true);
  s.spec = SpecConstants::from_struct(Conv2DSpec{s.local_size[0], s.local_size[1], s.local_size[2], out.n, in.h, in.w,
                                                 in.c, out.h, out.w, out.c, KH, KW, a.stride_h, a.stride_w,
                                                 a.dilation_h, a.dilation_w, a.pads.top, a.pads.left,
                                                 int32_t(a.activation)});
  s.weights = conv_kernels::pack_conv_weights(wt.f32(), O, KH, KW, I);
  s.bias = conv_kernels::pack_bias(graph, op, 2, O);
  s.register_blocked = true;  // block (1, 1) until tuning or set_workgroup picks another
  return std::make_unique<conv_kernels::ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
