// GPU kernel of MEAN (mean.comp): each output element maps through the NHWC flat order to its
// element of the reduced shape and sums its region; a vec4 sum per output vec4 when the output's 4D
// shape is the reduced shape and C is kept.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"
#include "graph/ops/mean.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of mean.comp.
struct MeanSpec {
  LocalSize local;
  VkBool32 reduce_n = VK_FALSE, reduce_h = VK_FALSE, reduce_w = VK_FALSE, reduce_c = VK_FALSE;
  VkBool32 fast = VK_FALSE;
  SpecShape in, out, reduced;
  float inv_count = 1.0f;
};

}  // namespace

std::unique_ptr<GpuKernel> create_mean_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const MeanAttributes& a = op.attrs<MeanAttributes>();
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  const Shape4 reduced = mean_reduced_shape(in, a.axes);
  MeanSpec spec;
  spec.local = local_size_for(out);
  for (int ax : a.axes) {
    if (ax == 0) spec.reduce_n = VK_TRUE;
    if (ax == 1) spec.reduce_h = VK_TRUE;
    if (ax == 2) spec.reduce_w = VK_TRUE;
    if (ax == 3) spec.reduce_c = VK_TRUE;
  }
  spec.fast = out == reduced && !spec.reduce_c;
  spec.in = spec_shape(in);
  spec.out = spec_shape(out);
  spec.reduced = spec_shape(reduced);
  spec.inv_count = float(double(reduced.elements()) / double(in.elements()));
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "mean", spec);
}

}  // namespace hetsched::gpu
