// Shape inference and float64 reference of RESIZE_BILINEAR (see resize_bilinear.h).
#include "graph/ops/resize_bilinear.h"

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_resize(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 2);  // a second (size) input, if the importer kept it, is ignored
  const ResizeBilinearAttributes& a = general_ops::attributes_of<ResizeBilinearAttributes>(g, op);
  const Tensor& in = general_ops::float_input(g, op, 0);
  if (in.shape.size() != 4)
    fail(ErrorKind::kUnsupported, "model '{}': {} input '{}' has shape {}, expected rank 4", g.model_name,
         g.describe(op), in.name, in.shape_string());
  if (a.out_h < 1 || a.out_w < 1)
    fail(ErrorKind::kInvalidModel, "model '{}': {} output size {}x{} is invalid", g.model_name, g.describe(op),
         a.out_h, a.out_w);
  if (a.align_corners && a.half_pixel_centers)
    fail(ErrorKind::kInvalidModel, "model '{}': {} sets both align_corners and half_pixel_centers", g.model_name,
         g.describe(op));
  const Shape4 s = in.shape4();
  general_ops::set_output(g, op, {s.n, a.out_h, a.out_w, s.c});
}

void reference_resize(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const ResizeBilinearAttributes& a = op.attrs<ResizeBilinearAttributes>();
  const Shape4 is = in[0].shape, os = out.shape;
  const double sy = resize_scale<double>(is.h, os.h, a.align_corners);
  const double sx = resize_scale<double>(is.w, os.w, a.align_corners);
  out.data.assign(os.elements(), 0.0);
  for (int n = 0; n < os.n; ++n)
    for (int y = 0; y < os.h; ++y) {
      int y0, y1;
      double fy;
      resize_source(y, sy, a.half_pixel_centers, is.h, &y0, &y1, &fy);
      for (int x = 0; x < os.w; ++x) {
        int x0, x1;
        double fx;
        resize_source(x, sx, a.half_pixel_centers, is.w, &x0, &x1, &fx);
        for (int c = 0; c < os.c; ++c) {
          auto at = [&](int yy, int xx) { return in[0].data[general_ops::nhwc_index(is, n, yy, xx, c)]; };
          out.data[general_ops::nhwc_index(os, n, y, x, c)] = at(y0, x0) * (1 - fy) * (1 - fx) + at(y1, x0) * fy * (1 - fx) +
                                                          at(y0, x1) * (1 - fy) * fx + at(y1, x1) * fy * fx;
        }
      }
    }
}

}  // namespace

void register_resize_bilinear_ops(std::vector<OpDescriptor>& table) {
  table.push_back({.type = OpType::kResizeBilinear, .infer_shape = infer_resize, .reference = reference_resize,
                   .split_slices = true, .split_rows = true, .channel_local = true});
}

}  // namespace hetsched
