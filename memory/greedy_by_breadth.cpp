// Greedy-by-breadth memory strategy: shared objects, filled starting from the widest task.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <numeric>
#include <set>
#include <utility>

#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Only tasks where a tensor starts: this keeps the work independent of how large the indices are.
std::vector<TaskProfile> start_task_profiles(std::span<const TensorUsageRecord> records) {
  const std::vector<size_t> order = order_by_first_task(records);
  std::vector<TaskProfile> profiles;
  std::vector<size_t> active;
  for (size_t k = 0; k < order.size();) {
    const int task = records[order[k]].first_task;
    for (; k < order.size() && records[order[k]].first_task == task; ++k) active.push_back(order[k]);
    std::erase_if(active, [&](size_t i) { return records[i].last_task < task; });
    TaskProfile p;
    p.tensors = active;
    std::stable_sort(p.tensors.begin(), p.tensors.end(),
                     [&](size_t a, size_t b) { return records[a].size > records[b].size; });
    for (size_t i : p.tensors) p.breadth += records[i].size;
    profiles.push_back(std::move(p));
  }
  return profiles;
}

namespace {

// True when [first, last] overlaps a live range already in `schedule` (disjoint ranges keyed by
// first task).
bool conflicts(const std::set<std::pair<int, int>>& schedule, const TensorUsageRecord& rec) {
  auto it = schedule.lower_bound({rec.first_task, INT_MIN});
  if (it != schedule.end() && it->first <= rec.last_task) return true;
  return it != schedule.begin() && std::prev(it)->second >= rec.first_task;
}

}  // namespace

// Steps (TFLite's GreedyByBreadthAssignment):
//  1. For every task, its profile: the tensors live at it. Its breadth is their size sum.
//  2. Visit tasks by decreasing breadth (the widest task is where memory is tightest).
//  3. Within a task, visit its not yet assigned tensors by decreasing size.
//  4. Give each the best-fitting shared object whose tensors' live ranges all miss its own: the
//     smallest object that holds it, else the largest one (which grows to the tensor's size).
//     Each object keeps its tensors' live ranges in a set ordered by first task, so the
//     compatibility test is two neighbour look-ups.
//  5. No compatible object: create one of the tensor's size. Finally lay objects out in a row.
// Starting from the widest task sizes the objects after the peak, where it matters.
MemoryPlan plan_greedy_by_breadth(std::span<const TensorUsageRecord> records) {
  std::vector<TaskProfile> profiles = start_task_profiles(records);
  std::vector<size_t> task_order(profiles.size());
  std::iota(task_order.begin(), task_order.end(), size_t{0});
  std::stable_sort(task_order.begin(), task_order.end(),
                   [&](size_t a, size_t b) { return profiles[a].breadth > profiles[b].breadth; });

  constexpr size_t kUnassigned = SIZE_MAX;
  ObjectAssignment a;
  a.object_of.assign(records.size(), kUnassigned);
  std::vector<std::set<std::pair<int, int>>> schedules;  // per object: live ranges of its tensors

  for (size_t t : task_order) {
    for (size_t i : profiles[t].tensors) {
      if (a.object_of[i] != kUnassigned) continue;
      const TensorUsageRecord& rec = records[i];
      size_t best = kUnassigned;
      for (size_t obj = 0; obj < a.object_sizes.size(); ++obj) {
        if (best != kUnassigned && !better_fit(a.object_sizes[obj], a.object_sizes[best], rec.size)) continue;
        if (!conflicts(schedules[obj], rec)) best = obj;
      }
      if (best == kUnassigned) {
        best = a.object_sizes.size();
        a.object_sizes.push_back(rec.size);
        schedules.emplace_back();
      }
      a.object_sizes[best] = std::max(a.object_sizes[best], rec.size);
      schedules[best].insert({rec.first_task, rec.last_task});
      a.object_of[i] = best;
    }
  }
  return layout_objects(a, Strategy::kGreedyByBreadth);
}

}  // namespace hetsched::memory::detail
