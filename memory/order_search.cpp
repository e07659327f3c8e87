// Order-search memory strategy: a bounded local search over the order in which tensors are placed
// into best-fitting gaps, started from the greedy-by-size and greedy-by-breadth orders.
#include <algorithm>
#include <random>

#include "memory/strategies.h"

namespace hetsched::memory::detail {

// Steps:
//  1. Start from the better of the greedy-by-size and greedy-by-breadth (offsets) orders.
//  2. Repeatedly move one tensor to another position of the order (both chosen by a fixed-seed
//     generator, so a model always gets the same plan), place all tensors in that order
//     (place_in_best_gaps), and keep the move when the arena is no larger.
//  3. Stop at the lower bound (nothing can be smaller) or after about kOrderSearchWork overlap
//     tests (n^2 / 2 per placement), so large graphs get few moves and small ones many.
// Greedy orders fix big tensors first and can leave a hole at the peak that no later tensor fits
// (hand_landmark_full and pose_detection: 1.146x the bound); a few moves close it.
MemoryPlan plan_order_search(std::span<const TensorUsageRecord> records, size_t lower_bound) {
  const size_t n = records.size();
  std::vector<size_t> order = greedy_by_size_order(records);
  MemoryPlan best = place_in_best_gaps(records, order, Strategy::kOrderSearch);
  {
    std::vector<size_t> breadth = greedy_by_breadth_order(records);
    MemoryPlan p = place_in_best_gaps(records, breadth, Strategy::kOrderSearch);
    if (p.total_bytes < best.total_bytes) {
      best = std::move(p);
      order = std::move(breadth);
    }
  }
  if (n < 2) return best;
  const size_t per_try = std::max<size_t>(1, n * n / 2);
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  for (size_t work = 2 * per_try; work < kOrderSearchWork && best.total_bytes > lower_bound; work += per_try) {
    const size_t from = pick(rng), to = pick(rng);
    if (from == to) continue;
    std::vector<size_t> trial = order;
    const size_t moved = trial[from];
    trial.erase(trial.begin() + ptrdiff_t(from));
    trial.insert(trial.begin() + ptrdiff_t(to), moved);
    MemoryPlan p = place_in_best_gaps(records, trial, Strategy::kOrderSearch);
    if (p.total_bytes <= best.total_bytes) {
      best = std::move(p);
      order = std::move(trial);
    }
  }
  return best;
}

}  // namespace hetsched::memory::detail
