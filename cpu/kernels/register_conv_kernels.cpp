// Registers the CPU kernels of the conv-like ops.
#include "cpu/kernel.h"
#include "cpu/kernels/conv2d.h"
#include "cpu/kernels/depthwise_conv2d.h"
#include "cpu/kernels/fully_connected.h"
#include "cpu/kernels/transpose_conv.h"

namespace hetsched::cpu {
void register_conv_kernels(CpuKernelFactory* table) {
  table[static_cast<int>(OpType::kConv2D)] = make_conv2d_kernel;
  table[static_cast<int>(OpType::kDepthwiseConv2D)] = make_depthwise_conv2d_kernel;
  table[static_cast<int>(OpType::kTransposeConv)] = make_transpose_conv_kernel;
  table[static_cast<int>(OpType::kFullyConnected)] = make_fully_connected_kernel;
}
}  // namespace hetsched::cpu
