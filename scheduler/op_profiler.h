// The op profiler (in scheduler/: it runs plans): measures every op of a model on the CPU (the session's thread count) and on the
// GPU (timestamps), and the cost of one CPU<->GPU synchronization, into a partition::CostModel.
// Results are cached per model, device and thread count (next to the pipeline cache).
#pragma once
#include <filesystem>

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

}  // namespace hetsched
