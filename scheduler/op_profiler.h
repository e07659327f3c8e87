// The op profiler (in scheduler/: it runs plans): measures every op of a model on the CPU (the session's thread count) and on the
// GPU (timestamps), and the cost of one CPU<->GPU synchronization, into a partition::CostModel.
// Results are cached per model, device and thread count (next to the pipeline cache).
#pragma once
#include <filesystem>
#include <optional>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "graph/graph.h"
#include "partition/cost_model.h"

namespace hetsched {

struct ProfileOptions {
  int threads = 0;
  int runs = 5;            // medians over this many runs after one warm-up
  bool use_cache = true;
};

partition::CostModel profile_ops(const Graph& graph, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                                 const ProfileOptions& options);

// Median host round trip of "host signals -> GPU waits, runs an empty command buffer, signals ->
// host waits" in ms.
double measure_sync_ms(const gpu::VulkanDevice& device, int samples = 21);

std::filesystem::path profile_cache_file(const Graph& graph, const gpu::VulkanDevice& device, int threads);

// The cached cost model in `file` when it is there and usable for `graph` (op count, every cost a
// finite number >= 0, gpu_ms -1 for ops without a GPU kernel); a file that is not is moved aside
// with a warning (gpu/cache_file.h) and nullopt returned, so the model is profiled again.
std::optional<partition::CostModel> load_profile_cache(const std::filesystem::path& file, const Graph& graph);
// Writes the cost model atomically; skipped with a note while the machine is busy, and a write
// failure is only the process's one cache notice (the cache only saves time).
void save_profile_cache(const std::filesystem::path& file, const partition::CostModel& c);

}  // namespace hetsched
