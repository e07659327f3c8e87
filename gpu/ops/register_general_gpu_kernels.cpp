// Registers the GPU kernels of every op that is not conv-like.
#include "gpu/gpu_kernel.h"
#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
void register_general_gpu_kernels(GpuKernelFactory* table) {
  auto set = [&](OpType t, GpuKernelFactory f) { table[static_cast<int>(t)] = f; };
  for (OpType t : {OpType::kAdd, OpType::kSub, OpType::kMul, OpType::kDiv, OpType::kPrelu})
    set(t, create_binary_gpu_kernel);
  for (OpType t : {OpType::kHardSwish, OpType::kLogistic, OpType::kTanh, OpType::kRelu, OpType::kRelu6})
    set(t, create_unary_gpu_kernel);
  set(OpType::kAveragePool2D, create_pool2d_gpu_kernel);
  set(OpType::kMaxPool2D, create_pool2d_gpu_kernel);
  set(OpType::kConcatenation, create_concatenation_gpu_kernel);
  set(OpType::kDepthToSpace, create_depth_to_space_gpu_kernel);
  set(OpType::kMean, create_mean_gpu_kernel);
  set(OpType::kPad, create_pad_gpu_kernel);
  set(OpType::kReshape, create_reshape_gpu_kernel);
  set(OpType::kResizeBilinear, create_resize_bilinear_gpu_kernel);
  set(OpType::kSoftmax, create_softmax_gpu_kernel);
}
}  // namespace hetsched::gpu
