// One interface for the three ways a session runs a model: CPU-only (cpu::CpuExecutor), GPU-only
// in one pre-recorded command buffer (gpu::GpuExecutor), or a plan across both processors
// (CoScheduler). The session and the adaptive controller hold runners and swap them between runs;
// every runner computes the whole model, so any of them can serve any run.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "partition/plan.h"
#include "scheduler/session.h"

namespace hetsched {

namespace gpu {
class VulkanDevice;
class PipelineCache;
class WorkgroupTuningCache;
class GpuExecutor;
}  // namespace gpu

// Which processors a runner keeps busy: what a load on either one can slow down.
struct RunnerUse {
  bool cpu = false;
  bool gpu = false;
};

class Runner {
 public:
  virtual ~Runner() = default;
  // "cpu" | "gpu" | "co": the name in reports, traces and controller decisions.
  virtual const char* name() const = 0;
  virtual RunnerUse uses() const = 0;
  virtual void set_input(int index, std::span<const float> nhwc) = 0;
  // Runs the whole model and fills `report` (total time, one row per step part, runner name).
  virtual void run(RunReport& report) = 0;
  virtual std::vector<float> output(int index) const = 0;
  // Per-step GPU timestamps in the report (a barrier around each GPU step); off by default.
  virtual void set_profiling(bool on) = 0;
  // The plan this runner executes (for cpu/gpu: every op on that processor, GPU fallbacks on the CPU).
  virtual const partition::Plan& plan() const = 0;
  // The GPU-only executor inside, when there is one (the controller's GPU probe records an op of it).
  virtual gpu::GpuExecutor* gpu_executor() { return nullptr; }
  // Test hook: a fake load on a processor (FakeSlowdown).
  void set_fake_slowdown(FakeSlowdown s) { slowdown_ = s; }

 protected:
  // Sleeps the fake slowdown of the processors this runner uses after a run of `run_ms` (tests only;
  // nothing by default).
  void apply_fake_slowdown(double run_ms) const;
  FakeSlowdown slowdown_;
};

std::unique_ptr<Runner> make_cpu_runner(const Graph& graph, int threads);
// Every op on the GPU in one command buffer; the graph must have a GPU kernel for every op.
// `tuning_budget_ms`: host time its prepare may spend timing uncached shapes (gpu/executor.h).
std::unique_ptr<Runner> make_gpu_runner(const Graph& graph, const gpu::VulkanDevice& device,
                                        const gpu::PipelineCache* cache, gpu::WorkgroupTuningCache* tuning,
                                        double tuning_budget_ms);
// A plan across both processors (CoScheduler). `name` is "co", or "gpu" for the GPU policy of a
// model whose unsupported ops fall back to the CPU.
std::unique_ptr<Runner> make_co_runner(const Graph& graph, const gpu::VulkanDevice& device,
                                       const gpu::PipelineCache* cache, partition::Plan plan, int threads,
                                       const char* name = "co");

// The trivial plan of a single processor (what a cpu/gpu runner executes), for plan_json().
partition::Plan single_processor_plan(const Graph& graph, partition::PolicySpec::Kind kind);

}  // namespace hetsched
