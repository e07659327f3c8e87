// Greedy-in-order memory strategy: shared objects handed out in the order tensors appear.
#include <algorithm>
#include <functional>
#include <iterator>
#include <queue>
#include <set>
#include <utility>

#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Steps (TFLite's GreedyInOrderAssignment):
//  1. Visit tensors in order of first_task.
//  2. Before visiting a tensor, return to the free pool every object whose current tensor died
//     before this tensor's first task (objects in use sit in a min-heap keyed by last_task).
//  3. From the pool take the object that wastes least: the smallest object that holds the tensor
//     or the largest one smaller than it, whichever differs less in size from the tensor (the
//     chosen object grows to the tensor's size if needed).
//  4. With an empty pool, create a new object of the tensor's size.
//  5. Lay the objects out one after the other.
// O(n log n). Good on chains of similar sizes; it cannot look ahead, so a small tensor may take a
// large object that a later large tensor would have needed.
MemoryPlan plan_greedy_in_order(std::span<const TensorUsageRecord> records) {
  ObjectAssignment a;
  a.object_of.assign(records.size(), 0);
  std::set<std::pair<size_t, size_t>> pool;  // (object size, object id) of free objects
  using InUse = std::pair<int, size_t>;       // (last_task of its tensor, object id)
  std::priority_queue<InUse, std::vector<InUse>, std::greater<>> in_use;

  for (size_t i : order_by_first_task(records)) {
    const TensorUsageRecord& rec = records[i];
    while (!in_use.empty() && in_use.top().first < rec.first_task) {
      const size_t obj = in_use.top().second;
      pool.insert({a.object_sizes[obj], obj});
      in_use.pop();
    }
    auto best = pool.end();
    if (!pool.empty()) {
      auto bigger = pool.lower_bound({rec.size, 0});  // smallest object >= size
      size_t best_diff = 0;
      if (bigger != pool.end()) {
        best = bigger;
        best_diff = bigger->first - rec.size;
      }
      if (bigger != pool.begin()) {
        auto smaller = std::prev(bigger);  // largest object < size
        if (best == pool.end() || rec.size - smaller->first < best_diff) best = smaller;
      }
    }
    size_t obj;
    if (best == pool.end()) {
      obj = a.object_sizes.size();
      a.object_sizes.push_back(rec.size);
    } else {
      obj = best->second;
      pool.erase(best);
      a.object_sizes[obj] = std::max(a.object_sizes[obj], rec.size);
    }
    a.object_of[i] = obj;
    in_use.push({rec.last_task, obj});
  }
  return layout_objects(a, Strategy::kGreedyInOrder);
}

}  // namespace hetsched::memory::detail
