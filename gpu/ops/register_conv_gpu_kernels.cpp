// Registers the GPU kernels of the conv-like ops, with their shaders' facts (GpuKernelEntry).
#include "gpu/gpu_kernel.h"
#include "gpu/ops/conv2d.h"
#include "gpu/ops/conv2d_coopmat.h"
#include "gpu/ops/depthwise_conv2d.h"
#include "gpu/ops/fully_connected.h"
#include "gpu/ops/transpose_conv.h"

namespace hetsched::gpu {
void register_conv_gpu_kernels(GpuKernelEntry* table) {
  // {factory, shader, conv_like, slice_per_group, register_blocked, tensor_cores}
  table[int(OpType::kConv2D)] = {create_conv2d_gpu_kernel, "conv2d", true, true, true,
                                 try_create_conv2d_coopmat_kernel};
  table[int(OpType::kDepthwiseConv2D)] = {create_depthwise_conv2d_gpu_kernel, "depthwise_conv2d", true, true, false};
  table[int(OpType::kTransposeConv)] = {create_transpose_conv_gpu_kernel, "transpose_conv", true, true, false,
                                        try_create_transpose_conv_coopmat_kernel};
  table[int(OpType::kFullyConnected)] = {create_fully_connected_gpu_kernel, "fully_connected", true, false, false,
                                         try_create_fully_connected_coopmat_kernel};
}
}  // namespace hetsched::gpu
