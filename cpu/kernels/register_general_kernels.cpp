// Registers the CPU kernels of every op that is not conv-like.
#include "cpu/kernel.h"
#include "cpu/kernels/general_kernels.h"
#include "graph/op_registry.h"

namespace hetsched::cpu {
void register_general_kernels(CpuKernelFactory* table) {
  auto set = [&](OpType t, CpuKernelFactory f) { table[static_cast<int>(t)] = f; };
  // Every elementwise op of the op table (graph/op_registry.h) has the generic unary or binary kernel.
  for (int i = 0; i < kOpTypeCount; ++i) {
    const OpType t = static_cast<OpType>(i);
    if (!has_descriptor(t)) continue;
    switch (describe_op(t).elementwise) {
      case ElementwiseKind::kBinary: set(t, create_binary_kernel); break;
      case ElementwiseKind::kUnary: set(t, create_unary_kernel); break;
      case ElementwiseKind::kNone: break;
    }
  }
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
