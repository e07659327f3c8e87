// Greedy placement under an arbitrary conflict relation (see conflict_planner.h).
#include "memory/conflict_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "base/error.h"

namespace hetsched::memory {
namespace {

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

MemoryPlan place(std::span<const size_t> sizes, const std::vector<bool>& conflicts, std::span<const size_t> order) {
  const size_t n = sizes.size();
  MemoryPlan plan;
  plan.strategy = Strategy::kGreedyBySize;
  plan.offsets.assign(n, 0);
  std::vector<size_t> placed;  // ordered by offset
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  for (size_t i : order) {
    size_t best_offset = kNone, best_gap = kNone, prev_end = 0;
    for (size_t j : placed) {
      if (!conflicts[i * n + j]) continue;
      const size_t offset = plan.offsets[j];
      if (offset >= prev_end) {
        const size_t gap = offset - prev_end;
        if (gap >= sizes[i] && gap < best_gap) best_gap = gap, best_offset = prev_end;
      }
      prev_end = std::max(prev_end, offset + sizes[j]);
    }
    if (best_offset == kNone) best_offset = prev_end;
    plan.offsets[i] = best_offset;
    placed.insert(std::upper_bound(placed.begin(), placed.end(), best_offset,
                                   [&](size_t off, size_t j) { return off < plan.offsets[j]; }),
                  i);
    plan.total_bytes = std::max(plan.total_bytes, best_offset + sizes[i]);
  }
  return plan;
}

}  // namespace

MemoryPlan plan_memory_with_conflicts(std::span<const TensorUsageRecord> records, const std::vector<bool>& conflicts,
                                      size_t alignment) {
  const size_t n = records.size();
  if (alignment == 0) fail(ErrorKind::kInvalidArgument, "memory planner: alignment must be positive");
  if (conflicts.size() != n * n)
    fail(ErrorKind::kInvalidArgument, "memory planner: {} conflict entries for {} records", conflicts.size(), n);
  std::vector<size_t> sizes(n), weight(n, 0);
  for (size_t i = 0; i < n; ++i) sizes[i] = align_up(records[i].size, alignment);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (conflicts[i * n + j]) weight[i] += sizes[j];
  std::vector<size_t> base(n);
  std::iota(base.begin(), base.end(), size_t{0});
  std::vector<std::vector<size_t>> orders(3, base);
  std::stable_sort(orders[0].begin(), orders[0].end(), [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  std::stable_sort(orders[1].begin(), orders[1].end(), [&](size_t a, size_t b) {
    return records[a].first_task != records[b].first_task ? records[a].first_task < records[b].first_task
                                                          : sizes[a] > sizes[b];
  });
  std::stable_sort(orders[2].begin(), orders[2].end(), [&](size_t a, size_t b) {
    return weight[a] != weight[b] ? weight[a] > weight[b] : sizes[a] > sizes[b];
  });
  MemoryPlan best;
  bool have = false;
  for (const auto& order : orders) {
    MemoryPlan p = place(sizes, conflicts, order);
    if (!have || p.total_bytes < best.total_bytes) best = std::move(p), have = true;
  }
  best.alignment = alignment;
  best.total_bytes = align_up(best.total_bytes, alignment);
  return best;
}

bool plan_respects_conflicts(std::span<const TensorUsageRecord> records, const std::vector<bool>& conflicts,
                             const MemoryPlan& plan, std::string* why) {
  const size_t n = records.size();
  auto bad = [&](std::string s) {
    if (why) *why = std::move(s);
    return false;
  };
  if (plan.offsets.size() != n) return bad(fmt::format("{} offsets for {} records", plan.offsets.size(), n));
  for (size_t i = 0; i < n; ++i) {
    if (plan.offsets[i] % plan.alignment) return bad(fmt::format("record {} at unaligned offset {}", i, plan.offsets[i]));
    if (plan.offsets[i] + records[i].size > plan.total_bytes) return bad(fmt::format("record {} ends past the arena", i));
    for (size_t j = i + 1; j < n; ++j)
      if (conflicts[i * n + j] && records[i].size && records[j].size &&
          plan.offsets[i] < plan.offsets[j] + records[j].size && plan.offsets[j] < plan.offsets[i] + records[i].size)
        return bad(fmt::format("records {} and {} may be live at once but share bytes", i, j));
  }
  return true;
}

}  // namespace hetsched::memory
