// A plan: where each op of the prepared graph runs. Each step is `cpu`, `gpu`, or `split` (the
// CPU computes output slices/rows [0, boundary), the GPU [boundary, end); the boundary is in
// slices for the slice axis, so it is always slice-aligned). Plans serialize to JSON and back.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/graph.h"

namespace hetsched::partition {

enum class StepKind { kCpu, kGpu, kSplit };
enum class SplitAxis { kSlices, kRows };

const char* to_string(StepKind k);
const char* to_string(SplitAxis a);

struct PlanStep {
  int op_index = 0;
  StepKind kind = StepKind::kCpu;
  SplitAxis axis = SplitAxis::kSlices;  // for kSplit
  int boundary = 0;                     // for kSplit: first slice (or row) computed by the GPU
  double predicted_ms = 0;              // predicted cost of the step (0 when unknown)

  // The part of the output computed by the CPU / the GPU (empty when that side does nothing).
  OutputRange cpu_range(const Shape4& out) const;
  OutputRange gpu_range(const Shape4& out) const;
};

struct Plan {
  std::string model;
  uint64_t graph_hash = 0;  // graph_fingerprint() of the graph the plan was made for
  std::string policy;
  std::vector<PlanStep> steps;  // one per op, in op order
  double predicted_ms = 0;
};

// The model's identity in a plan: FNV-1a 64 over the prepared graph's ops (type, operator index,
// tensor indices), its tensors (name, dtype, shape, constness, constant byte count and a sample
// of the constant bytes) and its inputs and outputs. A plan saved for another model (even one
// with the same op count) carries another hash and is refused.
uint64_t graph_fingerprint(const Graph& graph);

nlohmann::json to_json(const Plan& plan);
// Throws Error(kInvalidArgument) naming the field on a malformed plan or one that does not match
// the graph (graph_hash, op count, boundaries out of range, split of an op that cannot be split).
// Numbers are parsed strictly: "op" and "boundary" must be JSON integers in int range (5.7,
// 1.5 and 4294967296 are refused, not truncated or wrapped).
Plan plan_from_json(const nlohmann::json& j, const Graph& graph);
Plan load_plan(const std::string& path, const Graph& graph);
void save_plan(const Plan& plan, const std::string& path);

}  // namespace hetsched::partition
