// Registers the CPU kernels of the conv-like ops.
#include "cpu/kernel.h"
#include "cpu/kernels/conv2d.h"
#include "cpu/kernels/conv2d_winograd.h"
#include "cpu/kernels/depthwise_conv2d.h"
#include "cpu/kernels/fully_connected.h"
#include "cpu/kernels/transpose_conv.h"

namespace hetsched::cpu {
namespace {
// Winograd F(2x2,3x3) for the 3x3 stride-1 convs where it was measured faster, else the direct conv.
std::unique_ptr<CpuKernel> create_conv2d_any(const Graph& graph, const Op& op) {
  return winograd_pays(graph, op) ? create_conv2d_winograd_kernel(graph, op) : create_conv2d_kernel(graph, op);
}
}  // namespace

void register_conv_kernels(CpuKernelFactory* table) {
  table[static_cast<int>(OpType::kConv2D)] = create_conv2d_any;
  table[static_cast<int>(OpType::kDepthwiseConv2D)] = create_depthwise_conv2d_kernel;
  table[static_cast<int>(OpType::kTransposeConv)] = create_transpose_conv_kernel;
  table[static_cast<int>(OpType::kFullyConnected)] = create_fully_connected_kernel;
}
}  // namespace hetsched::cpu
