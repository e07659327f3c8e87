// Session: turns the policy into executors (CPU only, GPU only in one command buffer, or a plan
// run by the co-scheduler) and records the report of each run.
#include "scheduler/session.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>

#include "cpu/executor.h"
#include "gpu/executor.h"
#include "gpu/workgroup_tuning.h"
#include "graph/error.h"
#include "partition/policy.h"
#include "scheduler/co_scheduler.h"
#include "scheduler/op_profiler.h"

namespace hetsched {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool all_ops_on_gpu(const Graph& g) {
  return std::all_of(g.ops.begin(), g.ops.end(), [](const Op& op) { return partition::gpu_supports(op); });
}

}  // namespace

class Session::Impl {
 public:
  Impl(const Model& model, const SessionOptions& o) : graph_(model.graph()), threads_(o.threads) {
    if (o.precision != "fp32" && o.precision != "fp16")
      fail(ErrorKind::kInvalidArgument, "precision '{}' is not one of fp32, fp16", o.precision);
    const bool fp16 = o.precision == "fp16";
    const partition::PolicySpec policy = partition::parse_policy(o.policy);
    // fp16 is GPU-only: the CPU kernels and the tensors the CPU shares with the GPU are float32.
    if (fp16 && policy.kind != partition::PolicySpec::Kind::kGpu)
      fail(ErrorKind::kUnsupported, "model '{}': precision fp16 needs policy gpu (policy '{}' runs on the CPU, "
           "whose kernels are fp32)", graph_.model_name, o.policy);
    if (fp16 && !all_ops_on_gpu(graph_))
      fail(ErrorKind::kUnsupported, "model '{}': precision fp16 needs every op on the GPU, but some have no GPU "
           "kernel and would run on the CPU in fp32; use precision fp32", graph_.model_name);
    if (policy.kind == partition::PolicySpec::Kind::kCpu) {
      cpu_ = std::make_unique<cpu::CpuExecutor>(graph_, cpu::CpuExecutorOptions{o.threads});
      return;
    }
    device_ = std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{o.device, fp16});
    cache_ = std::make_unique<gpu::PipelineCache>(*device_);
    if (o.tune) tuning_ = std::make_unique<gpu::WorkgroupTuningCache>(*device_);
    gpu::GpuExecutorOptions gpu_options;
    gpu_options.tuning = tuning_.get();
    if (policy.kind == partition::PolicySpec::Kind::kGpu && all_ops_on_gpu(graph_)) {
      gpu_ = std::make_unique<gpu::GpuExecutor>(graph_, *device_, cache_.get(), gpu_options);
      note_tuning(*gpu_);
    } else if (policy.kind == partition::PolicySpec::Kind::kAuto) {
      costs_ = profile_ops(graph_, *device_, cache_.get(), ProfileOptions{o.threads});
      choose_measured(partition::make_plan(graph_, policy, &costs_));
    } else {
      co_ = std::make_unique<CoScheduler>(graph_, *device_, cache_.get(), partition::make_plan(graph_, policy), o.threads);
    }
    try {
      cache_->save();
      if (tuning_ && tuning_->dirty()) tuning_->save();
    } catch (const Error&) {
      // The caches only speed up the next start; a read-only home is not an error.
    }
  }

  const TuningSummary& tuning() const { return tuning_summary_; }

  void set_input(int i, std::span<const float> nhwc) {
    if (i < 0 || i >= int(graph_.inputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} inputs, not {}", graph_.model_name, graph_.inputs.size(), i + 1);
    if (cpu_) cpu_->set_input(i, nhwc);
    else if (gpu_) gpu_->set_input(i, nhwc);
    else co_->set_input(i, nhwc);
  }

  void run() {
    const auto t0 = std::chrono::steady_clock::now();
    if (co_) {
      co_->run();
      report_ = co_->report();
      return;
    }
    if (cpu_) cpu_->run();
    else gpu_->run();
    report_.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    report_.steps.clear();
    double at = 0;
    const auto& times = cpu_ ? cpu_->op_times_ms() : gpu_->op_times_ms();
    const char* device = cpu_ ? "cpu" : "gpu";
    for (size_t i = 0; i < graph_.ops.size(); ++i) {
      report_.steps.push_back({int(i), to_string(graph_.ops[i].type), device, at, at + times[i], 0, 0});
      at += times[i];
    }
  }

  std::vector<float> output(int i) const {
    if (i < 0 || i >= int(graph_.outputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} outputs, not {}", graph_.model_name, graph_.outputs.size(), i + 1);
    if (cpu_) return cpu_->output_nhwc(i);
    if (gpu_) return gpu_->output_nhwc(i);
    return co_->output_nhwc(i);
  }
  const RunReport& report() const { return report_; }
  void set_profiling(bool on) {
    if (gpu_) gpu_->set_profiling(on);
    if (co_) co_->set_profiling(on);
  }
  const partition::Plan* plan() const { return co_ ? &co_->plan() : nullptr; }

 private:
  // `auto` is honest by measurement: the cost model's plan (co-scheduled) races the CPU executor
  // and the GPU executor, one run of each per round (so a burst of background load hits all of
  // them alike), median of 7 rounds after one warm-up round. The co-scheduled plan is kept only
  // when it beats both by kCoMargin: a plan that merely ties costs synchronization it may not
  // always win back, and a tie on a noisy machine is noise.
  void choose_measured(partition::Plan predicted) {
    constexpr double kCoMargin = 0.97;
    constexpr int kRounds = 8;  // the first is warm-up
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> d(-1, 1);
    auto set_inputs = [&](auto& runner) {
      for (size_t i = 0; i < graph_.inputs.size(); ++i) {
        std::vector<float> x(graph_.tensors[graph_.inputs[i]].elements());
        for (float& v : x) v = d(rng);
        runner.set_input(int(i), x);
      }
    };
    auto time_once = [](auto& runner, std::vector<double>& ms, bool keep) {
      const auto t0 = std::chrono::steady_clock::now();
      runner.run();
      if (keep) ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    };
    auto co = std::make_unique<CoScheduler>(graph_, *device_, cache_.get(), std::move(predicted), threads_);
    auto cpu = std::make_unique<cpu::CpuExecutor>(graph_, cpu::CpuExecutorOptions{threads_});
    std::unique_ptr<gpu::GpuExecutor> gpu;
    if (all_ops_on_gpu(graph_)) {
      gpu::GpuExecutorOptions gpu_options;
      gpu_options.tuning = tuning_.get();
      gpu = std::make_unique<gpu::GpuExecutor>(graph_, *device_, cache_.get(), gpu_options);
      note_tuning(*gpu);
      set_inputs(*gpu);
    }
    set_inputs(*co);
    set_inputs(*cpu);
    std::vector<double> ms_co, ms_cpu, ms_gpu;
    for (int r = 0; r < kRounds; ++r) {
      time_once(*co, ms_co, r > 0);
      time_once(*cpu, ms_cpu, r > 0);
      if (gpu) time_once(*gpu, ms_gpu, r > 0);
    }
    const double t_co = median(ms_co), t_cpu = median(ms_cpu);
    const double t_gpu = gpu ? median(ms_gpu) : std::numeric_limits<double>::infinity();
    if (t_co < kCoMargin * std::min(t_cpu, t_gpu)) co_ = std::move(co);
    else if (t_cpu <= t_gpu) cpu_ = std::move(cpu);
    else gpu_ = std::move(gpu);
  }

  void note_tuning(const gpu::GpuExecutor& executor) {
    const gpu::TuningStats& s = executor.tuning_stats();
    tuning_summary_ = {tuning_ != nullptr, s.kernels, s.shapes_timed, s.cache_hits, s.changed, s.deferred,
                       s.timed_default_us, s.timed_best_us, s.tuning_ms};
  }

  const Graph& graph_;
  int threads_;
  std::unique_ptr<cpu::CpuExecutor> cpu_;
  std::unique_ptr<gpu::VulkanDevice> device_;
  std::unique_ptr<gpu::PipelineCache> cache_;
  std::unique_ptr<gpu::WorkgroupTuningCache> tuning_;
  TuningSummary tuning_summary_;
  std::unique_ptr<gpu::GpuExecutor> gpu_;  // declared after the device: destroyed before it
  std::unique_ptr<CoScheduler> co_;
  partition::CostModel costs_;
  RunReport report_;
};

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(std::move(options)), impl_(std::make_unique<Impl>(*model_, options_)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
void Session::set_input(int index, std::span<const float> nhwc) { impl_->set_input(index, nhwc); }
void Session::run() { impl_->run(); }
std::vector<float> Session::output(int index) const { return impl_->output(index); }
const RunReport& Session::last_report() const { return impl_->report(); }
void Session::set_profiling(bool on) { impl_->set_profiling(on); }
const TuningSummary& Session::tuning() const { return impl_->tuning(); }

}  // namespace hetsched
