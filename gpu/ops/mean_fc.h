// The fused MEAN -> FC [-> FC] GPU kernel (gpu/shaders/mean_fc.comp; which chains:
// gpu/fuse_mean_fc.h). It stands in for the chain's last op: its output range is that op's, and
// bind()'s `inputs` are the last op's input ranges with inputs[0] replaced by the MEAN's input.
// Workgroups of up to 256 invocations, each owning mean_fc_group_slices output slices and
// computing the pooled vector (and FC1) itself; not tunable.
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// `chain`: the MEAN op index, then one or two FC op indices (as GpuFusions::add got them).
std::unique_ptr<GpuKernel> create_mean_fc_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                     const std::vector<int>& chain);

// The invocations of the kernel's one workgroup on a device allowing `max_invocations`.
uint32_t mean_fc_invocations(uint32_t max_invocations);

// Output slices per workgroup for the last op's output `out`: at least 8, at most 32 workgroups.
uint32_t mean_fc_group_slices(const Shape4& out);

// How many fused kernels this process created (`hetsched run --json`'s mean_fc_fused_kernels).
int mean_fc_kernels_created();

}  // namespace hetsched::gpu
