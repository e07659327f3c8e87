// GPU kernel of DEPTH_TO_SPACE (depth_to_space.comp): one invocation per output vec4.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of depth_to_space.comp.
struct DepthToSpaceSpec {
  LocalSize local;
  int32_t block = 2;
  SpecShape out;
};

}  // namespace

std::unique_ptr<GpuKernel> create_depth_to_space_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                            const Op& op) {
  const Shape4 out = shape_of(g, op.outputs.at(0));
  const DepthToSpaceSpec spec{
      .local = local_size_for(out), .block = op.attrs<DepthToSpaceAttributes>().block_size, .out = spec_shape(out)};
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "depth_to_space", spec);
}

}  // namespace hetsched::gpu
