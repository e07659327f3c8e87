// The Winograd F(2x2,3x3) CPU kernel of CONV_2D (3x3, stride 1, dilation 1) on PHWC4: fewer
// multiplies than the direct conv (16 per 2x2 output tile and channel pair instead of 36), chosen
// by the conv factory only for the shapes where the benchmark (bench/conv_kernels_bench.cpp) showed
// it faster.
#pragma once
#include <memory>

#include "cpu/kernel.h"

namespace hetsched::cpu {

// The op is a CONV_2D that Winograd F(2x2,3x3) can compute: 3x3 kernel, stride 1, dilation 1.
bool winograd_applies(const Graph& graph, const Op& op);
// winograd_applies and the shape is one where Winograd beat the direct conv in the benchmark.
bool winograd_pays(const Graph& graph, const Op& op);
// The Winograd kernel (any range of output slices and rows); throws kUnsupported if !winograd_applies.
std::unique_ptr<CpuKernel> create_conv2d_winograd_kernel(const Graph& graph, const Op& op);

}  // namespace hetsched::cpu
