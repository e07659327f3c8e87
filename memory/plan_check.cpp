// Plan checks: the lower bound on any plan's size, and the validity test of a plan.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <queue>
#include <utility>

#include "base/error.h"
#include "memory/memory_planner.h"
#include "memory/strategies.h"

namespace hetsched::memory {

// Sweep over tasks: +size where a tensor starts, -size one task after it ends; the running sum
// after all events of a task is the live size at that task, and its maximum is the bound.
size_t memory_lower_bound(std::span<const TensorUsageRecord> records, size_t alignment) {
  if (alignment == 0) fail(ErrorKind::kInvalidArgument, "memory planner: alignment must be positive");
  struct Event {
    int64_t task;
    bool start;
    size_t size;
  };
  std::vector<Event> events;
  events.reserve(2 * records.size());
  for (const TensorUsageRecord& r : records) {
    const size_t size = detail::align_up(r.size, alignment);
    events.push_back({r.first_task, true, size});
    events.push_back({static_cast<int64_t>(r.last_task) + 1, false, size});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.task < b.task; });
  size_t live = 0;
  size_t peak = 0;
  for (size_t k = 0; k < events.size();) {
    const int64_t task = events[k].task;
    for (; k < events.size() && events[k].task == task; ++k) {
      if (events[k].start) {
        live += events[k].size;
      } else {
        live -= events[k].size;
      }
    }
    peak = std::max(peak, live);
  }
  return peak;
}

namespace {

bool invalid(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return false;
}

}  // namespace

// Bounds and alignment per tensor; then a sweep in order of first_task keeps the live tensors
// in a map ordered by offset (evicting those whose last task has passed). Live tensors are
// pairwise disjoint, so a newcomer can only collide with its neighbours in that map: the one
// at or below its offset and the next one above.
bool plan_is_valid(std::span<const TensorUsageRecord> records, const MemoryPlan& plan, std::string* why) {
  const size_t n = records.size();
  if (plan.offsets.size() != n) {
    return invalid(why, fmt::format("plan has {} offsets for {} tensors", plan.offsets.size(), n));
  }
  if (plan.alignment == 0) return invalid(why, "plan alignment is 0");
  if (plan.total_bytes % plan.alignment != 0) {
    return invalid(why,
                   fmt::format("total {} is not a multiple of the alignment {}", plan.total_bytes, plan.alignment));
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t offset = plan.offsets[i];
    if (records[i].first_task > records[i].last_task) {
      return invalid(why, fmt::format("tensor {} has an empty live range [{}, {}]", i, records[i].first_task,
                                      records[i].last_task));
    }
    if (offset % plan.alignment != 0) {
      return invalid(why, fmt::format("tensor {} offset {} is not a multiple of {}", i, offset, plan.alignment));
    }
    if (offset > plan.total_bytes || records[i].size > plan.total_bytes - offset) {
      return invalid(why, fmt::format("tensor {} [{}, +{}) ends past the total {}", i, offset, records[i].size,
                                      plan.total_bytes));
    }
  }

  const std::vector<size_t> order = detail::order_by_first_task(records);
  std::map<size_t, size_t> live;  // offset -> tensor, non-empty live tensors
  using Ending = std::pair<int, size_t>;  // (last_task, tensor)
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings;
  for (size_t i : order) {
    const TensorUsageRecord& rec = records[i];
    if (rec.size == 0) continue;
    while (!endings.empty() && endings.top().first < rec.first_task) {
      live.erase(plan.offsets[endings.top().second]);
      endings.pop();
    }
    const size_t begin = plan.offsets[i];
    const size_t end = begin + rec.size;
    auto above = live.upper_bound(begin);
    size_t other = n;
    if (above != live.end() && above->first < end) other = above->second;
    if (other == n && above != live.begin()) {
      auto below = std::prev(above);
      if (below->first + records[below->second].size > begin) other = below->second;
    }
    if (other != n) {
      const TensorUsageRecord& o = records[other];
      return invalid(why, fmt::format("tensors {} (tasks [{}, {}], bytes [{}, {})) and {} (tasks [{}, {}], bytes "
                                      "[{}, {})) are live together and overlap in memory",
                                      i, rec.first_task, rec.last_task, begin, end, other, o.first_task,
                                      o.last_task, plan.offsets[other], plan.offsets[other] + o.size));
    }
    live.emplace(begin, i);
    endings.push({rec.last_task, i});
  }
  return true;
}

}  // namespace hetsched::memory
