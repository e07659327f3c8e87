// CONV_2D's GPU kernel (gpu/shaders/conv2d.comp; conv2d_gemv.comp for a 1x1 conv on a 1x1 map): the
// factory for the GPU kernel table, and which of the two it picks (also for gpu/dispatch_plan.cpp).
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
// A 1x1 conv on a 1x1 map with at least 32 input channels: conv2d_gemv.comp, one workgroup of
// conv2d_gemv_invocations() per output vec4.
bool conv2d_runs_as_gemv(const Graph& graph, const Op& op);
uint32_t conv2d_gemv_invocations(int input_channels, uint32_t max_invocations);
}  // namespace hetsched::gpu
