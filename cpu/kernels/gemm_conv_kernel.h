// The CPU kernel shared by CONV_2D and TRANSPOSE_CONV: the packed implicit GEMM of
// cpu/gemm/conv_gemm.h over the op's data input, weights packed into micro-kernel panels once, at
// creation. Each op passes its geometry (graph/ops/conv_geometry.h).
#pragma once
#include <memory>

#include "cpu/gemm/conv_gemm.h"
#include "cpu/kernel.h"

namespace hetsched::cpu {

// The kernel of `op` (inputs: data, O-KH-KW-I weights, optional bias at position 2) with `geometry`.
std::unique_ptr<CpuKernel> create_gemm_conv_kernel(const Graph& graph, const Op& op, const gemm::ConvGeometry& geometry);

}  // namespace hetsched::cpu
