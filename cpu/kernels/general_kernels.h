// Factories of the general (non-conv) CPU kernels, one per op family (cpu/kernels/<family>.cpp).
#pragma once
#include <memory>

#include "cpu/kernel.h"

namespace hetsched::cpu {

std::unique_ptr<CpuKernel> create_binary_kernel(const Graph& graph, const Op& op);  // ADD SUB MUL DIV PRELU
std::unique_ptr<CpuKernel> create_unary_kernel(const Graph& graph, const Op& op);   // HARD_SWISH ... RELU6
std::unique_ptr<CpuKernel> create_pool2d_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_concatenation_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_depth_to_space_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_mean_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_pad_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_reshape_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_resize_bilinear_kernel(const Graph& graph, const Op& op);
std::unique_ptr<CpuKernel> create_softmax_kernel(const Graph& graph, const Op& op);

}  // namespace hetsched::cpu
