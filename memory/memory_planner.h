// Tensor memory planner: packs tensors with known live ranges into one arena (pure, no device types).
//
// Input: one usage record per tensor {size, first_task, last_task} (inclusive task indices).
// Output: an aligned byte offset per tensor into one arena of total_bytes, such that two tensors
// whose live ranges share a task never share a byte. The CPU executor carves its arena with it,
// the GPU executor one storage buffer (alignment = minStorageBufferOffsetAlignment).
//
// Every size is first rounded up to `alignment`; all strategies work on the rounded sizes, so
// every offset the planner returns is a multiple of `alignment`.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hetsched::memory {

struct TensorUsageRecord {
  size_t size = 0;     // bytes
  int first_task = 0;  // index of the op that produces the tensor
  int last_task = 0;   // index of the last op that reads it (inclusive, >= first_task)
};

enum class Strategy {
  kNaive,            // every tensor its own region (no reuse): the reference
  kGreedyInOrder,    // shared objects, tensors in order of first use, best-fitting free object
  kGreedyBySize,     // offsets, tensors by decreasing size, best-fitting gap (TFLite's default)
  kGreedyByBreadth,  // shared objects, widest tasks first, best-fitting free object
  kMinCostFlow,      // shared objects from a min-cost flow over "reuse the object of a dead tensor"
  kGreedyByBreadthOffsets,  // offsets, tensors of the widest tasks first, best-fitting gap
  kOrderSearch,             // offsets, a bounded local search over the greedy placement order
};

// All strategies, in enum order.
inline constexpr Strategy kAllStrategies[] = {Strategy::kNaive, Strategy::kGreedyInOrder,
                                              Strategy::kGreedyBySize, Strategy::kGreedyByBreadth,
                                              Strategy::kMinCostFlow, Strategy::kGreedyByBreadthOffsets,
                                              Strategy::kOrderSearch};

// "naive", "greedy_in_order", "greedy_by_size", "greedy_by_breadth", "min_cost_flow",
// "greedy_by_breadth_offsets", "order_search".
const char* to_string(Strategy s);
// The inverse of to_string (also accepts '-' for '_'); throws Error(kInvalidArgument) listing the
// valid names otherwise.
Strategy parse_strategy(std::string_view name);

struct MemoryPlan {
  Strategy strategy = Strategy::kNaive;
  std::vector<size_t> offsets;  // per record, a multiple of `alignment`
  size_t total_bytes = 0;       // arena size; a multiple of `alignment`
  size_t alignment = 64;        // the alignment the plan was made for
};

// Plans with one strategy. Throws Error(kInvalidArgument) on alignment 0, a record with
// first_task < 0 or last_task < first_task, or sizes whose sum overflows size_t;
// Error(kUnsupported) for min-cost flow on more than 4096 tensors.
// Zero-size tensors get a valid offset and occupy no bytes.
MemoryPlan plan_memory(std::span<const TensorUsageRecord> records, Strategy s, size_t alignment = 64);

// Runs every strategy and keeps the plan with the smallest total_bytes (ties: greedy by size,
// greedy by breadth (offsets), order search, greedy by breadth, min-cost flow, greedy in order,
// naive, in that order of preference). Order search runs only when the others miss the bound.
// Min-cost flow is quadratic in memory and slower: it is left out above 600 tensors.
MemoryPlan plan_memory_best(std::span<const TensorUsageRecord> records, size_t alignment = 64);

// The largest sum of aligned sizes of tensors live at the same task: no plan can be smaller.
size_t memory_lower_bound(std::span<const TensorUsageRecord> records, size_t alignment = 64);

// True when `plan` has one offset per record, each a multiple of plan.alignment, every tensor
// lies within [0, total_bytes), and no two tensors with overlapping live ranges overlap in memory.
// On false, *why (if given) names the first violation found.
bool plan_is_valid(std::span<const TensorUsageRecord> records, const MemoryPlan& plan, std::string* why = nullptr);

}  // namespace hetsched::memory
