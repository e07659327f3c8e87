// The GPU executor's kernel fusions (see gpu_fusions.h).
#include "gpu/gpu_fusions.h"

#include <algorithm>

#include "base/env_flag.h"
#include "gpu/fuse_dwpw.h"
#include "gpu/fuse_mean_fc.h"

namespace hetsched::gpu {
int GpuFusions::count(FusionKind k) const { return int(std::count(kind.begin(), kind.end(), k)); }
int GpuFusions::elided() const { return int(std::count(elided_op.begin(), elided_op.end(), true)); }

GpuFusions GpuFusions::none(size_t ops) {
  GpuFusions f;
  f.kind.assign(ops, FusionKind::kNone);
  f.head_of.assign(ops, -1);
  f.elided_op.assign(ops, false);
  return f;
}

void GpuFusions::add(FusionKind k, const std::vector<int>& ops) {
  kind[size_t(ops.back())] = k;
  head_of[size_t(ops.back())] = ops.front();
  for (size_t i = 0; i + 1 < ops.size(); ++i) elided_op[size_t(ops[i])] = true;
}

GpuFusionSwitches GpuFusionSwitches::from_env() {
  return {.depthwise_pointwise = env_flag("HETSCHED_FUSE_DWPW") && !env_flag("HETSCHED_NO_FUSE_DWPW"),
          .mean_fc = !env_flag("HETSCHED_NO_FUSE_MEANFC")};
}

GpuFusions plan_gpu_fusions(const Graph& g, const GpuFusionSwitches& switches) {
  GpuFusions f = GpuFusions::none(g.ops.size());
  if (switches.mean_fc) plan_mean_fc_fusions(g, f);
  if (switches.depthwise_pointwise) plan_dwpw_fusions(g, f);
  return f;
}

std::vector<int> fused_chain(const Graph& g, const GpuFusions& f, int last) {
  std::vector<int> chain = {last};
  while (chain.back() != f.head_of[size_t(last)] && chain.back() >= 0)
    chain.push_back(g.producer_of(g.ops[size_t(chain.back())].inputs[0]));
  std::reverse(chain.begin(), chain.end());
  return chain;
}

void extend_fused_live_ranges(const Graph& g, const GpuFusions& f, const std::vector<int>& tensors,
                              std::vector<memory::TensorUsageRecord>& records) {
  for (size_t last = 0; last < f.head_of.size(); ++last) {
    if (f.head_of[last] < 0) continue;
    const int in = g.ops[size_t(f.head_of[last])].inputs[0];
    for (size_t r = 0; r < tensors.size(); ++r)
      if (tensors[r] == in) records[r].last_task = std::max(records[r].last_task, int(last));
  }
}

bool read_once(const Graph& g, int t) {
  int reads = 0;
  for (const Op& op : g.ops)
    for (int i : op.inputs) reads += i == t;
  return reads == 1 && std::find(g.outputs.begin(), g.outputs.end(), t) == g.outputs.end();
}

bool epilogue_without_operands(const Op& op, size_t steps) {
  if (op.epilogue.size() > steps) return false;
  for (const EpilogueStep& s : op.epilogue)
    if (s.operand_input >= 0) return false;
  return true;
}

}  // namespace hetsched::gpu
