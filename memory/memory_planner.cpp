// Memory planner front end: strategy names, input validation, alignment, dispatch, best-of-all.
#include "memory/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "base/error.h"
#include "memory/strategies.h"

namespace hetsched::memory {

const char* to_string(Strategy s) {
  switch (s) {
    case Strategy::kNaive: return "naive";
    case Strategy::kGreedyInOrder: return "greedy_in_order";
    case Strategy::kGreedyBySize: return "greedy_by_size";
    case Strategy::kGreedyByBreadth: return "greedy_by_breadth";
    case Strategy::kMinCostFlow: return "min_cost_flow";
    case Strategy::kGreedyByBreadthOffsets: return "greedy_by_breadth_offsets";
    case Strategy::kOrderSearch: return "order_search";
  }
  return "unknown";
}

Strategy parse_strategy(std::string_view name) {
  std::string normalized(name);
  std::replace(normalized.begin(), normalized.end(), '-', '_');
  for (Strategy s : kAllStrategies) {
    if (normalized == to_string(s)) return s;
  }
  std::string valid;
  for (Strategy s : kAllStrategies) valid += fmt::format("{}{}", valid.empty() ? "" : ", ", to_string(s));
  fail(ErrorKind::kInvalidArgument, "unknown memory strategy '{}' (valid: {})", name, valid);
}

namespace detail {

size_t align_up(size_t size, size_t alignment) {
  const size_t rem = size % alignment;
  if (rem == 0) return size;
  const size_t pad = alignment - rem;
  if (size > SIZE_MAX - pad) {
    fail(ErrorKind::kInvalidArgument, "memory planner: tensor size {} overflows when aligned to {}", size, alignment);
  }
  return size + pad;
}

std::vector<size_t> order_by_first_task(std::span<const TensorUsageRecord> records) {
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return records[a].first_task < records[b].first_task; });
  return order;
}

MemoryPlan layout_objects(const ObjectAssignment& a, Strategy s) {
  std::vector<size_t> object_offsets(a.object_sizes.size());
  size_t total = 0;
  for (size_t obj = 0; obj < a.object_sizes.size(); ++obj) {
    object_offsets[obj] = total;
    total += a.object_sizes[obj];
  }
  MemoryPlan plan;
  plan.strategy = s;
  plan.total_bytes = total;
  plan.offsets.resize(a.object_of.size());
  for (size_t i = 0; i < a.object_of.size(); ++i) plan.offsets[i] = object_offsets[a.object_of[i]];
  return plan;
}

}  // namespace detail

namespace {

// Validates the records and returns them with sizes rounded up to `alignment`.
std::vector<TensorUsageRecord> aligned_records(std::span<const TensorUsageRecord> records, size_t alignment) {
  if (alignment == 0) fail(ErrorKind::kInvalidArgument, "memory planner: alignment must be positive");
  std::vector<TensorUsageRecord> out(records.begin(), records.end());
  size_t sum = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    TensorUsageRecord& r = out[i];
    if (r.first_task < 0 || r.last_task < r.first_task) {
      fail(ErrorKind::kInvalidArgument,
           "memory planner: tensor {} has an invalid live range [{}, {}] (need 0 <= first_task <= last_task)", i,
           r.first_task, r.last_task);
    }
    r.size = detail::align_up(r.size, alignment);
    if (sum > SIZE_MAX - r.size) {
      fail(ErrorKind::kInvalidArgument, "memory planner: the sum of {} tensor sizes overflows size_t", out.size());
    }
    sum += r.size;
  }
  return out;
}

}  // namespace

MemoryPlan plan_memory(std::span<const TensorUsageRecord> records, Strategy s, size_t alignment) {
  const std::vector<TensorUsageRecord> aligned = aligned_records(records, alignment);
  MemoryPlan plan;
  switch (s) {
    case Strategy::kNaive: plan = detail::plan_naive(aligned); break;
    case Strategy::kGreedyInOrder: plan = detail::plan_greedy_in_order(aligned); break;
    case Strategy::kGreedyBySize: plan = detail::plan_greedy_by_size(aligned); break;
    case Strategy::kGreedyByBreadth: plan = detail::plan_greedy_by_breadth(aligned); break;
    case Strategy::kMinCostFlow: plan = detail::plan_min_cost_flow(aligned); break;
    case Strategy::kGreedyByBreadthOffsets: plan = detail::plan_greedy_by_breadth_offsets(aligned); break;
    case Strategy::kOrderSearch: plan = detail::plan_order_search(aligned, memory_lower_bound(aligned, 1)); break;
    default: fail(ErrorKind::kInvalidArgument, "memory planner: unknown strategy {}", static_cast<int>(s));
  }
  plan.strategy = s;
  plan.alignment = alignment;
  return plan;
}

MemoryPlan plan_memory_best(std::span<const TensorUsageRecord> records, size_t alignment) {
  // Order of preference on ties: the offset strategy first (it packs best in practice), then the
  // object strategies, naive last.
  static constexpr Strategy kPreference[] = {Strategy::kGreedyBySize, Strategy::kGreedyByBreadthOffsets,
                                             Strategy::kOrderSearch, Strategy::kGreedyByBreadth,
                                             Strategy::kMinCostFlow, Strategy::kGreedyInOrder, Strategy::kNaive};
  MemoryPlan best;
  bool have_best = false;
  for (Strategy s : kPreference) {
    if (s == Strategy::kMinCostFlow && records.size() > detail::kMinCostFlowBestTensors) continue;
    if (s == Strategy::kOrderSearch && have_best && best.total_bytes <= memory_lower_bound(records, alignment))
      continue;
    MemoryPlan plan = plan_memory(records, s, alignment);
    if (!have_best || plan.total_bytes < best.total_bytes) {
      best = std::move(plan);
      have_best = true;
    }
  }
  return best;
}

}  // namespace hetsched::memory
