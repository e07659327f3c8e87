// CONV_2D's GPU kernel: packs the weights for gpu/shaders/conv2d.comp and fixes the geometry as
// specialization constants; matrix-vector products (a 1x1 conv on a 1x1 map, FULLY_CONNECTED on
// one-pixel rows) on conv2d_splitk.comp.
#include "gpu/ops/conv2d.h"

#include <algorithm>

#include "gpu/device.h"

#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of conv2d.comp (field i = constant_id i).
struct Conv2DSpec {
  conv_kernels::ConvLikeSpecHead head;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation;
};

// From this many input slices (32 channels) a matrix-vector product shares each output's reduction
// among a workgroup (conv2d_splitk.comp).
constexpr int kMatrixVectorMinInputSlices = 8;

}  // namespace

std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op) {
  using namespace conv_kernels;
  const auto& a = op.attrs<Conv2DAttributes>();
  const ConvLikeOperands x = conv_like_operands(graph, op);
  const int O = x.weights.shape[0], KH = x.weights.shape[1], KW = x.weights.shape[2], I = x.weights.shape[3];
  if (runs_as_matrix_vector(graph, op)) return create_matrix_vector_gpu_kernel(ctx, graph, op, x.weights.f32(), O, I, a.activation);
  ConvLikeSetup s = conv_like_setup(graph, op, "conv2d", x, O, /*slice_per_group=*/true);
  s.spec = SpecConstants::from_struct(Conv2DSpec{spec_head(s, x), KH, KW, a.stride_h, a.stride_w, a.dilation_h,
                                                 a.dilation_w, a.pads.top, a.pads.left, int32_t(a.activation)});
  s.weights = pack_conv_weights(x.weights.f32(), O, KH, KW, I);
  s.register_blocked = true;  // block (1, 1) until tuning or set_workgroup picks another
  s.split_k_shader = "conv2d_splitk";
  s.reduction_steps = KH * KW * x.in.slices();
  return std::make_unique<ConvLikeKernel>(ctx, graph, op, std::move(s));
}

std::unique_ptr<GpuKernel> create_matrix_vector_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op,
                                                          std::span<const float> weights, int O, int I,
                                                          Activation activation) {
  using namespace conv_kernels;
  const ConvLikeOperands x = conv_like_operands(graph, op);
  ConvLikeSetup s = conv_like_setup(graph, op, "conv2d_splitk", x, O, /*slice_per_group=*/true);
  s.local_size = {conv2d_splitk_invocations(x.in.slices(), ctx.device.info().max_workgroup_invocations), 1, 1};
  s.spec = SpecConstants::from_struct(Conv2DSpec{spec_head(s, x), 1, 1, 1, 1, 1, 1, 0, 0, int32_t(activation)});
  s.weights = pack_conv_weights(weights, O, 1, 1, I);
  s.split_k_only = true;
  s.reduction_steps = x.in.slices();
  return std::make_unique<ConvLikeKernel>(ctx, graph, op, std::move(s));
}

bool runs_as_matrix_vector(const Graph& graph, const Op& op) {
  if (op.type != OpType::kConv2D && op.type != OpType::kFullyConnected) return false;
  const conv_kernels::ConvLikeOperands x = conv_kernels::conv_like_operands(graph, op);
  if (x.in.h != 1 || x.in.w != 1 || x.out.h != 1 || x.out.w != 1 || x.in.slices() < kMatrixVectorMinInputSlices)
    return false;
  if (op.type == OpType::kConv2D) return x.weights.shape[1] == 1 && x.weights.shape[2] == 1;
  // FULLY_CONNECTED: each output row is one input pixel's channels (rows = batch).
  return x.weights.shape.size() == 2 && x.weights.shape[1] == x.in.c && x.out.n == x.in.n;
}

uint32_t conv2d_splitk_invocations(int reduction_steps, uint32_t max_invocations) {
  return reduction_invocations(reduction_steps, max_invocations);
}

}  // namespace hetsched::gpu
