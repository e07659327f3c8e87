// The GPU kernels of MEAN (gpu/ops/mean.cpp): mean.comp for every axis set, and global_mean.comp,
// a workgroup-parallel reduction, for a global average over H and W (a MEAN over H and W, or an
// AVERAGE_POOL_2D whose one window is the whole map: squeeze-excite blocks, classifier heads),
// which mean.comp and pool2d.comp would sum serially, one invocation per output vec4.
#pragma once
#include <cstdint>
#include <memory>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// Whether `op` runs on global_mean.comp: a MEAN over exactly axes H and W (N and C kept) whose
// output's 4D shape is [N, 1, 1, C], or an AVERAGE_POOL_2D with a window of the whole unpadded map
// (output [N, 1, 1, C]; any fused activation).
bool is_global_average(const Graph& graph, const Op& op);

// The global_mean.comp kernel of `op` (is_global_average must hold). Not tunable: its workgroup
// size is the reduction's width.
std::unique_ptr<GpuKernel> create_global_mean_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                         const Op& op);

// global_mean.comp's workgroup size for an input `in` on a device allowing `max_invocations` per
// workgroup (0: unknown, 128 assumed): the power of two covering H * W, at most 256 and the limit.
uint32_t global_mean_invocations(const Shape4& in, uint32_t max_invocations);

// How many global_mean kernels this process created (tests check the path is taken).
int global_mean_kernels_created();

}  // namespace hetsched::gpu
