// GPU kernels of SOFTMAX over channels. softmax.comp: one invocation per output vec4 loops over its
// pixel's channels for the max and the sum (few channels, many pixels: a segmentation map).
// softmax_wide.comp: one workgroup per pixel shares the channels (many channels: a classifier's
// 1000 classes, where softmax.comp took 125 us on the H100 and this one a few).
#include <algorithm>
#include <memory>

#include "gpu/device.h"
#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of softmax.comp.
struct SoftmaxSpec {
  LocalSize local;
  float beta = 1.0f;
  SpecShape shape;
};

// Specialization constants of softmax_wide.comp (field i = constant_id i).
struct SoftmaxWideSpec {
  uint32_t local_x = 1, local_y = 1, local_z = 1;  // ids 1, 2 are literal sizes in the shader
  float beta = 1.0f;
  SpecShape shape;
};

// From this many output slices (64 channels) a pixel's channels are shared by a workgroup.
constexpr int kWideSlices = 16;

// softmax_wide.comp's workgroups over an output range: columns x rows of the range x batches.
std::array<uint32_t, 3> softmax_wide_grid(const Shape4& out, const OutputRange& range) {
  return {uint32_t(out.w), uint32_t(range.row_end - range.row_begin), uint32_t(out.n)};
}

}  // namespace

std::unique_ptr<GpuKernel> create_softmax_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const Shape4 out = shape_of(g, op.outputs.at(0));
  if (softmax_runs_wide(g, op)) {
    const SoftmaxWideSpec spec{softmax_wide_invocations(out.c, ctx.device.info().max_workgroup_invocations), 1, 1,
                               op.attrs<SoftmaxAttributes>().beta, spec_shape(out)};
    return std::make_unique<GroupReductionKernel>(
        ctx, g, op,
        ComputePipelineDesc{.shader = "softmax_wide", .spec = SpecConstants::from_struct(spec),
                            .push_constant_bytes = sizeof(RangePush), .storage_buffers = 2},
        softmax_wide_grid);
  }
  const SoftmaxSpec spec{
      .local = local_size_for(out), .beta = op.attrs<SoftmaxAttributes>().beta, .shape = spec_shape(out)};
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "softmax", spec);
}

bool softmax_runs_wide(const Graph& g, const Op& op) {
  return op.type == OpType::kSoftmax && shape_of(g, op.outputs.at(0)).slices() >= kWideSlices && op.epilogue.empty();
}

uint32_t softmax_wide_invocations(int channels, uint32_t max_invocations) {
  return reduction_invocations(slices_of(channels), max_invocations);
}

}  // namespace hetsched::gpu
