// Memory planning under an arbitrary conflict relation (pure, no device types): for tensors whose
// "may be live at once" relation is not an overlap of live ranges in one order, such as the
// co-execution arenas (partition/plan_liveness.h), where parts on two processors are only partly
// ordered.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "memory/memory_planner.h"

namespace hetsched::memory {

// conflicts[i * n + j] (symmetric): records i and j may not share a byte. Greedy placement into the
// best gap among conflicting placed tensors (greedy by size's rule), over a few placement orders
// (by decreasing size; by first_task then size; by conflict weight); the smallest plan wins.
// `records` give the sizes and the order hints (first_task). Offsets multiples of `alignment`;
// strategy kGreedyBySize.
MemoryPlan plan_memory_with_conflicts(std::span<const TensorUsageRecord> records, const std::vector<bool>& conflicts,
                                      size_t alignment = 64);

// True when no two conflicting records share a byte and every offset is aligned; *why names the
// first violation.
bool plan_respects_conflicts(std::span<const TensorUsageRecord> records, const std::vector<bool>& conflicts,
                             const MemoryPlan& plan, std::string* why = nullptr);

}  // namespace hetsched::memory
