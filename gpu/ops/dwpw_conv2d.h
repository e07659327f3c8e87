// The fused depthwise + pointwise GPU kernel (gpu/shaders/dwpw_conv2d.comp; which pairs:
// gpu/fuse_dwpw.h). It stands in for the pointwise op: its output range is the pointwise op's, and
// bind()'s `inputs` are the pointwise op's input ranges with inputs[0] replaced by the depthwise
// op's input (the depthwise output is never read). Tunable: the register block (output slices per
// invocation, which also sets how often a workgroup recomputes the depthwise tile).
#pragma once
#include <array>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// The default workgroup of the fused kernel for a pointwise output `out`: z = min(16, output
// slices) invocations along the slices (block 1), so the depthwise tile is computed once per 16
// output slices and each invocation's share of it is 9/16 vec4 products per depthwise slice against
// the pointwise's 4; x, y a pixel tile of at most min(64, max_invocations / z) pixels (64: the
// shader's shared tile). The invocation count per output pixel and slice is the unfused
// pointwise's, so the grid stays as wide. Tuning tries other tiles and blocks (workgroup_candidates).
WorkgroupSize dwpw_default_workgroup(const Shape4& out, uint32_t max_invocations = 256);

// Workgroup counts of a dispatch over `range` with `size` (z: slice groups x batches).
std::array<uint32_t, 3> dwpw_groups(const Shape4& out, const OutputRange& range, const WorkgroupSize& size);

std::unique_ptr<GpuKernel> create_dwpw_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                         const Op& depthwise, const Op& pointwise);

// How many fused kernels this process created (`hetsched run --json`'s dwpw_fused_kernels).
int dwpw_kernels_created();

}  // namespace hetsched::gpu
