// Registers the GPU kernels of every op that is not conv-like, with their shaders.
#include "gpu/gpu_kernel.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "graph/op_registry.h"

namespace hetsched::gpu {
void register_general_gpu_kernels(GpuKernelEntry* table) {
  auto set = [&](OpType t, GpuKernelFactory f, const char* shader) { table[static_cast<int>(t)] = {f, shader}; };
  // Every elementwise op of the op table runs on one of the two generic shaders (OP = its shader_op).
  for (int i = 0; i < kOpTypeCount; ++i) {
    const OpType t = static_cast<OpType>(i);
    if (!has_descriptor(t)) continue;
    switch (describe_op(t).elementwise) {
      case ElementwiseKind::kBinary: set(t, create_binary_gpu_kernel, kBinaryShader); break;
      case ElementwiseKind::kUnary: set(t, create_unary_gpu_kernel, kUnaryShader); break;
      case ElementwiseKind::kNone: break;
    }
  }
  set(OpType::kAveragePool2D, create_pool2d_gpu_kernel, "pool2d");
  set(OpType::kMaxPool2D, create_pool2d_gpu_kernel, "pool2d");
  set(OpType::kConcatenation, create_concatenation_gpu_kernel, "concatenation");
  set(OpType::kDepthToSpace, create_depth_to_space_gpu_kernel, "depth_to_space");
  set(OpType::kMean, create_mean_gpu_kernel, "mean");
  set(OpType::kPad, create_pad_gpu_kernel, "pad");
  set(OpType::kReshape, create_reshape_gpu_kernel, "reshape");
  set(OpType::kResizeBilinear, create_resize_bilinear_gpu_kernel, "resize_bilinear");
  set(OpType::kSoftmax, create_softmax_gpu_kernel, "softmax");
}
}  // namespace hetsched::gpu
