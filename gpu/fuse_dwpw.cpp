// Which depthwise + pointwise pairs the GPU executor fuses (see fuse_dwpw.h).
#include "gpu/fuse_dwpw.h"

namespace hetsched::gpu {

bool dwpw_fusable(const Graph& g, int dw, int pw) {
  if (dw < 0 || pw <= dw) return false;
  const Op& d = g.ops[size_t(dw)];
  const Op& p = g.ops[size_t(pw)];
  if (d.type != OpType::kDepthwiseConv2D || p.type != OpType::kConv2D) return false;
  const int mid = d.outputs[0];
  if (p.inputs.empty() || p.inputs[0] != mid) return false;
  // dw: multiplier 1, an activation input, at most 2 epilogue steps without operand tensors.
  const auto& da = d.attrs<DepthwiseConv2DAttributes>();
  const int in = d.inputs[0];
  if (da.depth_multiplier != 1 || in < 0 || g.tensors[size_t(in)].is_constant) return false;
  if (g.tensors[size_t(in)].shape4().c != g.tensors[size_t(mid)].shape4().c) return false;
  if (!epilogue_without_operands(d, 2)) return false;
  // pw: 1x1 weights, stride 1, no padding.
  const auto& pa = p.attrs<Conv2DAttributes>();
  const Tensor& w = g.tensors[size_t(p.inputs[1])];
  if (w.shape.size() != 4 || w.shape[1] != 1 || w.shape[2] != 1 || !w.is_constant) return false;
  if (pa.stride_h != 1 || pa.stride_w != 1 || !(pa.pads == Padding2D{})) return false;
  // The depthwise output is read once, by pw's data input, and is not a model output.
  return read_once(g, mid);
}

void plan_dwpw_fusions(const Graph& g, GpuFusions& f) {
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    if (op.type != OpType::kConv2D || op.inputs.empty() || op.inputs[0] < 0) continue;
    if (f.kind[i] != FusionKind::kNone || f.elided_op[i]) continue;
    const int dw = g.producer_of(op.inputs[0]);
    if (!dwpw_fusable(g, dw, int(i)) || f.elided_op[size_t(dw)] || f.kind[size_t(dw)] != FusionKind::kNone) continue;
    f.add(FusionKind::kDepthwisePointwise, {dw, int(i)});
  }
}

}  // namespace hetsched::gpu
