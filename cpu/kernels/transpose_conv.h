// The CPU kernel of TRANSPOSE_CONV (and MediaPipe's Convolution2DTransposeBias) on PHWC4
// activations (any range of output slices x rows).
#pragma once
#include <memory>

#include "cpu/kernel.h"

namespace hetsched::cpu {
std::unique_ptr<CpuKernel> create_transpose_conv_kernel(const Graph& graph, const Op& op);
}  // namespace hetsched::cpu
