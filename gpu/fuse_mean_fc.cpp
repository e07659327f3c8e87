// Which MEAN -> FC [-> FC] chains the GPU executor fuses (see fuse_mean_fc.h).
#include "gpu/fuse_mean_fc.h"

#include <algorithm>

#include "gpu/ops/mean.h"

namespace hetsched::gpu {
namespace {

// Whether `op` is a fully connected product of its data input `in` (C values per batch, batch 1):
// FULLY_CONNECTED with weights [O, C], or CONV_2D with weights [O, 1, 1, C] on a 1x1 map.
bool fc_like(const Graph& g, const Op& op, int in) {
  if (op.inputs.size() < 2 || op.inputs[0] != in) return false;
  const Tensor& w = g.tensors[size_t(op.inputs[1])];
  const Shape4 x = g.tensors[size_t(in)].shape4();
  const Shape4 out = g.tensors[size_t(op.outputs[0])].shape4();
  if (!w.is_constant || x.n != 1 || out.n != 1 || out.h != 1 || out.w != 1) return false;
  if (op.type == OpType::kFullyConnected)
    return w.shape.size() == 2 && int64_t(w.shape[1]) == int64_t(x.h) * x.w * x.c && x.h == 1 && x.w == 1 &&
           out.c == w.shape[0];
  if (op.type == OpType::kConv2D)
    return w.shape.size() == 4 && w.shape[1] == 1 && w.shape[2] == 1 && w.shape[3] == x.c && x.h == 1 && x.w == 1 &&
           out.c == w.shape[0];
  return false;
}

// MEAN over H and W, or an AVERAGE_POOL_2D whose one window is the whole map (selfie_segmentation's
// squeeze-excite blocks): the same average (gpu/ops/mean.h), without a fused activation.
bool global_average(const Graph& g, const Op& op) {
  return is_global_average(g, op) &&
         (op.type != OpType::kAveragePool2D || op.attrs<Pool2DAttributes>().activation == Activation::kNone);
}

// The only op reading tensor t, or -1.
int only_reader(const Graph& g, int t) {
  if (!read_once(g, t)) return -1;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (std::find(g.ops[i].inputs.begin(), g.ops[i].inputs.end(), t) != g.ops[i].inputs.end()) return int(i);
  return -1;
}

}  // namespace

void plan_mean_fc_fusions(const Graph& g, GpuFusions& f) {
  for (size_t m = 0; m < g.ops.size(); ++m) {
    const Op& mean = g.ops[m];
    if (!global_average(g, mean)) continue;
    const Tensor& in = g.tensors[size_t(mean.inputs[0])];
    if (in.is_constant || in.shape4().n != 1 || in.shape4().c > kMeanFcMaxChannels || !mean.epilogue.empty()) continue;
    const int fc1 = only_reader(g, mean.outputs[0]);
    if (fc1 < 0 || !fc_like(g, g.ops[size_t(fc1)], mean.outputs[0])) continue;
    std::vector<int> chain = {int(m), fc1};
    const Op& op1 = g.ops[size_t(fc1)];
    if (const int fc2 = only_reader(g, op1.outputs[0]);
        fc2 >= 0 && fc_like(g, g.ops[size_t(fc2)], op1.outputs[0]) && epilogue_without_operands(op1, 2) &&
        g.tensors[size_t(op1.outputs[0])].shape4().c <= kMeanFcMaxHidden &&
        int64_t(in.shape4().c) * g.tensors[size_t(op1.outputs[0])].shape4().c <= kMeanFcMaxRedundantMacs)
      chain.push_back(fc2);
    bool taken = false;
    for (int i : chain) taken = taken || f.elided_op[size_t(i)] || f.kind[size_t(i)] != FusionKind::kNone;
    if (!taken) f.add(FusionKind::kMeanFc, chain);
  }
}

}  // namespace hetsched::gpu
