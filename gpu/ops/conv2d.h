// CONV_2D's GPU kernel (gpu/shaders/conv2d.comp, register-blocked and tuned; conv2d_splitk.comp for a
// 1x1 conv on a 1x1 map, and a tuning candidate for small outputs with long reductions): the factory
// for the GPU kernel table, and which shader it starts on (also for gpu/dispatch_plan.cpp).
#pragma once
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
// A 1x1 conv on a 1x1 map with at least 32 input channels (a matrix-vector product): always
// conv2d_splitk.comp, one workgroup of conv2d_splitk_invocations() per output vec4.
bool conv2d_runs_as_gemv(const Graph& graph, const Op& op);
// The workgroup width of a split-K conv: the reduction's steps (input vec4 x weight mat4 products
// per output vec4) rounded up to a power of two, at most 256 and the device's limit.
uint32_t conv2d_splitk_invocations(int reduction_steps, uint32_t max_invocations);
}  // namespace hetsched::gpu
