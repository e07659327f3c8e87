// The CPU side of op epilogues (graph/epilogue.h): applied by the executor to each tile right
// after the op's kernel computed it (the tile is still in cache), so a fused elementwise chain costs
// no extra pass over memory. Kernels know nothing of epilogues.
#pragma once
#include <span>
#include <vector>

#include "cpu/kernel.h"

namespace hetsched::cpu {

class CpuEpilogue {
 public:
  CpuEpilogue() = default;  // none (its op's kernel applies the epilogue in its store)
  CpuEpilogue(const Graph& graph, const Op& op);
  bool empty() const { return steps_.empty(); }
  // Applies the steps in place to `range` of `output` (every batch, whole rows), reading the
  // operands from `inputs` (one view per op.inputs entry) at the same elements; re-zeroes the
  // padding lanes of the last slice. Touches nothing outside the range; safe on disjoint ranges
  // concurrently.
  void apply(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const;

 private:
  std::vector<EpilogueStep> steps_;
};

}  // namespace hetsched::cpu
