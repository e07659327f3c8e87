// Policies: how a plan is made.
//   cpu            every op on the CPU
//   gpu            every op on the GPU; ops without a GPU kernel fall back to the CPU
//   ratio=R[:rows] every splittable op split, the CPU taking fraction R of its output slices (or
//                  rows); ops that cannot be split go to the CPU if R >= 0.5, else the GPU
//   plan=FILE      a saved plan (JSON, see plan.h)
//   auto           minimizes predicted latency over the op sequence with the cost model
//                  (partition/cost_model.h), synchronization and transfers included; the session
//                  then measures that plan against the CPU and the GPU in steady state and keeps
//                  adapting at run time (scheduler/adaptive_controller.h)
//   auto:static    the same decision, taken once at prepare and kept (for comparison)
#pragma once
#include <string>

#include "partition/cost_model.h"
#include "partition/plan.h"

namespace hetsched::partition {

struct PolicySpec {
  enum class Kind { kCpu, kGpu, kRatio, kPlanFile, kAuto } kind = Kind::kCpu;
  double ratio = 0;                      // kRatio: CPU fraction in [0, 1]
  SplitAxis axis = SplitAxis::kSlices;   // kRatio
  std::string file;                      // kPlanFile
  std::string text;                      // as given
  bool adaptive = true;                  // kAuto: keep re-planning at run time (false: auto:static)
};

// Parses a --policy value; throws kInvalidArgument listing the valid forms. The only parser of
// policy text: the CLI and the Python package call it at their edge.
PolicySpec parse_policy(const std::string& text);

// Whether the GPU can run `op` (a kernel exists) and whether it can be split on `axis`.
bool gpu_supports(const Op& op);
bool can_split(const Graph& graph, const Op& op, SplitAxis axis);

// The plan of a policy. `costs` is needed only for kAuto (and fills predicted_ms when given).
Plan make_plan(const Graph& graph, const PolicySpec& policy, const CostModel* costs = nullptr);

}  // namespace hetsched::partition
