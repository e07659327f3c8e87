// Shape inference and float64 references of the elementwise ops (see elementwise.h).
#include "graph/ops/elementwise.h"

#include <algorithm>

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

using general_ops::nhwc_index;

// The operand `t` must broadcast against a tensor of rank `rank` the same way under NumPy's
// right-aligned rule and under the 4D mapping of phwc4.h (e.g. [C] or [1,1,C] against [1,H,W,C] do;
// [W,C] does not: its 4D shape is [W,1,1,C]). Returns t's shape padded to `rank`.
std::vector<int> aligned_shape(const Graph& g, const Op& op, const Tensor& t, int rank) {
  std::vector<int> padded(size_t(rank) - t.shape.size(), 1);
  padded.insert(padded.end(), t.shape.begin(), t.shape.end());
  if (to_shape4(padded) != t.shape4())
    fail(ErrorKind::kUnsupported,
         "model '{}': {} operand '{}' of shape {} broadcasts against rank {} differently in 4D; "
         "reshape it to rank {} first",
         g.model_name, g.describe(op), t.name, t.shape_string(), rank, rank);
  return padded;
}

void infer_binary(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 2, 2);
  const Tensor& a = general_ops::float_input(g, op, 0);
  const Tensor& b = general_ops::float_input(g, op, 1);
  const int rank = int(std::max(a.shape.size(), b.shape.size()));
  const std::vector<int> pa = aligned_shape(g, op, a, rank), pb = aligned_shape(g, op, b, rank);
  std::vector<int> out(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1)
      fail(ErrorKind::kInvalidModel, "model '{}': {} operands '{}' {} and '{}' {} do not broadcast", g.model_name,
           g.describe(op), a.name, a.shape_string(), b.name, b.shape_string());
    out[i] = std::max(pa[i], pb[i]);
  }
  if (op.type == OpType::kPrelu) {
    if (out != pa)
      fail(ErrorKind::kInvalidModel, "model '{}': {} alpha '{}' {} does not broadcast to the input {}",
           g.model_name, g.describe(op), b.name, b.shape_string(), a.shape_string());
    out = a.shape;
  }
  general_ops::set_output(g, op, std::move(out));
}

void infer_unary(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  const Tensor& in = general_ops::float_input(g, op, 0);
  general_ops::set_output(g, op, in.shape);
}

template <OpType kType>
void reference_binary(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const Shape4 a = in[0].shape, b = in[1].shape, o = out.shape;
  out.data.assign(o.elements(), 0.0);
  for (int n = 0; n < o.n; ++n)
    for (int y = 0; y < o.h; ++y)
      for (int x = 0; x < o.w; ++x)
        for (int c = 0; c < o.c; ++c) {
          const double va = in[0].data[nhwc_index(a, a.n == 1 ? 0 : n, a.h == 1 ? 0 : y, a.w == 1 ? 0 : x,
                                                  a.c == 1 ? 0 : c)];
          const double vb = in[1].data[nhwc_index(b, b.n == 1 ? 0 : n, b.h == 1 ? 0 : y, b.w == 1 ? 0 : x,
                                                  b.c == 1 ? 0 : c)];
          out.data[nhwc_index(o, n, y, x, c)] = apply_activation(op.activation(), binary_apply<kType>(va, vb));
        }
}

template <OpType kType>
void reference_unary(const Graph&, const Op&, std::span<const RefTensor> in, RefTensor& out) {
  out.data.resize(in[0].data.size());
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = unary_apply<kType>(in[0].data[i]);
}

// What every elementwise op shares: local to each element (so to any slice and row range) and
// able both to apply an epilogue and, with a step code, to be one.
OpDescriptor elementwise_descriptor(OpType type, ElementwiseKind kind, int epilogue_step, int shader_op) {
  OpDescriptor d;
  d.type = type;
  d.elementwise = kind;
  d.epilogue_step = epilogue_step;
  d.shader_op = shader_op;
  d.takes_epilogue = d.row_local = d.split_slices = d.split_rows = d.channel_local = true;
  return d;
}

template <OpType kType>
OpDescriptor binary_descriptor(int epilogue_step, int shader_op) {
  OpDescriptor d = elementwise_descriptor(kType, ElementwiseKind::kBinary, epilogue_step, shader_op);
  d.infer_shape = infer_binary;
  d.reference = reference_binary<kType>;
  // Output slice s reads slice s of each operand (slice 0 of an operand broadcast over channels,
  // which is not local when that operand is an activation with C == 1 and the output C > 4).
  d.channel_local_for = [](const Graph& g, const Op& op) {
    const int c = g.tensors[op.outputs[0]].shape4().c;
    for (int t : op.inputs)
      if (t >= 0 && !g.tensors[t].is_constant && g.tensors[t].shape4().c != c) return false;
    return true;
  };
  return d;
}

template <OpType kType>
OpDescriptor unary_descriptor(int epilogue_step, int shader_op) {
  OpDescriptor d = elementwise_descriptor(kType, ElementwiseKind::kUnary, epilogue_step, shader_op);
  d.infer_shape = infer_unary;
  d.reference = reference_unary<kType>;
  return d;
}

}  // namespace

void register_elementwise_ops(std::vector<OpDescriptor>& table) {
  // One row per op of the lists in elementwise.h: its epilogue step and its GPU shader's OP code.
#define HETSCHED_BINARY_ROW(op, step, code) table.push_back(binary_descriptor<OpType::op>(step, code));
#define HETSCHED_UNARY_ROW(op, step, code) table.push_back(unary_descriptor<OpType::op>(step, code));
  HETSCHED_BINARY_OPS(HETSCHED_BINARY_ROW)
  HETSCHED_UNARY_OPS(HETSCHED_UNARY_ROW)
#undef HETSCHED_BINARY_ROW
#undef HETSCHED_UNARY_ROW
}

}  // namespace hetsched
