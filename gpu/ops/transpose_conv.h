// TRANSPOSE_CONV's GPU kernel (gpu/shaders/transpose_conv.comp): the factory for the GPU kernel table.
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_transpose_conv_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
}  // namespace hetsched::gpu
