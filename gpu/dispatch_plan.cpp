// The device-free dispatch list (see dispatch_plan.h).
#include "gpu/dispatch_plan.h"

#include <fmt/format.h>

#include "gpu/concat_in_place.h"
#include "gpu/ops/conv2d.h"
#include "gpu/ops/dwpw_conv2d.h"
#include "gpu/ops/mean.h"
#include "gpu/ops/mean_fc.h"
#include "gpu/gpu_kernel.h"
#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "graph/epilogue.h"

namespace hetsched::gpu {
std::vector<PlannedDispatch> plan_dispatches(const Graph& g, bool in_place_concats, const GpuFusionSwitches& fusions) {
  const InPlaceConcats in_place = in_place_concats ? plan_in_place_concats(g, 16) : InPlaceConcats{};
  const GpuFusions fused = plan_gpu_fusions(g, fusions);
  std::vector<PlannedDispatch> out;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    // The shader and its layout facts come from the kernel table (gpu_kernel.h), beside the factory.
    const GpuKernelEntry& c = gpu_kernel_entry(op.type);
    if (!c.shader || !c.create) continue;
    if (in_place_concats && in_place.elided_op[i]) continue;
    if (fused.elided_op[i]) continue;
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
    if (fused.kind[i] == FusionKind::kMeanFc) {
      const std::vector<int> chain = fused_chain(g, fused, int(i));
      d.shader = "mean_fc";
      d.epilogue = fmt::format("[MEAN + {} FC] {}", chain.size() - 1, d.epilogue);
      d.local = {mean_fc_invocations(256), 1, 1};
      d.workgroups = {groups_for(uint32_t(s.slices()), mean_fc_group_slices(s)), 1, 1};
      out.push_back(std::move(d));
      continue;
    }
    if (fused.kind[i] == FusionKind::kDepthwisePointwise) {
      const WorkgroupSize w = dwpw_default_workgroup(s);
      d.shader = "dwpw_conv2d";
      const Op& dw = g.ops[size_t(fused.head_of[i])];
      d.epilogue = fmt::format("[dw {} {}] {}", to_string(dw.activation()), epilogue_string(g, dw), d.epilogue);
      d.local = {w.x, w.y, w.z};
      d.register_blocked = true;
      d.block = {w.block_s, 1};
      d.workgroups = dwpw_groups(s, OutputRange::whole(s), w);
      out.push_back(std::move(d));
      continue;
    }
    if (is_global_average(g, op)) {
      d.shader = "global_mean";
      d.local = {global_mean_invocations(g.tensors[size_t(op.inputs[0])].shape4(), 256), 1, 1};
      d.workgroups = {uint32_t(s.slices()), uint32_t(s.n), 1};
      out.push_back(std::move(d));
      continue;
    }
    if (softmax_runs_wide(g, op)) {
      d.shader = "softmax_wide";
      d.local = {softmax_wide_invocations(s.c, 256), 1, 1};
      d.workgroups = {uint32_t(s.w), uint32_t(s.h), uint32_t(s.n)};
      out.push_back(std::move(d));
      continue;
    }
    if (runs_as_matrix_vector(g, op)) {
      d.shader = "conv2d_splitk";
      d.local = {conv2d_splitk_invocations(slices_of(g.tensors[size_t(op.inputs[0])].shape4().c), 256), 1, 1};
      d.workgroups = {1, 1, uint32_t(s.slices() * s.n)};
      out.push_back(std::move(d));
      continue;
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
