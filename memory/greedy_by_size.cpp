// Greedy-by-size memory strategy: byte offsets, biggest tensors placed first into the best gap.
#include <algorithm>
#include <limits>
#include <numeric>

#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Steps (TFLite's GreedyBySizeAssignment, offset calculation):
//  1. Sort tensors by decreasing size (ties: record order).
// Then place_in_best_gaps, shared with greedy by breadth (offsets):
//  2. Keep the already placed tensors in a list ordered by offset.
//  3. For the next tensor, walk that list, looking only at tensors whose live range overlaps its
//     own. Track `prev_end`, the highest end of those seen so far; the space between prev_end and
//     the offset of the next overlapping tensor is a gap free for the whole live range.
//  4. Put the tensor into the smallest gap that holds it; if none does, right after the highest
//     end of all overlapping tensors.
//  5. The arena ends at the highest end of any tensor.
// O(n^2). Big tensors fix the layout and small ones fill the holes, which is why it usually
// beats the object strategies: a tensor is not tied to the size of an object.
std::vector<size_t> greedy_by_size_order(std::span<const TensorUsageRecord> records) {
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return records[a].size > records[b].size; });
  return order;
}

MemoryPlan plan_greedy_by_size(std::span<const TensorUsageRecord> records) {
  return place_in_best_gaps(records, greedy_by_size_order(records), Strategy::kGreedyBySize);
}

MemoryPlan place_in_best_gaps(std::span<const TensorUsageRecord> records, std::span<const size_t> order,
                              Strategy s) {
  const size_t n = records.size();
  MemoryPlan plan;
  plan.strategy = s;
  plan.offsets.assign(n, 0);
  std::vector<size_t> placed;  // tensor ids ordered by offset
  placed.reserve(n);
  constexpr size_t kNone = std::numeric_limits<size_t>::max();

  for (size_t i : order) {
    const TensorUsageRecord& rec = records[i];
    size_t best_offset = kNone;
    size_t best_gap = kNone;
    size_t prev_end = 0;
    for (size_t j : placed) {
      if (!lifetimes_overlap(rec, records[j])) continue;
      const size_t offset = plan.offsets[j];
      if (offset >= prev_end) {
        const size_t gap = offset - prev_end;
        if (gap >= rec.size && gap < best_gap) {
          best_gap = gap;
          best_offset = prev_end;
        }
      }
      prev_end = std::max(prev_end, offset + records[j].size);
    }
    if (best_offset == kNone) best_offset = prev_end;
    plan.offsets[i] = best_offset;
    auto pos = std::upper_bound(placed.begin(), placed.end(), best_offset,
                                [&](size_t off, size_t j) { return off < plan.offsets[j]; });
    placed.insert(pos, i);
    plan.total_bytes = std::max(plan.total_bytes, best_offset + rec.size);
  }
  return plan;
}

}  // namespace hetsched::memory::detail
