// GPU kernels of the elementwise ops: ADD/SUB/MUL/DIV/PRELU (elementwise_binary.comp, broadcasting,
// a constant operand uploaded in PHWC4 at create) and HARD_SWISH/LOGISTIC/TANH/RELU/RELU6 (unary.comp).
#include <memory>

#include "base/error.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "graph/op_registry.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of elementwise_binary.comp (field i = constant_id i).
struct BinarySpec {
  LocalSize local;
  int32_t op = 0;  // BINARY_* (graph/op_codes.h)
  int32_t activation = 0;
  VkBool32 swapped = VK_FALSE;  // binding 1 holds operand b (a is a constant, b an activation)
  SpecShape out, a, b;
};

// Specialization constants of unary.comp.
struct UnarySpec {
  LocalSize local;
  int32_t op = 0;  // UNARY_* (graph/op_codes.h)
  SpecShape shape;
};

// The OP constant of the op's generic shader: its row in the op table (graph/op_codes.h's codes).
int32_t shader_op(const Graph& g, const Op& op, ElementwiseKind kind) {
  const OpDescriptor& d = describe_op(op.type);
  if (d.elementwise != kind || d.shader_op < 0)
    fail(ErrorKind::kInternal, "model '{}': {} is not a {} elementwise op", g.model_name, g.describe(op),
         kind == ElementwiseKind::kUnary ? "unary" : "binary");
  return d.shader_op;
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
  spec.op = shader_op(g, op, ElementwiseKind::kBinary);
  spec.activation = int32_t(op.activation());
  spec.swapped = g.tensors[size_t(op.inputs[0])].is_constant && !g.tensors[size_t(op.inputs[1])].is_constant;
  spec.out = spec_shape(out);
  spec.a = spec_shape(shape_of(g, op.inputs[0]));
  spec.b = spec_shape(shape_of(g, op.inputs[1]));
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, kBinaryShader, spec, 3 + kEpilogueBindings);
}

std::unique_ptr<GpuKernel> create_unary_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  UnarySpec spec;
  const Shape4 out = shape_of(g, op.outputs.at(0));
  spec.local = local_size_for(out);
  spec.op = shader_op(g, op, ElementwiseKind::kUnary);
  spec.shape = spec_shape(out);
  if (op.own_inputs() != 1 || op.inputs[0] < 0 || shape_of(g, op.inputs[0]) != out)
    fail(ErrorKind::kInvalidModel, "model '{}': {} needs one input of the output's shape {}", g.model_name,
         g.describe(op), out.to_string());
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, kUnaryShader, spec, 2 + kEpilogueBindings);
}

}  // namespace hetsched::gpu
