// FULLY_CONNECTED's GPU kernel: packs the weights for gpu/shaders/fully_connected.comp (whole-pixel
// chunks when the row length I is a multiple of the input's channels, else per element) and fixes
// the shapes as specialization constants.
#include "gpu/ops/fully_connected.h"

#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/conv2d_coopmat.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of fully_connected.comp (field i = constant_id i).
struct FullyConnectedSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t depth, activation;
  VkBool32 chunked;
};

}  // namespace

std::unique_ptr<GpuKernel> create_fully_connected_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                          const Op& op) {
  if (auto coopmat = try_create_fully_connected_coopmat_kernel(ctx, graph, op)) return coopmat;  // tensor cores where enabled
  const auto& a = op.attrs<FullyConnectedAttributes>();
  const Shape4 in = graph.tensors[size_t(op.inputs[0])].shape4();
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  const int O = wt.shape[0], I = wt.shape[1];
  const bool chunked = I % in.c == 0;
  conv_kernels::ConvLikeSetup s;
  s.shader = "fully_connected";
  s.local_size = conv_kernels::local_size_for(out);
  s.spec = SpecConstants::from_struct(FullyConnectedSpec{s.local_size[0], s.local_size[1], s.local_size[2], out.n,
                                                         in.h, in.w, in.c, out.h, out.w, out.c, I,
                                                         int32_t(a.activation), chunked ? VK_TRUE : VK_FALSE});
  const std::span<const float> w = wt.f32();
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
  s.bias = conv_kernels::pack_bias(graph, op, 2, O);
  return std::make_unique<conv_kernels::ConvLikeKernel>(ctx, graph, op, std::move(s));
}

}  // namespace hetsched::gpu
