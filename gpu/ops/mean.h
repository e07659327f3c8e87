// The GPU kernels of MEAN (gpu/ops/mean.cpp): mean.comp for every axis set, and global_mean.comp,
// a workgroup-parallel reduction, for the global average over H and W (squeeze-excite blocks,
// classifier heads), which mean.comp would sum serially, one invocation per output vec4.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace hetsched::gpu {

// Whether MEAN of `in` over `axes4` (4D axes) to the output `out` runs on global_mean.comp: axes
// exactly H and W (N and C kept) and the output's 4D shape [N, 1, 1, C].
bool is_global_mean(const Shape4& in, const Shape4& out, const std::vector<int>& axes4);

// global_mean.comp's workgroup size for an input `in` on a device allowing `max_invocations` per
// workgroup (0: unknown, 128 assumed): the power of two covering H * W, at most 256 and the limit.
uint32_t global_mean_invocations(const Shape4& in, uint32_t max_invocations);

// How many global_mean kernels this process created (tests check the path is taken).
int global_mean_kernels_created();

}  // namespace hetsched::gpu
