// Which depthwise + pointwise pairs the GPU executor fuses (see fuse_dwpw.h).
#include "gpu/fuse_dwpw.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hetsched::gpu {

int DwPwFusions::count() const { return int(std::count(elided_op.begin(), elided_op.end(), true)); }

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
  if (d.epilogue.size() > 2) return false;
  for (const EpilogueStep& s : d.epilogue)
    if (s.operand_input >= 0) return false;
  // pw: 1x1 weights, stride 1, no padding.
  const auto& pa = p.attrs<Conv2DAttributes>();
  const Tensor& w = g.tensors[size_t(p.inputs[1])];
  if (w.shape.size() != 4 || w.shape[1] != 1 || w.shape[2] != 1 || !w.is_constant) return false;
  if (pa.stride_h != 1 || pa.stride_w != 1 || !(pa.pads == Padding2D{})) return false;
  // The depthwise output is read once, by pw's data input, and is not a model output.
  int reads = 0;
  for (const Op& op : g.ops)
    for (int t : op.inputs) reads += t == mid;
  if (reads != 1 || std::find(g.outputs.begin(), g.outputs.end(), mid) != g.outputs.end()) return false;
  return true;
}

DwPwFusions plan_dwpw_fusions(const Graph& g) {
  DwPwFusions f;
  f.depthwise_of.assign(g.ops.size(), -1);
  f.elided_op.assign(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    if (op.type != OpType::kConv2D || op.inputs.empty() || op.inputs[0] < 0) continue;
    const int dw = g.producer_of(op.inputs[0]);
    if (!dwpw_fusable(g, dw, int(i))) continue;
    f.depthwise_of[i] = dw;
    f.elided_op[size_t(dw)] = true;
  }
  return f;
}

void extend_dwpw_live_ranges(const Graph& g, const DwPwFusions& f, const std::vector<int>& tensors,
                             std::vector<memory::TensorUsageRecord>& records) {
  for (size_t pw = 0; pw < f.depthwise_of.size(); ++pw) {
    if (f.depthwise_of[pw] < 0) continue;
    const int in = g.ops[size_t(f.depthwise_of[pw])].inputs[0];
    for (size_t r = 0; r < tensors.size(); ++r)
      if (tensors[r] == in) records[r].last_task = std::max(records[r].last_task, int(pw));
  }
}

bool dwpw_fusion_disabled_by_env() {
  const char* v = std::getenv("HETSCHED_NO_FUSE_DWPW");
  return v && *v && std::strcmp(v, "0") != 0;
}

}  // namespace hetsched::gpu
