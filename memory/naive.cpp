// Naive memory strategy: every tensor its own region, laid out in record order (no reuse).
#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Steps: walk the records in order; each tensor starts where the previous one ended. The total is
// the sum of (aligned) sizes: the upper bound every other strategy must beat.
MemoryPlan plan_naive(std::span<const TensorUsageRecord> records) {
  MemoryPlan plan;
  plan.strategy = Strategy::kNaive;
  plan.offsets.resize(records.size());
  size_t offset = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    plan.offsets[i] = offset;
    offset += records[i].size;
  }
  plan.total_bytes = offset;
  return plan;
}

}  // namespace hetsched::memory::detail
