// PAD folding into conv explicit pads; SAME pads are resolved here from the shapes (as TFLite does).
#include "graph/passes/fold_pads.h"

#include <fmt/format.h>

#include "graph/passes/erase_ops.h"

namespace hetsched {
namespace {

struct Window {
  int kh, kw, sh, sw, dh, dw;
};

// Resolves the conv's current pads (SAME from the padded input's size; VALID as stored) and
// adds the PAD amounts; the conv becomes VALID with explicit pads.
template <typename A>
void grow_pads(A& a, const Window& w, const Shape4& padded, const PadAttributes& pad) {
  Padding2D base = a.pads;
  if (a.padding == Padding::kSame) {
    const int oh = conv_output_size(padded.h, w.kh, w.sh, w.dh, Padding::kSame);
    const int ow = conv_output_size(padded.w, w.kw, w.sw, w.dw, Padding::kSame);
    same_padding(padded.h, oh, w.kh, w.sh, w.dh, &base.top, &base.bottom);
    same_padding(padded.w, ow, w.kw, w.sw, w.dw, &base.left, &base.right);
  }
  a.padding = Padding::kValid;
  a.pads = {base.top + pad.pads[1][0], base.bottom + pad.pads[1][1], base.left + pad.pads[2][0],
            base.right + pad.pads[2][1]};
}

bool spatial_only(const PadAttributes& p) {
  for (const auto& axis : p.pads)
    if (axis[0] < 0 || axis[1] < 0) return false;
  return p.pads[0] == std::array<int, 2>{0, 0} && p.pads[3] == std::array<int, 2>{0, 0};
}

}  // namespace

PassResult fold_pads(Graph& g) {
  std::vector<bool> remove(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& pad = g.ops[i];
    if (pad.type != OpType::kPad || pad.inputs.size() != 1 || pad.outputs.size() != 1 || pad.inputs[0] < 0) continue;
    const PadAttributes& pa = pad.attrs<PadAttributes>();
    if (!spatial_only(pa)) continue;
    const int t = pad.outputs[0];
    if (g.consumer_count(t) != 1) continue;  // also excludes model outputs
    Op* conv = nullptr;
    for (Op& op : g.ops)
      if (!op.inputs.empty() && op.inputs[0] == t) conv = &op;
    if (!conv || (conv->type != OpType::kConv2D && conv->type != OpType::kDepthwiseConv2D)) continue;
    if (conv->inputs.size() < 2 || conv->inputs[1] < 0) continue;
    const Tensor& padded = g.tensors[size_t(t)];
    const Tensor& weights = g.tensors[size_t(conv->inputs[1])];
    if (padded.shape.size() != 4 || weights.shape.size() != 4) continue;
    const Shape4 ps = padded.shape4();
    if (weights.shape[1] < 1 || weights.shape[2] < 1) continue;
    // CONV_2D's or DEPTHWISE_CONV_2D's attributes; false when its window is invalid (left to shape inference).
    auto fold_into = [&](auto& a) {
      if (a.stride_h < 1 || a.stride_w < 1 || a.dilation_h < 1 || a.dilation_w < 1) return false;
      grow_pads(a, {weights.shape[1], weights.shape[2], a.stride_h, a.stride_w, a.dilation_h, a.dilation_w}, ps, pa);
      return true;
    };
    if (!(conv->type == OpType::kConv2D ? fold_into(conv->attrs<Conv2DAttributes>())
                                        : fold_into(conv->attrs<DepthwiseConv2DAttributes>())))
      continue;
    conv->inputs[0] = pad.inputs[0];
    remove[i] = true;
  }
  if (const size_t folded = erase_marked_ops(g, remove))
    return {true, fmt::format("folded {} PADs into convs", folded)};
  return {false, "no foldable PAD"};
}

}  // namespace hetsched
