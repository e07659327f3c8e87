// Registers the CPU kernels of every op that is not conv-like.
#include "cpu/kernel.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
void register_general_kernels(CpuKernelFactory* table) {
  auto set = [&](OpType t, CpuKernelFactory f) { table[static_cast<int>(t)] = f; };
  for (OpType t : {OpType::kAdd, OpType::kSub, OpType::kMul, OpType::kDiv, OpType::kPrelu})
    set(t, create_binary_kernel);
  for (OpType t : {OpType::kHardSwish, OpType::kLogistic, OpType::kTanh, OpType::kRelu, OpType::kRelu6})
    set(t, create_unary_kernel);
  set(OpType::kAveragePool2D, create_pool2d_kernel);
  set(OpType::kMaxPool2D, create_pool2d_kernel);
  set(OpType::kConcatenation, create_concatenation_kernel);
  set(OpType::kDepthToSpace, create_depth_to_space_kernel);
  set(OpType::kMean, create_mean_kernel);
  set(OpType::kPad, create_pad_kernel);
  set(OpType::kReshape, create_reshape_kernel);
  set(OpType::kResizeBilinear, create_resize_bilinear_kernel);
  set(OpType::kSoftmax, create_softmax_kernel);
}
}  // namespace hetsched::cpu
