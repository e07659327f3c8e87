// The device-independent description of every op type: shape inference, MAC count, which output
// axes a kernel can split, and the float64 reference kernel (the oracle of every test).
// Ops register through a table (see op_registry.cpp), not a switch.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"
#include "graph/op_codes.h"

namespace hetsched {

// A tensor for reference kernels: logical NHWC order (the model's flat order), 4D shape, float64.
struct RefTensor {
  Shape4 shape;
  std::vector<double> data;
};

// Elementwise ops: unary f(x) (HARD_SWISH ...) or binary f(a, b) with NumPy broadcasting (ADD ..., PRELU).
enum class ElementwiseKind { kNone, kUnary, kBinary };

struct OpDescriptor {
  OpType type = OpType::kCount;
  // Validates inputs (count, ranks, constant-ness where required) and sets the output tensors'
  // shape and dtype; resolves SAME pads into explicit ones. Throws Error naming the op and tensor.
  void (*infer_shape)(Graph& graph, Op& op) = nullptr;
  // Multiply-accumulates of one run (0 for ops without MACs).
  int64_t (*macs)(const Graph& graph, const Op& op) = nullptr;
  // Float64 reference: inputs in op.inputs order (absent optional inputs as empty RefTensor).
  void (*reference)(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output) = nullptr;
  bool split_slices = false;   // a kernel can compute any range of output slices
  bool split_rows = false;     // ... and any range of output rows
  bool channel_local = false;  // output slice s reads only input slice s (continues after a split)
  // When set, decides channel_local for one op (depthwise: multiplier 1; pad: no channel pad;
  // concatenation: not on the channel axis; binary: no channel broadcast of an activation).
  bool (*channel_local_for)(const Graph& graph, const Op& op) = nullptr;
  // Output row y reads only row y of each activation input (continues a row split); asked only when
  // every activation input has the output's H and W. row_local_for, when set, decides for one op
  // (conv, depthwise: 1x1, stride 1, no pads).
  bool row_local = false;
  bool (*row_local_for)(const Graph& graph, const Op& op) = nullptr;

  // What fusion, the planners, the kernels and the shaders ask instead of switching on the type:
  ElementwiseKind elementwise = ElementwiseKind::kNone;
  // Nonzero: the op can be folded into its producer's epilogue as this step (EPILOGUE_* of
  // graph/op_codes.h, the code epilogue.glsl switches on); binary steps take an operand.
  int epilogue_step = EPILOGUE_NONE;
  // Its kernels apply an epilogue at the store, so fuse_elementwise may fold consumers into it.
  bool takes_epilogue = false;
  // The OP specialization constant of its generic GPU shader (UNARY_* / BINARY_* of graph/op_codes.h).
  int shader_op = -1;
};

// Whether output row y of `op` reads only row y of each activation input (see OpDescriptor::row_local).
bool is_row_local(const Graph& graph, const Op& op);

// Whether output slice s of `op` reads only slice s of each activation input.
bool is_channel_local(const Graph& graph, const Op& op);

// The descriptor of `type`; throws kUnsupported if the type has none registered.
const OpDescriptor& describe_op(OpType type);
bool has_descriptor(OpType type);

// Registration, one function per op family (each in graph/ops/); called once by the registry.
void register_conv_ops(std::vector<OpDescriptor>& table);     // CONV_2D, DEPTHWISE, TRANSPOSE_CONV, FC
void register_general_ops(std::vector<OpDescriptor>& table);  // everything else

// Shape inference of one op: its descriptor sees only the op's own inputs; the epilogue is then
// checked (graph/epilogue.h). Use this, not descriptor.infer_shape, on ops that may have an epilogue.
void infer_op_shape(Graph& graph, Op& op);
// Runs infer_op_shape over every op of the graph in order.
void infer_shapes(Graph& graph);
// The float64 reference of `op` including its epilogue: `inputs` has one RefTensor per op.inputs
// entry (the epilogue operands last). Use this, not descriptor.reference, on such ops.
void run_reference(const Graph& graph, const Op& op, std::span<const RefTensor> inputs, RefTensor& output);
// Total MACs of the graph.
int64_t total_macs(const Graph& graph);

}  // namespace hetsched
