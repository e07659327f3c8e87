// Shape inference and float64 reference of DEPTH_TO_SPACE (see depth_to_space.h).
#include "graph/ops/depth_to_space.h"

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_d2s(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  const int b = general_ops::attributes_of<DepthToSpaceAttributes>(g, op).block_size;
  const Tensor& in = general_ops::float_input(g, op, 0);
  if (in.shape.size() != 4)
    fail(ErrorKind::kUnsupported, "model '{}': {} input '{}' has shape {}, expected rank 4", g.model_name,
         g.describe(op), in.name, in.shape_string());
  const Shape4 s = in.shape4();
  if (b < 1 || s.c % (b * b) != 0)
    fail(ErrorKind::kInvalidModel, "model '{}': {} block size {} does not divide the {} channels of '{}'",
         g.model_name, g.describe(op), b, s.c, in.name);
  general_ops::set_output(g, op, {s.n, s.h * b, s.w * b, s.c / (b * b)});
}

void reference_d2s(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const int bs = op.attrs<DepthToSpaceAttributes>().block_size;
  const Shape4 is = in[0].shape, os = out.shape;
  out.data.assign(os.elements(), 0.0);
  general_ops::for_each_nhwc(os, [&](int n, int y, int x, int c) {
    out.data[general_ops::nhwc_index(os, n, y, x, c)] =
        in[0].data[general_ops::nhwc_index(is, n, y / bs, x / bs, ((y % bs) * bs + x % bs) * os.c + c)];
  });
}

}  // namespace

void register_depth_to_space_ops(std::vector<OpDescriptor>& table) {
  table.push_back({.type = OpType::kDepthToSpace, .infer_shape = infer_d2s, .reference = reference_d2s,
                   .split_slices = true, .split_rows = true});
}

}  // namespace hetsched
