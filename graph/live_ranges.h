// Live ranges of a graph's activation tensors, as usage records for the memory planner; both
// executors (and the scheduler's shared arena) plan from the same records.
#pragma once
#include <vector>

#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched {

// One record per activation tensor (model inputs, intermediates, outputs), PHWC4 byte size,
// first = producing op (0 for model inputs), last = last reading op (the last op for model
// inputs and outputs: an input set once must survive every run). `tensors` receives the tensor index of each record.
std::vector<memory::TensorUsageRecord> activation_usage_records(const Graph& graph, std::vector<int>* tensors);

}  // namespace hetsched
