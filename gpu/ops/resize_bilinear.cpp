// GPU kernel of RESIZE_BILINEAR (resize_bilinear.comp): the scales are computed on the host with the
// same float formula as the CPU kernel. A second (size) input, if the importer kept it, is not bound.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"
#include "graph/ops/resize_bilinear.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of resize_bilinear.comp.
struct ResizeBilinearSpec {
  LocalSize local;
  VkBool32 half_pixel_centers = VK_FALSE;
  float scale_y = 1.0f, scale_x = 1.0f;
  int32_t in_h = 1, in_w = 1;
  SpecShape out;
};

}  // namespace

std::unique_ptr<GpuKernel> create_resize_bilinear_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                             const Op& op) {
  const ResizeBilinearAttributes& a = op.attrs<ResizeBilinearAttributes>();
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  ResizeBilinearSpec spec;
  spec.local = local_size_for(out);
  spec.half_pixel_centers = a.half_pixel_centers;
  spec.scale_y = resize_scale<float>(in.h, out.h, a.align_corners);
  spec.scale_x = resize_scale<float>(in.w, out.w, a.align_corners);
  spec.in_h = in.h;
  spec.in_w = in.w;
  spec.out = spec_shape(out);
  Op data_only = op;
  data_only.inputs.resize(1);
  return std::make_unique<SingleDispatchKernel>(ctx, g, data_only, "resize_bilinear", spec);
}

}  // namespace hetsched::gpu
