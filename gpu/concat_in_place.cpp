// Concatenation by slice writes: which concats qualify (see concat_in_place.h).
#include "gpu/concat_in_place.h"

#include <algorithm>

namespace hetsched::gpu {

int InPlaceConcats::count() const { return int(std::count(elided_op.begin(), elided_op.end(), true)); }

InPlaceConcats plan_in_place_concats(const Graph& g, uint64_t alignment) {
  InPlaceConcats r;
  r.elided_op.assign(g.ops.size(), false);
  r.view_of.assign(g.tensors.size(), -1);
  r.view_offset.assign(g.tensors.size(), 0);
  alignment = std::max<uint64_t>(alignment, 1);
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const Op& op = g.ops[k];
    if (op.type != OpType::kConcatenation || op.outputs.size() != 1 || op.inputs.size() < 2) continue;
    const auto& a = op.attrs<ConcatenationAttributes>();
    const Shape4 out = g.tensors[size_t(op.outputs[0])].shape4();
    if (a.axis != 3 || a.activation != Activation::kNone || out.n != 1) continue;
    bool ok = true;
    uint64_t slice = 0;
    std::vector<uint64_t> offsets;
    for (size_t i = 0; i < op.inputs.size() && ok; ++i) {
      const int t = op.inputs[i];
      ok = t >= 0 && !g.tensors[size_t(t)].is_constant && r.view_of[size_t(t)] < 0 &&
           std::count(op.inputs.begin(), op.inputs.end(), t) == 1 &&
           std::find(g.outputs.begin(), g.outputs.end(), t) == g.outputs.end();
      if (!ok) break;
      const int p = g.producer_of(t);
      ok = p >= 0 && size_t(p) < k && !r.elided_op[size_t(p)] && g.ops[size_t(p)].outputs.size() == 1;
      const Shape4 s = g.tensors[size_t(t)].shape4();
      ok = ok && s.n == 1 && s.h == out.h && s.w == out.w && (i + 1 == op.inputs.size() || s.c % 4 == 0);
      const uint64_t offset = slice * uint64_t(out.h) * uint64_t(out.w) * 16;
      ok = ok && offset % alignment == 0;
      offsets.push_back(offset);
      slice += uint64_t(s.slices());
    }
    if (!ok || slice != uint64_t(out.slices())) continue;
    r.elided_op[k] = true;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      r.view_of[size_t(op.inputs[i])] = op.outputs[0];
      r.view_offset[size_t(op.inputs[i])] = offsets[i];
    }
  }
  return r;
}

}  // namespace hetsched::gpu
