// The cost model the partitioner minimizes: measured (or predicted) per-op latency on each
// processor, a linear-in-work model for a partial range, and the cost of a synchronization
// between the processors (a host<->GPU timeline round trip) when data crosses.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/graph.h"

namespace hetsched::partition {

struct OpCost {
  double cpu_ms = 0;  // whole op on the CPU (the session's thread count)
  double gpu_ms = 0;  // whole op on the GPU (< 0: no GPU kernel)
};

struct CostModel {
  std::string model;   // model file name
  std::string device;  // GPU device description
  int threads = 0;
  std::vector<OpCost> ops;      // one per graph op
  double sync_ms = 0.05;        // one cross-device synchronization (signal + wake-up)
  double gpu_submit_ms = 0.03;  // fixed cost of one GPU submission
  double cpu_fixed_ms = 0.005;  // fixed cost of one CPU part (task spawn)
  // Each processor's slowdown while the other runs (a split op's two parts run at once): from the
  // latency predictor's --corun rows (profiles/); 1 when measured alone.
  double cpu_corun_factor = 1, gpu_corun_factor = 1;

  // Predicted time of a fraction f in (0, 1] of an op's work on one processor.
  double cpu_part_ms(int op, double f) const { return f <= 0 ? 0 : cpu_fixed_ms + ops[op].cpu_ms * f; }
  double gpu_part_ms(int op, double f) const { return f <= 0 ? 0 : ops[op].gpu_ms * f; }
  // A split op's step: both parts at once, each at its co-running slowdown.
  double split_ms(int op, double cpu_fraction) const {
    return std::max(cpu_part_ms(op, cpu_fraction) * cpu_corun_factor,
                    gpu_part_ms(op, 1 - cpu_fraction) * gpu_corun_factor);
  }
};

nlohmann::json to_json(const CostModel& c);
CostModel cost_model_from_json(const nlohmann::json& j);

}  // namespace hetsched::partition
