// Shape inference and float64 reference of RESHAPE (see reshape.h).
#include "graph/ops/reshape.h"

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_reshape(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 2);  // a second (shape) input, if the importer kept it, is ignored
  const Tensor& in = general_ops::float_input(g, op, 0);
  Tensor& out = g.tensors[size_t(op.outputs[0])];
  bool ok = out.shape.size() <= 4;
  for (int d : out.shape) ok = ok && d >= 1;
  if (!ok || out.elements() != in.elements())
    fail(ErrorKind::kInvalidModel, "model '{}': {} cannot reshape '{}' {} ({} elements) to '{}' {}", g.model_name,
         g.describe(op), in.name, in.shape_string(), in.elements(), out.name, out.shape_string());
  out.dtype = DataType::kFloat32;
}

void reference_reshape(const Graph&, const Op&, std::span<const RefTensor> in, RefTensor& out) {
  out.data = in[0].data;
}

}  // namespace

void register_reshape_ops(std::vector<OpDescriptor>& table) {
  table.push_back({.type = OpType::kReshape, .infer_shape = infer_reshape, .reference = reference_reshape,
                   .split_rows = true});
}

}  // namespace hetsched
