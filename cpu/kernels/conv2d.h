// The CPU kernel of CONV_2D on PHWC4 activations (any range of output slices x rows).
#pragma once
#include <memory>

#include "cpu/kernel.h"

namespace hetsched::cpu {
std::unique_ptr<CpuKernel> create_conv2d_kernel(const Graph& graph, const Op& op);
// TEMPORARY old name for tests/ops (owned by the one-test-per-op branch); remove after both merge.
inline std::unique_ptr<CpuKernel> make_conv2d_kernel(const Graph& graph, const Op& op) {
  return create_conv2d_kernel(graph, op);
}
}  // namespace hetsched::cpu
