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
  general_ops::for_each_nhwc(o, [&](int n, int y, int x, int c) {
    const double va = in[0].data[general_ops::broadcast_index(a, n, y, x, c)];
    const double vb = in[1].data[general_ops::broadcast_index(b, n, y, x, c)];
    out.data[nhwc_index(o, n, y, x, c)] = apply_activation(op.activation(), binary_apply<kType>(va, vb));
  });
}

template <OpType kType>
void reference_unary(const Graph&, const Op&, std::span<const RefTensor> in, RefTensor& out) {
  out.data.resize(in[0].data.size());
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = unary_apply<kType>(in[0].data[i]);
}

// Output slice s of a binary op reads slice s of each operand (slice 0 of an operand broadcast over
// channels, which is not local when that operand is an activation with C == 1 and the output C > 4).
bool binary_channel_local(const Graph& g, const Op& op) {
  const int c = g.tensors[op.outputs[0]].shape4().c;
  for (int t : op.inputs)
    if (t >= 0 && !g.tensors[t].is_constant && g.tensors[t].shape4().c != c) return false;
  return true;
}

// The float64 reference of elementwise op kType of kind kKind.
template <OpType kType, ElementwiseKind kKind>
constexpr auto elementwise_reference() {
  if constexpr (kKind == ElementwiseKind::kBinary) return &reference_binary<kType>;
  else return &reference_unary<kType>;
}

// What every elementwise op shares: local to each element (so to any slice and row range) and
// able both to apply an epilogue and, with a step code, to be one.
OpDescriptor elementwise_descriptor(OpType type, ElementwiseKind kind, decltype(OpDescriptor::reference) reference,
                                    int epilogue_step, int shader_op) {
  const bool binary = kind == ElementwiseKind::kBinary;
  return {.type = type, .infer_shape = binary ? infer_binary : infer_unary, .reference = reference,
          .split_slices = true, .split_rows = true, .channel_local = true,
          .channel_local_for = binary ? binary_channel_local : nullptr, .row_local = true, .elementwise = kind,
          .epilogue_step = epilogue_step, .takes_epilogue = true, .shader_op = shader_op};
}

}  // namespace

void register_elementwise_ops(std::vector<OpDescriptor>& table) {
  // One row per op of the list in elementwise.h: its kind, epilogue step and GPU shader's OP code.
#define HETSCHED_ELEMENTWISE_ROW(op, kind, step, code)                                                     \
  table.push_back(elementwise_descriptor(OpType::op, ElementwiseKind::kind,                               \
                                         elementwise_reference<OpType::op, ElementwiseKind::kind>(), step, \
                                         code));
  HETSCHED_ELEMENTWISE_OPS(HETSCHED_ELEMENTWISE_ROW)
#undef HETSCHED_ELEMENTWISE_ROW
}

}  // namespace hetsched
