// FULLY_CONNECTED's GPU kernel: packs the weights for gpu/shaders/fully_connected.comp (whole-pixel
// chunks when the row length I is a multiple of the input's channels, else per element) and fixes
// the shapes as specialization constants; rows of one pixel's 32+ channels run as a matrix-vector
// product (gpu/ops/conv2d.h).
#include "gpu/ops/fully_connected.h"

#include "gpu/ops/conv2d.h"
#include "gpu/ops/conv2d_common.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of fully_connected.comp (field i = constant_id i).
struct FullyConnectedSpec {
  conv_kernels::ConvLikeSpecHead head;
  int32_t depth, activation;
  VkBool32 chunked;
};

}  // namespace

std::unique_ptr<GpuKernel> create_fully_connected_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                          const Op& op) {
  using namespace conv_kernels;
  const auto& a = op.attrs<FullyConnectedAttributes>();
  const ConvLikeOperands x = conv_like_operands(graph, op);
  const Shape4& in = x.in;
  const int O = x.weights.shape[0], I = x.weights.shape[1];
  if (runs_as_matrix_vector(graph, op)) return create_matrix_vector_gpu_kernel(ctx, graph, op, x.weights.f32(), O, I, a.activation);
  const bool chunked = I % in.c == 0;
  ConvLikeSetup s = conv_like_setup(graph, op, "fully_connected", x, O, /*slice_per_group=*/false);
  s.spec = SpecConstants::from_struct(
      FullyConnectedSpec{spec_head(s, x), I, int32_t(a.activation), chunked ? VK_TRUE : VK_FALSE});
  const std::span<const float> w = x.weights.f32();
  const size_t os_stride = chunked ? size_t(I / in.c) * slices_of(in.c) * 16 : size_t(I) * 4;
  s.weights.assign(size_t(slices_of(O)) * os_stride, 0.0f);
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < I; ++i) {
      size_t at;
      if (chunked) {
        // [out slice][pixel p][in slice][in lane][out lane]
        const int p = i / in.c, c = i % in.c;
        at = ((size_t(p) * slices_of(in.c) + size_t(c / 4)) * 4 + size_t(c % 4)) * 4;
      } else {
        at = size_t(i) * 4;  // [out slice][i][out lane]
      }
      s.weights[size_t(o / 4) * os_stride + at + size_t(o % 4)] = w[size_t(o) * I + i];
    }
  return std::make_unique<ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
