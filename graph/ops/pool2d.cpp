// Shape inference and float64 references of AVERAGE_POOL_2D and MAX_POOL_2D (see pool2d.h).
#include "graph/ops/pool2d.h"

#include <algorithm>
#include <limits>

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_pool(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  if (!std::holds_alternative<Pool2DAttributes>(op.attributes))
    fail(ErrorKind::kInternal, "model '{}': {} has attributes of the wrong type", g.model_name, g.describe(op));
  Pool2DAttributes& a = op.attrs<Pool2DAttributes>();
  const Tensor& in = general_ops::float_input(g, op, 0);
  if (in.shape.size() != 4)
    fail(ErrorKind::kUnsupported, "model '{}': {} input '{}' has shape {}, expected rank 4", g.model_name,
         g.describe(op), in.name, in.shape_string());
  if (a.filter_h < 1 || a.filter_w < 1 || a.stride_h < 1 || a.stride_w < 1)
    fail(ErrorKind::kInvalidModel, "model '{}': {} has filter {}x{} stride {}x{} (must be >= 1)", g.model_name,
         g.describe(op), a.filter_h, a.filter_w, a.stride_h, a.stride_w);
  const Shape4 s = in.shape4();
  // SAME: TFLite's sizes and pads. VALID: the explicit pads are kept, as for convolutions (zero from
  // the importer; no pass may grow them for pools: averages exclude padding, maxima ignore it).
  int oh, ow;
  if (a.padding == Padding::kSame) {
    oh = conv_output_size(s.h, a.filter_h, a.stride_h, 1, Padding::kSame);
    ow = conv_output_size(s.w, a.filter_w, a.stride_w, 1, Padding::kSame);
    same_padding(s.h, oh, a.filter_h, a.stride_h, 1, &a.pads.top, &a.pads.bottom);
    same_padding(s.w, ow, a.filter_w, a.stride_w, 1, &a.pads.left, &a.pads.right);
  } else {
    if (a.pads.top < 0 || a.pads.bottom < 0 || a.pads.left < 0 || a.pads.right < 0)
      fail(ErrorKind::kInvalidModel, "model '{}': {} has negative pads", g.model_name, g.describe(op));
    const int ph = s.h + a.pads.top + a.pads.bottom, pw = s.w + a.pads.left + a.pads.right;
    oh = ph >= a.filter_h ? (ph - a.filter_h) / a.stride_h + 1 : 0;
    ow = pw >= a.filter_w ? (pw - a.filter_w) / a.stride_w + 1 : 0;
  }
  if (oh < 1 || ow < 1)
    fail(ErrorKind::kInvalidModel, "model '{}': {} filter {}x{} does not fit the input '{}' {}", g.model_name,
         g.describe(op), a.filter_h, a.filter_w, in.name, in.shape_string());
  general_ops::set_output(g, op, {s.n, oh, ow, s.c});
}

template <bool kMax>
void reference_pool(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const Pool2DAttributes& a = op.attrs<Pool2DAttributes>();
  const Shape4 is = in[0].shape, os = out.shape;
  out.data.assign(os.elements(), 0.0);
  for (int n = 0; n < os.n; ++n)
    for (int y = 0; y < os.h; ++y)
      for (int x = 0; x < os.w; ++x) {
        const int y0 = std::max(0, y * a.stride_h - a.pads.top);
        const int y1 = std::min(is.h, y * a.stride_h - a.pads.top + a.filter_h);
        const int x0 = std::max(0, x * a.stride_w - a.pads.left);
        const int x1 = std::min(is.w, x * a.stride_w - a.pads.left + a.filter_w);
        for (int c = 0; c < os.c; ++c) {
          double acc = kMax ? -std::numeric_limits<double>::max() : 0.0;
          for (int iy = y0; iy < y1; ++iy)
            for (int ix = x0; ix < x1; ++ix) {
              const double v = in[0].data[general_ops::nhwc_index(is, n, iy, ix, c)];
              acc = kMax ? std::max(acc, v) : acc + v;
            }
          const int count = std::max(0, y1 - y0) * std::max(0, x1 - x0);
          if (count == 0) acc = 0.0;  // a window entirely in the padding (never with SAME/VALID)
          else if (!kMax) acc /= count;
          out.data[general_ops::nhwc_index(os, n, y, x, c)] = apply_activation(a.activation, acc);
        }
      }
}

template <OpType kType, bool kMax>
OpDescriptor pool_descriptor() {
  return {.type = kType, .infer_shape = infer_pool, .reference = reference_pool<kMax>, .split_slices = true,
          .split_rows = true, .channel_local = true};
}

}  // namespace

void register_pool2d_ops(std::vector<OpDescriptor>& table) {
  table.push_back(pool_descriptor<OpType::kAveragePool2D, false>());
  table.push_back(pool_descriptor<OpType::kMaxPool2D, true>());
}

}  // namespace hetsched
