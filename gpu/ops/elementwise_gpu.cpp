// GPU kernels of the elementwise ops: ADD/SUB/MUL/DIV/PRELU (elementwise_binary.comp, broadcasting,
// a constant operand uploaded in PHWC4 at create) and HARD_SWISH/LOGISTIC/TANH/RELU/RELU6 (unary.comp).
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"
#include "base/error.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of elementwise_binary.comp (field i = constant_id i).
struct BinarySpec {
  LocalSize local;
  int32_t op = 0;  // 0 add, 1 sub, 2 mul, 3 div, 4 prelu
  int32_t activation = 0;
  VkBool32 swapped = VK_FALSE;  // binding 1 holds operand b (a is a constant, b an activation)
  SpecShape out, a, b;
};

// Specialization constants of unary.comp.
struct UnarySpec {
  LocalSize local;
  int32_t op = 0;  // 0 hard_swish, 1 logistic, 2 tanh, 3 relu, 4 relu6
  SpecShape shape;
};

int32_t binary_code(const Graph& g, const Op& op) {
  switch (op.type) {
    case OpType::kAdd: return 0;
    case OpType::kSub: return 1;
    case OpType::kMul: return 2;
    case OpType::kDiv: return 3;
    case OpType::kPrelu: return 4;
    default: fail(ErrorKind::kInternal, "model '{}': {} is not a binary op", g.model_name, g.describe(op));
  }
}

int32_t unary_code(const Graph& g, const Op& op) {
  switch (op.type) {
    case OpType::kHardSwish: return 0;
    case OpType::kLogistic: return 1;
    case OpType::kTanh: return 2;
    case OpType::kRelu: return 3;
    case OpType::kRelu6: return 4;
    default: fail(ErrorKind::kInternal, "model '{}': {} is not a unary op", g.model_name, g.describe(op));
  }
}

}  // namespace

std::unique_ptr<GpuKernel> create_binary_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  if (op.own_inputs() != 2 || op.inputs[0] < 0 || op.inputs[1] < 0)
    fail(ErrorKind::kInvalidModel, "model '{}': {} needs two inputs", g.model_name, g.describe(op));
  if (!op.epilogue.empty() && (g.tensors[size_t(op.inputs[0])].is_constant || g.tensors[size_t(op.inputs[1])].is_constant))
    fail(ErrorKind::kInternal, "model '{}': {} has an epilogue and a constant input (bindings would clash)",
         g.model_name, g.describe(op));
  BinarySpec spec;
  const Shape4 out = shape_of(g, op.outputs.at(0));
  spec.local = local_size_for(out);
  spec.op = binary_code(g, op);
  spec.activation = int32_t(op.activation());
  spec.swapped = g.tensors[size_t(op.inputs[0])].is_constant && !g.tensors[size_t(op.inputs[1])].is_constant;
  spec.out = spec_shape(out);
  spec.a = spec_shape(shape_of(g, op.inputs[0]));
  spec.b = spec_shape(shape_of(g, op.inputs[1]));
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "elementwise_binary", spec, 3 + kEpilogueBindings);
}

std::unique_ptr<GpuKernel> create_unary_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  UnarySpec spec;
  const Shape4 out = shape_of(g, op.outputs.at(0));
  spec.local = local_size_for(out);
  spec.op = unary_code(g, op);
  spec.shape = spec_shape(out);
  if (op.own_inputs() != 1 || op.inputs[0] < 0 || shape_of(g, op.inputs[0]) != out)
    fail(ErrorKind::kInvalidModel, "model '{}': {} needs one input of the output's shape {}", g.model_name,
         g.describe(op), out.to_string());
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "unary", spec, 2 + kEpilogueBindings);
}

}  // namespace hetsched::gpu
