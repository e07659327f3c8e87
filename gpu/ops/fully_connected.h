// FULLY_CONNECTED's GPU kernel (gpu/shaders/fully_connected.comp): the factory for the GPU kernel table.
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_fully_connected_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
}  // namespace hetsched::gpu
