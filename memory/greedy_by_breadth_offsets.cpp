// Greedy-by-breadth memory strategy with byte offsets: tensors visited from the widest task, each
// placed into the best gap (like greedy by size) instead of a shared object.
#include <algorithm>
#include <numeric>

#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Steps (the offset form of greedy by breadth, Pisarchyk & Lee 2020):
//  1. For every task where a tensor starts, the tensors live at it; its breadth is their size sum.
//  2. Visit tasks by decreasing breadth, and within a task its not yet placed tensors by
//     decreasing size.
//  3. Place each into the smallest gap that holds it among the placed tensors whose live ranges
//     overlap its own, else above them (place_in_best_gaps).
// The widest task is packed first, without holes, so the arena's peak starts at the lower bound;
// greedy by size, which orders by size alone, can leave holes there that later tasks cannot use.
std::vector<size_t> greedy_by_breadth_order(std::span<const TensorUsageRecord> records) {
  const std::vector<TaskProfile> profiles = start_task_profiles(records);
  std::vector<size_t> task_order(profiles.size());
  std::iota(task_order.begin(), task_order.end(), size_t{0});
  std::stable_sort(task_order.begin(), task_order.end(),
                   [&](size_t a, size_t b) { return profiles[a].breadth > profiles[b].breadth; });
  std::vector<size_t> order;
  order.reserve(records.size());
  std::vector<bool> queued(records.size(), false);
  for (size_t t : task_order)
    for (size_t i : profiles[t].tensors)
      if (!queued[i]) {
        queued[i] = true;
        order.push_back(i);
      }
  for (size_t i = 0; i < records.size(); ++i)  // (every tensor is live at its own start task)
    if (!queued[i]) order.push_back(i);
  return order;
}

MemoryPlan plan_greedy_by_breadth_offsets(std::span<const TensorUsageRecord> records) {
  return place_in_best_gaps(records, greedy_by_breadth_order(records), Strategy::kGreedyByBreadthOffsets);
}

}  // namespace hetsched::memory::detail
