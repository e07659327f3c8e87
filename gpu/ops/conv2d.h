// CONV_2D's GPU kernel (gpu/shaders/conv2d.comp): the factory for the GPU kernel table.
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
}  // namespace hetsched::gpu
