// The CPU kernel of FULLY_CONNECTED on PHWC4 activations (any range of output slices x rows).
#pragma once
#include <memory>

#include "cpu/kernel.h"

namespace hetsched::cpu {
std::unique_ptr<CpuKernel> create_fully_connected_kernel(const Graph& graph, const Op& op);
}  // namespace hetsched::cpu
