// Op costs predicted from this machine's device profile (profiles/device_profile.h) and the latency
// predictor embedded in it, in place of measuring every op at prepare (scheduler/op_profiler.h):
// `auto` on a model it has never seen plans in milliseconds. A missing profile, one without a
// predictor, or a predictor without this thread count or GPU precision gives no costs and a note
// saying why; the caller then measures.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "graph/graph.h"
#include "partition/cost_model.h"

namespace hetsched {

struct PredictedCosts {
  std::optional<partition::CostModel> costs;  // set when the profile could predict every op
  std::string note;                           // what was used, or why nothing was
  std::filesystem::path profile_file;         // the device profile looked for
};

// `threads` as the session's (0 = all hardware threads). The CPU model is the predictor's
// "cpu:t<threads>", the GPU's "gpu:fp16" when the device runs fp16, else "gpu:fp32". Per-kernel
// fixed costs (per_op_us) join each op's cost; gpu_submit_us and sync_us become the cost model's,
// and so do the co-running slowdowns (corun_factor) a split step pays.
PredictedCosts predict_op_costs(const Graph& graph, const gpu::VulkanDevice& device, int threads,
                                const std::filesystem::path& cache_dir);

// The costs `auto` and `hetsched plan` plan from: predicted (above, from the default cache
// directory's profile) when `predict` is on and the profile can, else every op measured
// (scheduler/op_profiler.h, cached per model); `source` says which, and why.
struct PlanningCosts {
  partition::CostModel costs;
  std::string source;
};
PlanningCosts planning_costs(const Graph& graph, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                             int threads, bool predict);

}  // namespace hetsched
