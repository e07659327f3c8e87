// GPU kernel of AVERAGE_POOL_2D and MAX_POOL_2D (pool2d.comp): one invocation per output vec4 loops
// over its clipped window; pads resolved by shape inference. A global average (one window of the
// whole map) runs on global_mean.comp instead (gpu/ops/mean.h).
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"
#include "gpu/ops/mean.h"

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
  if (is_global_average(g, op)) return create_global_mean_gpu_kernel(ctx, g, op);
  const Pool2DAttributes& a = op.attrs<Pool2DAttributes>();
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  const Pool2DSpec spec{.local = local_size_for(out),
                        .is_max = op.type == OpType::kMaxPool2D ? VK_TRUE : VK_FALSE,
                        .activation = int32_t(a.activation),
                        .filter_h = a.filter_h, .filter_w = a.filter_w,
                        .stride_h = a.stride_h, .stride_w = a.stride_w,
                        .pad_top = a.pads.top, .pad_left = a.pads.left,
                        .in_h = in.h, .in_w = in.w,
                        .out_n = out.n, .out_h = out.h, .out_w = out.w, .c = out.c};
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "pool2d", spec);
}

}  // namespace hetsched::gpu
