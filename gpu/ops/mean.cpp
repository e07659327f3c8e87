// GPU kernels of MEAN (see mean.h). mean.comp: each output element maps through the NHWC flat
// order to its element of the reduced shape and sums its region; a vec4 sum per output vec4 when
// the output's 4D shape is the reduced shape and C is kept. global_mean.comp: one workgroup per
// output vec4 of a global average over H and W (also AVERAGE_POOL_2D's: pool2d.cpp), its
// invocations sharing the pixels.
#include "gpu/ops/mean.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "graph/ops/mean.h"

namespace hetsched::gpu {
namespace {

std::atomic<int> g_global_created{0};

// Specialization constants of mean.comp.
struct MeanSpec {
  LocalSize local;
  VkBool32 reduce_n = VK_FALSE, reduce_h = VK_FALSE, reduce_w = VK_FALSE, reduce_c = VK_FALSE;
  VkBool32 fast = VK_FALSE;
  SpecShape in, out, reduced;
  float inv_count = 1.0f;
};

// Specialization constants of global_mean.comp (field i = constant_id i).
struct GlobalMeanSpec {
  uint32_t local_x = 1, local_y = 1, local_z = 1;  // ids 1, 2 are literal sizes in the shader
  int32_t in_h = 1, in_w = 1, c = 1;
  float inv_count = 1.0f;
  int32_t activation = 0;  // AVERAGE_POOL_2D's fused activation
};

// global_mean.comp's workgroups over an output range: (slices of the range, batches, 1).
std::array<uint32_t, 3> global_mean_grid(const Shape4& out, const OutputRange& range) {
  return {uint32_t(range.slice_end - range.slice_begin), uint32_t(out.n), 1};
}

std::unique_ptr<GpuKernel> make_global_mean_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const Shape4 in = shape_of(g, op.inputs.at(0));
  const int32_t activation = op.type == OpType::kAveragePool2D ? int32_t(op.attrs<Pool2DAttributes>().activation) : 0;
  const GlobalMeanSpec spec{global_mean_invocations(in, ctx.device.info().max_workgroup_invocations), 1, 1,
                            in.h, in.w, in.c, float(1.0 / (double(in.h) * double(in.w))), activation};
  auto kernel = std::make_unique<GroupReductionKernel>(
      ctx, g, op,
      ComputePipelineDesc{.shader = "global_mean", .spec = SpecConstants::from_struct(spec),
                          .push_constant_bytes = sizeof(RangePush), .storage_buffers = 2},
      global_mean_grid);
  g_global_created.fetch_add(1);
  return kernel;
}

}  // namespace

bool is_global_average(const Graph& g, const Op& op) {
  if (op.inputs.empty() || op.inputs[0] < 0 || op.outputs.empty()) return false;
  const Shape4 in = shape_of(g, op.inputs[0]), out = shape_of(g, op.outputs[0]);
  if (out != Shape4{in.n, 1, 1, in.c}) return false;
  if (op.type == OpType::kMean) {
    std::vector<int> axes = op.attrs<MeanAttributes>().axes;
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    return axes == std::vector<int>{1, 2};
  }
  if (op.type != OpType::kAveragePool2D) return false;
  const Pool2DAttributes& a = op.attrs<Pool2DAttributes>();
  return a.filter_h == in.h && a.filter_w == in.w && a.pads == Padding2D{};
}

std::unique_ptr<GpuKernel> create_global_mean_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  if (!is_global_average(g, op))
    fail(ErrorKind::kInternal, "model '{}': {} is no global average over H and W", g.model_name, g.describe(op));
  return make_global_mean_kernel(ctx, g, op);
}

uint32_t global_mean_invocations(const Shape4& in, uint32_t max_invocations) {
  return reduction_invocations(in.h * in.w, max_invocations);
}

int global_mean_kernels_created() { return g_global_created.load(); }

std::unique_ptr<GpuKernel> create_mean_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const MeanAttributes& a = op.attrs<MeanAttributes>();
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  if (is_global_average(g, op)) return make_global_mean_kernel(ctx, g, op);
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
