// The device-free dispatch list (see dispatch_plan.h).
#include "gpu/dispatch_plan.h"

#include <fmt/format.h>

#include "gpu/concat_in_place.h"
#include "gpu/gpu_kernel.h"
#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "graph/epilogue.h"

namespace hetsched::gpu {
namespace {

// The shader of each op type's GPU kernel (gpu/ops/*), whether it is a conv-like kernel whose
// workgroups hold one output slice (conv_kernels::local_size_for's slice_per_group), and whether it is
// register-blocked (ConvLikeSetup::register_blocked).
struct ShaderChoice {
  const char* shader = nullptr;
  bool conv_like = false, slice_per_group = false, register_blocked = false;
};

ShaderChoice shader_for(OpType t) {
  switch (t) {
    case OpType::kConv2D: return {"conv2d", true, true, true};
    case OpType::kDepthwiseConv2D: return {"depthwise_conv2d", true, true};
    case OpType::kTransposeConv: return {"transpose_conv", true, true};
    case OpType::kFullyConnected: return {"fully_connected", true, false};
    case OpType::kAdd: case OpType::kSub: case OpType::kMul: case OpType::kDiv: case OpType::kPrelu:
      return {"elementwise_binary"};
    case OpType::kHardSwish: case OpType::kLogistic: case OpType::kTanh: case OpType::kRelu: case OpType::kRelu6:
      return {"unary"};
    case OpType::kAveragePool2D: case OpType::kMaxPool2D: return {"pool2d"};
    case OpType::kConcatenation: return {"concatenation"};
    case OpType::kDepthToSpace: return {"depth_to_space"};
    case OpType::kMean: return {"mean"};
    case OpType::kPad: return {"pad"};
    case OpType::kReshape: return {"reshape"};
    case OpType::kResizeBilinear: return {"resize_bilinear"};
    case OpType::kSoftmax: return {"softmax"};
    default: return {};
  }
}

}  // namespace

std::vector<PlannedDispatch> plan_dispatches(const Graph& g, bool in_place_concats) {
  const InPlaceConcats in_place = in_place_concats ? plan_in_place_concats(g, 16) : InPlaceConcats{};
  std::vector<PlannedDispatch> out;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    const ShaderChoice c = shader_for(op.type);
    if (!c.shader || !find_gpu_kernel(op.type)) continue;
    if (in_place_concats && in_place.elided_op[i]) continue;
    const Shape4 s = g.tensors[size_t(op.outputs[0])].shape4();
    PlannedDispatch d;
    d.op_index = int(i);
    d.shader = c.shader;
    d.epilogue = epilogue_string(g, op);
    if (const int t = op.outputs[0]; in_place_concats && in_place.view_of[size_t(t)] >= 0) {
      const Shape4 base = g.tensors[size_t(in_place.view_of[size_t(t)])].shape4();
      d.writes_into = fmt::format("t{} at slice {}", in_place.view_of[size_t(t)],
                                  in_place.view_offset[size_t(t)] / (uint64_t(base.h) * uint64_t(base.w) * 16));
    }
    if (c.conv_like) {
      d.local = conv_kernels::local_size_for(s, c.slice_per_group);
    } else {
      const LocalSize l = local_size_for(s);
      d.local = {l.x, l.y, l.z};
    }
    d.register_blocked = c.register_blocked;  // untuned: block 1x1
    d.workgroups = {groups_for(groups_for(uint32_t(s.w), d.block[1]), d.local[0]), groups_for(uint32_t(s.h), d.local[1]),
                    groups_for(groups_for(uint32_t(s.slices()), d.block[0]) * uint32_t(s.n), d.local[2])};
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace hetsched::gpu
