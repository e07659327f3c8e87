// CONV_2D's GPU kernel (gpu/shaders/conv2d.comp, register-blocked and tuned; conv2d_splitk.comp for
// matrix-vector products, and a tuning candidate for small outputs with long reductions): the
// factory for the GPU kernel table, and which shader it starts on (also for gpu/dispatch_plan.cpp).
#pragma once
#include <span>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
std::unique_ptr<GpuKernel> create_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);
// A matrix-vector product with at least 32 input channels: a 1x1 CONV_2D on a 1x1 map, or a
// FULLY_CONNECTED whose rows are one input pixel's channels. Always conv2d_splitk.comp, one
// workgroup of conv2d_splitk_invocations() per output vec4 (create_matrix_vector_gpu_kernel:
// `weights` [O, I] row-major, the bias at input 2).
bool runs_as_matrix_vector(const Graph& graph, const Op& op);
std::unique_ptr<GpuKernel> create_matrix_vector_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op,
                                                          std::span<const float> weights, int O, int I,
                                                          Activation activation);
// The workgroup width of a split-K conv: the reduction's steps (input vec4 x weight mat4 products
// per output vec4) rounded up to a power of two, at most 256 and the device's limit.
uint32_t conv2d_splitk_invocations(int reduction_steps, uint32_t max_invocations);
}  // namespace hetsched::gpu
