// GPU kernel of AVERAGE_POOL_2D and MAX_POOL_2D (pool2d.comp): one invocation per output vec4 loops
// over its clipped window; pads resolved by shape inference.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of pool2d.comp.
struct Pool2DSpec {
  LocalSize local;
  VkBool32 is_max = VK_FALSE;
  int32_t activation = 0;
  int32_t filter_h = 1, filter_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
  int32_t in_h = 1, in_w = 1;
  int32_t out_n = 1, out_h = 1, out_w = 1, c = 1;
};

}  // namespace

std::unique_ptr<GpuKernel> create_pool2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const Pool2DAttributes& a = op.attrs<Pool2DAttributes>();
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  Pool2DSpec spec;
  spec.local = local_size_for(out);
  spec.is_max = op.type == OpType::kMaxPool2D;
  spec.activation = int32_t(a.activation);
  spec.filter_h = a.filter_h;
  spec.filter_w = a.filter_w;
  spec.stride_h = a.stride_h;
  spec.stride_w = a.stride_w;
  spec.pad_top = a.pads.top;
  spec.pad_left = a.pads.left;
  spec.in_h = in.h;
  spec.in_w = in.w;
  spec.out_n = out.n;
  spec.out_h = out.h;
  spec.out_w = out.w;
  spec.c = out.c;
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "pool2d", spec);
}

}  // namespace hetsched::gpu
