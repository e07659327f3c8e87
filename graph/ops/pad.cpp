// Shape inference and float64 reference of PAD (see pad.h).
#include "graph/ops/pad.h"

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_pad(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  const PadAttributes& a = general_ops::attributes_of<PadAttributes>(g, op);
  const Tensor& in = general_ops::float_input(g, op, 0);
  const int rank = int(in.shape.size());
  for (int ax = 0; ax < 4; ++ax) {
    const auto& p = a.pads[size_t(ax)];
    if (p[0] < 0 || p[1] < 0 || ((p[0] || p[1]) && !general_ops::axis4_exists(ax, rank)))
      fail(ErrorKind::kInvalidModel, "model '{}': {} pads {{{},{}}} on 4D axis {} of '{}' {} are invalid",
           g.model_name, g.describe(op), p[0], p[1], ax, in.name, in.shape_string());
  }
  const Shape4 s = in.shape4();
  const Shape4 o{s.n + a.pads[0][0] + a.pads[0][1], s.h + a.pads[1][0] + a.pads[1][1],
                 s.w + a.pads[2][0] + a.pads[2][1], s.c + a.pads[3][0] + a.pads[3][1]};
  std::vector<int> shape;
  general_ops::from_shape4(o, rank, &shape);
  general_ops::set_output(g, op, std::move(shape));
}

void reference_pad(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const PadAttributes& a = op.attrs<PadAttributes>();
  const Shape4 is = in[0].shape, os = out.shape;
  out.data.assign(os.elements(), 0.0);
  general_ops::for_each_nhwc(is, [&](int n, int y, int x, int c) {
    out.data[general_ops::nhwc_index(os, n + a.pads[0][0], y + a.pads[1][0], x + a.pads[2][0], c + a.pads[3][0])] =
        in[0].data[general_ops::nhwc_index(is, n, y, x, c)];
  });
}

}  // namespace

void register_pad_ops(std::vector<OpDescriptor>& table) {
  // Spatial-only pads keep channels in their slices.
  table.push_back({.type = OpType::kPad, .infer_shape = infer_pad, .reference = reference_pad, .split_slices = true,
                   .split_rows = true, .channel_local_for = [](const Graph&, const Op& op) {
                     const auto& p = op.attrs<PadAttributes>().pads;
                     return p[3][0] == 0 && p[3][1] == 0;
                   }});
}

}  // namespace hetsched
