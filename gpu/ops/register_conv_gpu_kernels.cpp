// Registers the GPU kernels of the conv-like ops.
#include "gpu/gpu_kernel.h"
#include "gpu/ops/conv2d.h"
#include "gpu/ops/depthwise_conv2d.h"
#include "gpu/ops/fully_connected.h"
#include "gpu/ops/transpose_conv.h"

namespace hetsched::gpu {
void register_conv_gpu_kernels(GpuKernelFactory* table) {
  table[int(OpType::kConv2D)] = create_conv2d_gpu_kernel;
  table[int(OpType::kDepthwiseConv2D)] = create_depthwise_conv2d_gpu_kernel;
  table[int(OpType::kTransposeConv)] = create_transpose_conv_gpu_kernel;
  table[int(OpType::kFullyConnected)] = create_fully_connected_gpu_kernel;
}
}  // namespace hetsched::gpu
