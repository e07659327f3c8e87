// The three runners behind scheduler/runner.h: CPU executor, GPU executor, co-scheduled plan.
#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "base/error.h"
#include "cpu/executor.h"
#include "gpu/executor.h"
#include "partition/policy.h"
#include "scheduler/co_scheduler.h"
#include "scheduler/runner.h"

namespace hetsched {

void Runner::apply_fake_slowdown(double run_ms) const {
  double f = 1;
  if (uses().cpu) f = std::max(f, slowdown_.cpu_factor);
  if (uses().gpu) f = std::max(f, slowdown_.gpu_factor);
  if (f > 1) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>((f - 1) * run_ms));
}

partition::Plan single_processor_plan(const Graph& graph, partition::PolicySpec::Kind kind) {
  partition::PolicySpec spec;
  spec.kind = kind;
  spec.text = kind == partition::PolicySpec::Kind::kGpu ? "gpu" : "cpu";
  return partition::make_plan(graph, spec);
}

namespace {

using Clock = std::chrono::steady_clock;

// Per-op times of a single-processor run as report rows laid end to end.
void single_processor_report(const Graph& g, const std::vector<double>& times, const char* device, double total_ms,
                             RunReport& report) {
  report.total_ms = total_ms;
  report.steps.clear();
  double at = 0;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    report.steps.push_back({int(i), to_string(g.ops[i].type), device, at, at + times[i], 0, 0});
    at += times[i];
  }
}

// The CPU and GPU runners: one executor runs the whole graph under the single-processor plan;
// the report lays the executor's per-op times end to end.
template <typename Executor>
class SingleProcessorRunner : public Runner {
 public:
  void set_input(int i, std::span<const float> x) override { exec_.set_input(i, x); }
  void run(RunReport& report) override {
    const auto t0 = Clock::now();
    exec_.run();
    apply_fake_slowdown(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    single_processor_report(graph_, exec_.op_times_ms(), name(),
                            std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), report);
  }
  std::vector<float> output(int i) const override { return exec_.output_nhwc(i); }
  const partition::Plan& plan() const override { return plan_; }

 protected:
  template <typename... ExecutorArgs>
  SingleProcessorRunner(const Graph& g, partition::PolicySpec::Kind kind, ExecutorArgs&&... args)
      : graph_(g), exec_(g, std::forward<ExecutorArgs>(args)...), plan_(single_processor_plan(g, kind)) {}

  const Graph& graph_;
  Executor exec_;
  partition::Plan plan_;
};

class CpuRunner final : public SingleProcessorRunner<cpu::CpuExecutor> {
 public:
  CpuRunner(const Graph& g, int threads)
      : SingleProcessorRunner(g, partition::PolicySpec::Kind::kCpu, cpu::CpuExecutorOptions{threads}) {}
  const char* name() const override { return "cpu"; }
  RunnerUse uses() const override { return {true, false}; }
  void set_profiling(bool) override {}  // CPU steps are always timed
};

class GpuRunner final : public SingleProcessorRunner<gpu::GpuExecutor> {
 public:
  GpuRunner(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
            gpu::WorkgroupTuningCache* tuning, double tuning_budget_ms)
      : SingleProcessorRunner(g, partition::PolicySpec::Kind::kGpu, device, cache, options(tuning, tuning_budget_ms)) {}
  const char* name() const override { return "gpu"; }
  RunnerUse uses() const override { return {false, true}; }
  void set_profiling(bool on) override { exec_.set_profiling(on); }
  gpu::GpuExecutor* gpu_executor() override { return &exec_; }

 private:
  static gpu::GpuExecutorOptions options(gpu::WorkgroupTuningCache* tuning, double tuning_budget_ms) {
    gpu::GpuExecutorOptions o;
    o.tuning = tuning;
    o.tuning_budget_ms = tuning_budget_ms;
    return o;
  }
};

class CoRunner final : public Runner {
 public:
  CoRunner(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache, partition::Plan plan,
           int threads, const char* name)
      : co_(g, device, cache, std::move(plan), threads), name_(name) {
    for (const partition::PlanStep& s : co_.plan().steps) {
      use_.cpu |= s.kind != partition::StepKind::kGpu;
      use_.gpu |= s.kind != partition::StepKind::kCpu;
    }
  }
  const char* name() const override { return name_; }
  RunnerUse uses() const override { return use_; }
  void set_input(int i, std::span<const float> x) override { co_.set_input(i, x); }
  void run(RunReport& report) override {
    const auto t0 = Clock::now();
    co_.run();
    apply_fake_slowdown(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    report.steps = co_.report().steps;
    report.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }
  std::vector<float> output(int i) const override { return co_.output_nhwc(i); }
  void set_profiling(bool on) override { co_.set_profiling(on); }
  const partition::Plan& plan() const override { return co_.plan(); }

 private:
  CoScheduler co_;
  const char* name_;
  RunnerUse use_;
};

}  // namespace

std::unique_ptr<Runner> make_cpu_runner(const Graph& graph, int threads) {
  return std::make_unique<CpuRunner>(graph, threads);
}

std::unique_ptr<Runner> make_gpu_runner(const Graph& graph, const gpu::VulkanDevice& device,
                                        const gpu::PipelineCache* cache, gpu::WorkgroupTuningCache* tuning,
                                        double tuning_budget_ms) {
  return std::make_unique<GpuRunner>(graph, device, cache, tuning, tuning_budget_ms);
}

std::unique_ptr<Runner> make_co_runner(const Graph& graph, const gpu::VulkanDevice& device,
                                       const gpu::PipelineCache* cache, partition::Plan plan, int threads,
                                       const char* name) {
  return std::make_unique<CoRunner>(graph, device, cache, std::move(plan), threads, name);
}

}  // namespace hetsched
