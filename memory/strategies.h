// Internal to memory/: the strategy entry points and the helpers they share.
//
// Every strategy receives records that plan_memory has already validated and whose sizes are
// already rounded up to the alignment, so a strategy never has to think about alignment: sums
// and maxima of aligned sizes stay aligned.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "memory/memory_planner.h"

namespace hetsched::memory::detail {

// Shared-object assignment: tensor i lives in object object_of[i]; an object is as large as its
// largest tensor. Tensors in one object must have pairwise disjoint live ranges.
struct ObjectAssignment {
  std::vector<size_t> object_of;
  std::vector<size_t> object_sizes;
};

// Lays the objects out one after the other (in object order) and gives each tensor its object's
// offset.
MemoryPlan layout_objects(const ObjectAssignment& a, Strategy s);

// Size rounded up to a multiple of `alignment`; throws Error(kInvalidArgument) on overflow.
size_t align_up(size_t size, size_t alignment);

// True when the live ranges [first_task, last_task] of a and b share a task.
inline bool lifetimes_overlap(const TensorUsageRecord& a, const TensorUsageRecord& b) {
  return a.first_task <= b.last_task && b.first_task <= a.last_task;
}

// Tensor indices ordered by first_task (ties by index): the order in which tensors appear.
std::vector<size_t> order_by_first_task(std::span<const TensorUsageRecord> records);

// Best-fit choice between two free objects for a tensor of `size`: an object that holds the
// tensor beats one that must grow; among those that hold it the smaller wins; among those that
// must grow the larger wins (it grows least).
inline bool better_fit(size_t candidate, size_t best, size_t size) {
  const bool cand_fits = candidate >= size;
  const bool best_fits = best >= size;
  if (cand_fits != best_fits) return cand_fits;
  return cand_fits ? candidate < best : candidate > best;
}

// min_cost_flow builds O(n^2) edges: refused above this many tensors (kUnsupported), and
// plan_memory_best leaves it out above kMinCostFlowBestTensors (~0.3 s at that size).
inline constexpr size_t kMinCostFlowMaxTensors = 4096;
inline constexpr size_t kMinCostFlowBestTensors = 600;

// order_search stops after about this many live-range overlap tests (tens of milliseconds).
inline constexpr size_t kOrderSearchWork = size_t{40} * 1000 * 1000;

// Places tensors in `order` (every index once) at byte offsets: each into the smallest gap, among
// the tensors already placed whose live ranges overlap its own, that holds it, else right above
// the highest of them (steps 2-5 of greedy_by_size.cpp). O(n^2).
MemoryPlan place_in_best_gaps(std::span<const TensorUsageRecord> records, std::span<const size_t> order,
                              Strategy s);

// The placement orders of greedy by size (decreasing size) and greedy by breadth (offsets).
std::vector<size_t> greedy_by_size_order(std::span<const TensorUsageRecord> records);
std::vector<size_t> greedy_by_breadth_order(std::span<const TensorUsageRecord> records);

// The tensors live at each task where some tensor starts, biggest first, and their size sum (the
// task's breadth). The live set of any other task is a subset of the live set of the latest
// start before it, so these tasks cover every tensor and every maximal breadth.
struct TaskProfile {
  std::vector<size_t> tensors;
  size_t breadth = 0;
};
std::vector<TaskProfile> start_task_profiles(std::span<const TensorUsageRecord> records);

// The strategies (one file each); records hold aligned sizes.
MemoryPlan plan_naive(std::span<const TensorUsageRecord> records);
MemoryPlan plan_greedy_in_order(std::span<const TensorUsageRecord> records);
MemoryPlan plan_greedy_by_size(std::span<const TensorUsageRecord> records);
MemoryPlan plan_greedy_by_breadth(std::span<const TensorUsageRecord> records);
MemoryPlan plan_greedy_by_breadth_offsets(std::span<const TensorUsageRecord> records);
MemoryPlan plan_order_search(std::span<const TensorUsageRecord> records, size_t lower_bound);

MemoryPlan plan_min_cost_flow(std::span<const TensorUsageRecord> records);

}  // namespace hetsched::memory::detail
