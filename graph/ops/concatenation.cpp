// Shape inference and float64 reference of CONCATENATION (see concatenation.h).
#include "graph/ops/concatenation.h"

#include <array>

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

std::array<int, 4> dims(const Shape4& s) { return {s.n, s.h, s.w, s.c}; }
Shape4 shape_of(const std::array<int, 4>& d) { return {d[0], d[1], d[2], d[3]}; }

void infer_concat(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, size_t(1) << 20);
  const ConcatenationAttributes& a = general_ops::attributes_of<ConcatenationAttributes>(g, op);
  const Tensor& first = general_ops::float_input(g, op, 0);
  const int rank = int(first.shape.size());
  if (a.axis < 0 || a.axis > 3 || !general_ops::axis4_exists(a.axis, rank))
    fail(ErrorKind::kInvalidModel, "model '{}': {} 4D axis {} is invalid for inputs of rank {}", g.model_name,
         g.describe(op), a.axis, rank);
  std::array<int, 4> out = dims(first.shape4());
  for (size_t i = 1; i < op.inputs.size(); ++i) {
    const Tensor& t = general_ops::float_input(g, op, i);
    const std::array<int, 4> d = dims(t.shape4());
    bool ok = int(t.shape.size()) == rank;
    for (int k = 0; k < 4; ++k) ok = ok && (k == a.axis || d[k] == out[k]);
    if (!ok)
      fail(ErrorKind::kInvalidModel, "model '{}': {} input {} '{}' {} does not match input 0 '{}' {} off axis {}",
           g.model_name, g.describe(op), i, t.name, t.shape_string(), first.name, first.shape_string(), a.axis);
    out[a.axis] += d[a.axis];
  }
  std::vector<int> shape;
  general_ops::from_shape4(shape_of(out), rank, &shape);
  general_ops::set_output(g, op, std::move(shape));
}

void reference_concat(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const ConcatenationAttributes& a = op.attrs<ConcatenationAttributes>();
  const Shape4 os = out.shape;
  out.data.assign(os.elements(), 0.0);
  int offset = 0;
  for (const RefTensor& t : in) {
    const Shape4 is = t.shape;
    general_ops::for_each_nhwc(is, [&](int n, int y, int x, int c) {
      std::array<int, 4> o = {n, y, x, c};
      o[a.axis] += offset;
      out.data[general_ops::nhwc_index(os, o[0], o[1], o[2], o[3])] =
          apply_activation(a.activation, t.data[general_ops::nhwc_index(is, n, y, x, c)]);
    });
    offset += dims(is)[a.axis];
  }
}

}  // namespace

void register_concatenation_ops(std::vector<OpDescriptor>& table) {
  // A channel concat moves channels across slices: channel-local only off the channel axis.
  table.push_back({.type = OpType::kConcatenation, .infer_shape = infer_concat, .reference = reference_concat,
                   .split_slices = true, .split_rows = true, .channel_local_for = [](const Graph&, const Op& op) {
                     return op.attrs<ConcatenationAttributes>().axis != 3;
                   }});
}

}  // namespace hetsched
