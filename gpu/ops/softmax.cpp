// GPU kernel of SOFTMAX over channels (softmax.comp): one invocation per output vec4 loops over its
// pixel's channels for the max and the sum.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of softmax.comp.
struct SoftmaxSpec {
  LocalSize local;
  float beta = 1.0f;
  SpecShape shape;
};

}  // namespace

std::unique_ptr<GpuKernel> create_softmax_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const Shape4 out = shape_of(g, op.outputs.at(0));
  const SoftmaxSpec spec{
      .local = local_size_for(out), .beta = op.attrs<SoftmaxAttributes>().beta, .shape = spec_shape(out)};
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "softmax", spec);
}

}  // namespace hetsched::gpu
