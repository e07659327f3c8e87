// Op profiler (see header): whole-model runs on each processor, per-op medians.
#include "scheduler/op_profiler.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "base/error.h"
#include "base/random_values.h"
#include "base/stats.h"
#include "cpu/executor.h"
#include "gpu/cache_file.h"
#include "graph/op_registry.h"
#include "partition/policy.h"
#include "profiles/kernel_profiler.h"
#include "scheduler/co_scheduler.h"

namespace hetsched {
namespace {

// Why a cached cost model cannot be used for `g` ("" when it can): every cost a finite number >= 0
// (gpu_ms may be -1: no GPU kernel). A negative or infinite cost used to reach the planner as is.
std::string cost_model_problem(const partition::CostModel& c, const Graph& g) {
  if (c.ops.size() != g.ops.size()) return fmt::format("{} ops, the model has {}", c.ops.size(), g.ops.size());
  auto bad = [](double v) { return !std::isfinite(v) || v < 0; };
  if (bad(c.sync_ms) || bad(c.gpu_submit_ms) || bad(c.cpu_fixed_ms))
    return fmt::format("sync_ms {}, gpu_submit_ms {}, cpu_fixed_ms {} (expected finite numbers >= 0)", c.sync_ms,
                       c.gpu_submit_ms, c.cpu_fixed_ms);
  for (size_t i = 0; i < c.ops.size(); ++i)
    if (bad(c.ops[i].cpu_ms) || (bad(c.ops[i].gpu_ms) && c.ops[i].gpu_ms != -1))
      return fmt::format("op {}: cpu_ms {}, gpu_ms {} (expected finite numbers >= 0, gpu_ms -1 for no kernel)", i,
                         c.ops[i].cpu_ms, c.ops[i].gpu_ms);
  return "";
}

}  // namespace

std::optional<partition::CostModel> load_profile_cache(const std::filesystem::path& file, const Graph& g) {
  const auto text = gpu::read_cache_file(file, "op profile cache");
  if (!text) return std::nullopt;
  std::string problem;
  try {
    auto c = partition::cost_model_from_json(nlohmann::json::parse(*text));
    problem = cost_model_problem(c, g);
    if (problem.empty()) return c;
  } catch (const std::exception& e) {
    problem = e.what();
  }
  gpu::move_cache_aside(file, "op profile cache", fmt::format("cannot be used ({}); the model is profiled again",
                                                              problem));
  return std::nullopt;
}

void save_profile_cache(const std::filesystem::path& file, const partition::CostModel& c) {
  // Timings of a busy machine are not kept (gpu/cache_file.h): a later start measures again.
  if (const gpu::MachineLoad load = gpu::machine_load(); load.busy) {
    fmt::print(stderr,
               "hetsched: note: the op profile was measured while the machine was busy (load average {:.1f} on {} "
               "cores); it is used now but not saved\n",
               load.load1, load.cores);
    return;
  }
  try {
    gpu::write_cache_file(file, partition::to_json(c).dump(1), "op profile cache");
  } catch (const Error&) {
    // The cache only saves time; write_cache_file printed the one notice of this process.
  }
}

std::filesystem::path profile_cache_file(const Graph& g, const gpu::VulkanDevice& device, int threads) {
  const auto& info = device.info();
  return gpu::default_cache_dir() / fmt::format("profile-{}-{}ops-{}-{:x}-{:x}-{:x}-t{}.json", g.model_name,
                                                g.ops.size(), total_macs(g), info.vendor_id, info.device_id,
                                                info.driver_version, threads);
}

double measure_sync_ms(const gpu::VulkanDevice& device, int samples) {
  return median(profiles::sync_round_trips_us(device, samples, "sync probe"), 0) / 1000;
}

partition::CostModel profile_ops(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                                 const ProfileOptions& o) {
  const auto file = profile_cache_file(g, device, o.threads);
  if (o.use_cache)
    if (auto cached = load_profile_cache(file, g)) return *std::move(cached);
  partition::CostModel c;
  c.model = g.model_name;
  c.device = device.describe();
  c.threads = o.threads;
  c.ops.assign(g.ops.size(), {});
  std::mt19937 rng(1);

  // CPU: whole-model runs, per-op medians.
  {
    // Per-op costs of the unfused ops (a chained PRELU would read 0 and its conv carry both).
    cpu::CpuExecutor cpu(g, cpu::CpuExecutorOptions{.threads = o.threads, .chain_elementwise = false});
    for (size_t i = 0; i < g.inputs.size(); ++i) cpu.set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
    std::vector<std::vector<double>> t(g.ops.size());
    for (int r = 0; r <= o.runs; ++r) {
      cpu.run();
      if (r == 0) continue;
      for (size_t i = 0; i < g.ops.size(); ++i) t[i].push_back(cpu.op_times_ms()[i]);
    }
    for (size_t i = 0; i < g.ops.size(); ++i) c.ops[i].cpu_ms = median(t[i], 0);
  }
  // GPU: the gpu plan (CPU fallback for ops without a kernel) through the co-scheduler, whose
  // report carries per-step GPU timestamps.
  {
    partition::PolicySpec gpu_policy;
    gpu_policy.kind = partition::PolicySpec::Kind::kGpu;
    gpu_policy.text = "gpu";
    CoScheduler sched(g, device, cache, partition::make_plan(g, gpu_policy), o.threads);
    sched.set_profiling(true);
    for (size_t i = 0; i < g.inputs.size(); ++i) sched.set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
    std::vector<std::vector<double>> t(g.ops.size());
    for (int r = 0; r <= o.runs; ++r) {
      sched.run();
      if (r == 0) continue;
      for (const StepReport& s : sched.report().steps)
        if (s.device == "gpu") t[s.op_index].push_back(s.end_ms - s.start_ms);
    }
    for (size_t i = 0; i < g.ops.size(); ++i) c.ops[i].gpu_ms = t[i].empty() ? -1 : median(t[i], 0);
  }
  c.sync_ms = measure_sync_ms(device);
  c.gpu_submit_ms = c.sync_ms / 2;
  if (o.use_cache) save_profile_cache(file, c);
  return c;
}

}  // namespace hetsched
