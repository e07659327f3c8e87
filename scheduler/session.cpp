// Session: turns the policy into runners (scheduler/runner.h) and, for `auto`, an adaptive
// controller that picks the runner of each run; records the report of each run.
#include "scheduler/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/executor.h"
#include "gpu/pipeline_cache.h"
#include "gpu/workgroup_tuning.h"
#include "partition/policy.h"
#include "scheduler/adaptive_controller.h"
#include "scheduler/load_sensors.h"
#include "scheduler/predicted_costs.h"
#include "scheduler/runner.h"

namespace hetsched {

Precision parse_precision(const std::string& text) {
  if (text == "fp32") return Precision::kFp32;
  if (text == "fp16") return Precision::kFp16;
  if (text == "mixed") return Precision::kMixed;
  fail(ErrorKind::kInvalidArgument, "precision '{}' is not one of fp32, fp16, mixed", text);
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::kFp16: return "fp16";
    case Precision::kMixed: return "mixed";
    case Precision::kFp32: break;
  }
  return "fp32";
}

namespace {

using Clock = std::chrono::steady_clock;

bool all_ops_on_gpu(const Graph& g) {
  return std::all_of(g.ops.begin(), g.ops.end(), [](const Op& op) { return partition::gpu_supports(op); });
}

bool same_placement(const partition::Plan& a, const partition::Plan& b) {
  if (a.steps.size() != b.steps.size()) return false;
  for (size_t i = 0; i < a.steps.size(); ++i)
    if (a.steps[i].kind != b.steps[i].kind || (a.steps[i].kind == partition::StepKind::kSplit &&
                                               (a.steps[i].axis != b.steps[i].axis || a.steps[i].boundary != b.steps[i].boundary)))
      return false;
  return true;
}

// A load reading counts as a device failure the session can fall back from.
bool is_device_failure(const Error& e) {
  return e.kind() == ErrorKind::kDeviceUnavailable || e.kind() == ErrorKind::kResourceExhausted;
}

constexpr double kCpuReadIntervalMs = 50;  // /proc/stat counts 10 ms ticks per core: shorter reads are noise
// While the last run used the GPU, the GPU probe runs this many times less often (see read_load).
constexpr double kSparseProbeFactor = 6;

}  // namespace

class Session::Impl {
 public:
  Impl(const Model& model, const SessionOptions& o) : graph_(model.graph()), options_(o), born_(Clock::now()) {
    const bool fp16 = o.precision == Precision::kFp16;
    const partition::PolicySpec& policy = o.policy;
    if (o.threads < 0 || o.threads > kMaxThreads)
      fail(ErrorKind::kInvalidArgument, "model '{}': {} CPU threads asked for; use 0 (all) or 1..{}", graph_.model_name,
           o.threads, kMaxThreads);
    if (!(std::isfinite(o.tuning_budget_ms) && o.tuning_budget_ms >= 0))
      fail(ErrorKind::kInvalidArgument, "model '{}': a tuning budget of {} ms; use a finite number >= 0",
           graph_.model_name, o.tuning_budget_ms);
    using Kind = partition::PolicySpec::Kind;
    // fp16 is GPU-only: the CPU kernels and the tensors the CPU shares with the GPU are float32.
    if (fp16 && policy.kind != Kind::kGpu)
      fail(ErrorKind::kUnsupported, "model '{}': precision fp16 needs policy gpu (policy '{}' runs on the CPU, "
           "whose kernels are fp32)", graph_.model_name, policy.text);
    if (fp16 && !all_ops_on_gpu(graph_))
      fail(ErrorKind::kUnsupported, "model '{}': precision fp16 needs every op on the GPU, but some have no GPU "
           "kernel and would run on the CPU in fp32; use precision fp32", graph_.model_name);
    inputs_.resize(graph_.inputs.size());
    if (policy.kind == Kind::kCpu) {
      add_runner(make_cpu_runner(graph_, o.threads));
      return;
    }
    // Tensor cores (float16 operands) for mixed and fp16, never for strict fp32: each conv-like op then
    // holds its shader and its tensor-core kernel, and tuning keeps the faster
    // (gpu/ops/tensor_core_choice.h; HETSCHED_NO_COOPMAT=1 turns tensor cores off).
    const bool tensor_cores = o.precision == Precision::kMixed || fp16;
    device_ = std::make_unique<gpu::VulkanDevice>(
        gpu::DeviceOptions{.device_index = o.device, .fp16 = fp16, .cooperative_matrix = tensor_cores});
    cache_ = std::make_unique<gpu::PipelineCache>(*device_);
    if (o.tune) tuning_ = std::make_unique<gpu::WorkgroupTuningCache>(*device_);
    if (policy.kind == Kind::kGpu) {
      add_gpu_runner();
    } else if (policy.kind == Kind::kAuto) {
      prepare_auto(policy);
    } else {
      add_runner(make_co_runner(graph_, *device_, cache_.get(), partition::make_plan(graph_, policy), o.threads));
    }
    try {
      cache_->save();
      if (tuning_ && tuning_->dirty()) tuning_->save();
    } catch (const Error&) {
      // The caches only speed up the next start; a read-only home is not an error.
    }
  }

  ~Impl() {
    probe_.reset();  // waits for a probe in flight before the executors go
  }

  const TuningSummary& tuning() const { return tuning_summary_; }

  void set_input(int i, std::span<const float> nhwc) {
    if (i < 0 || i >= int(graph_.inputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} inputs, not {}", graph_.model_name, graph_.inputs.size(), i + 1);
    const int next = next_runner();
    runners_[next]->set_input(i, nhwc);  // checks the element count
    if (runners_.size() == 1) return;
    inputs_[i].assign(nhwc.begin(), nhwc.end());
    for (size_t r = 0; r < runners_.size(); ++r) stale_[r][i] = int(r) != next;
  }

  void run() {
    const int64_t index = runs_++;
    report_.events.clear();
    if (controller_) report_.events = controller_->take_new_events();
    int r = next_runner();
    double ms = 0;
    try {
      ms = run_on(r);
    } catch (const Error& e) {
      // Under auto a failed GPU (device lost, out of device memory) leaves the CPU: fall back.
      if (!controller_ || !runners_[r]->uses().gpu || !is_device_failure(e)) throw;
      const std::string reason = fmt::format("{} failed at run {}: {}; continuing without the GPU", runners_[r]->name(),
                                             index, e.what());
      probe_.reset();
      if (!controller_->disable(r, reason, now_ms())) throw;
      for (ControllerEvent& ev : controller_->take_new_events()) report_.events.push_back(std::move(ev));
      r = next_runner();
      ms = run_on(r);
    }
    if (controller_) {
      const LoadReading load = read_load();
      report_.load_cpu_other_share = load.cpu_other_share;
      report_.load_gpu_probe_ms = load.gpu_probe_ms;
      controller_->record(ms, load, now_ms());
    }
  }

  std::vector<float> output(int i) const {
    if (i < 0 || i >= int(graph_.outputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} outputs, not {}", graph_.model_name, graph_.outputs.size(), i + 1);
    return runners_[last_runner_]->output(i);
  }
  const RunReport& report() const { return report_; }
  void set_profiling(bool on) {
    for (auto& r : runners_) r->set_profiling(on);
  }
  const std::string& cost_source() const { return cost_source_; }
  std::string plan_json() const { return partition::to_json(runners_[next_runner()]->plan()).dump(); }
  std::string current_runner() const { return runners_[next_runner()]->name(); }
  const std::vector<ControllerEvent>& decisions() const {
    static const std::vector<ControllerEvent> none;
    return controller_ ? controller_->events() : none;
  }
  void set_fake_slowdown(FakeSlowdown s) {
    slowdown_ = s;
    for (auto& r : runners_) r->set_fake_slowdown(s);
  }

 private:
  void add_runner(std::unique_ptr<Runner> r) {
    runners_.push_back(std::move(r));
    stale_.emplace_back(graph_.inputs.size(), false);
  }

  // GPU-only in one command buffer when every op has a GPU kernel, else the GPU plan with the
  // unsupported ops on the CPU.
  void add_gpu_runner() {
    if (all_ops_on_gpu(graph_)) {
      add_runner(make_gpu_runner(graph_, *device_, cache_.get(), tuning_.get(), options_.tuning_budget_ms));
      note_tuning(*runners_.back()->gpu_executor());
    } else {
      add_runner(make_co_runner(graph_, *device_, cache_.get(),
                                single_processor_plan(graph_, partition::PolicySpec::Kind::kGpu), options_.threads, "gpu"));
    }
  }

  // `auto`: the cost model's plan, the CPU and the GPU as candidates, prepared now; the controller
  // then times them in steady state (blocks of consecutive runs) and picks one.
  void prepare_auto(const partition::PolicySpec& policy) {
    PlanningCosts planning = planning_costs(graph_, *device_, cache_.get(), options_.threads, options_.predict_costs);
    cost_source_ = std::move(planning.source);
    const partition::CostModel& costs = planning.costs;
    partition::Plan plan = partition::make_plan(graph_, policy, &costs);
    std::vector<CandidateInfo> cand;
    double cpu_ms = 0, gpu_ms = 0;
    for (const partition::OpCost& c : costs.ops) {
      cpu_ms += c.cpu_ms;
      gpu_ms += c.gpu_ms >= 0 ? c.gpu_ms : c.cpu_ms;
    }
    add_runner(make_cpu_runner(graph_, options_.threads));
    cand.push_back({"cpu", runners_.back()->uses(), cpu_ms, false});
    add_gpu_runner();
    cand.push_back({"gpu", runners_.back()->uses(), gpu_ms, false});
    if (!same_placement(plan, runners_[0]->plan()) && !same_placement(plan, runners_[1]->plan())) {
      const double predicted = plan.predicted_ms;
      add_runner(make_co_runner(graph_, *device_, cache_.get(), std::move(plan), options_.threads, "co"));
      cand.push_back({"co", runners_.back()->uses(), predicted, true});
    }
    if (runners_[1]->gpu_executor()) {
      try {
        probe_ = std::make_unique<GpuProbe>(*device_);
      } catch (const Error&) {
        probe_.reset();  // no timestamps: the controller probes the GPU on a timer instead
      }
    }
    cpu_sensor_.read();  // the first reading needs a previous sample
    controller_ = std::make_unique<AdaptiveController>(std::move(cand), options_.adapt, DecideOptions{},
                                                       policy.adaptive);
    // The decision runs on seeded random inputs; the user's set_input replaces them.
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> d(-1, 1);
    for (size_t i = 0; i < graph_.inputs.size(); ++i) {
      inputs_[i].resize(graph_.tensors[graph_.inputs[i]].elements());
      for (float& v : inputs_[i]) v = d(rng);
      for (auto& s : stale_) s[i] = true;
    }
    while (!controller_->settled()) run();
    runs_ = 0;  // user runs count from 0
    controller_->start_user_runs();
    gpu_probe_ms_.reset();  // readings from the decision's turns: see start_user_runs
    gpu_read_at_ = -1e9;
    if (probe_) probe_->forget();
  }

  int next_runner() const { return controller_ ? controller_->next() : 0; }

  double run_on(int r) {
    Runner& runner = *runners_[r];
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (stale_[r][i]) {
        runner.set_input(int(i), inputs_[i]);
        stale_[r][i] = false;
      }
    const auto t0 = Clock::now();
    runner.run(report_);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    report_.runner = runner.name();
    last_runner_ = r;
    return ms;
  }

  // Readings of the processors the controller is not using now (cheap: a GPU probe is submitted
  // here and read back at a later run; /proc is read at most every kCpuReadIntervalMs).
  LoadReading read_load() {
    const double now = now_ms();
    if (controller_->wants_cpu_load() && now - cpu_read_at_ >= kCpuReadIntervalMs) {
      if (auto v = cpu_sensor_.read()) cpu_share_ = v;
      cpu_read_at_ = now;
    }
    // On a slow GPU (lavapipe runs on the CPU) the probe's own cost sets the interval: at most 1% of the time.
    const double frequent = std::max(options_.adapt.sensor_interval_ms, probe_ ? 100 * probe_->last_exec_ms() : 0.0);
    // While the last run used the GPU its own latency shows the GPU's load, and the reading only
    // dates estimates: the probe runs kSparseProbeFactor times less often, unless the controller
    // waits for a recent reading (wants_frequent_gpu_probe). A probe is a submission of its own
    // beside the run's, and on the H100 about one run per probe was slow: face_detection_short_range
    // (0.25 ms runs) under a full CPU load had 26.8 slow runs a second at one probe per 25 ms
    // (bench/results/load_h100_2026-12-07-s17/README.md).
    const bool sparse = runners_[last_runner_]->uses().gpu && !controller_->wants_frequent_gpu_probe();
    const double interval = sparse ? kSparseProbeFactor * frequent : frequent;
    if (probe_ && controller_->wants_gpu_probe()) {
      try {
        // On a software GPU (lavapipe: threads on the CPU's cores) a probe that ran beside the
        // session's own GPU work measured that work, not another process's load: such a reading
        // would make the GPU look busy while we used it and idle once we stopped, a false drop
        // that probed the co plan every few runs (mobilenet_v3_large here: 4 of 20 runs).
        const bool own_work = device_->info().type == gpu::DeviceType::kCpu && runners_[last_runner_]->gpu_executor();
        if (auto v = probe_->poll(); v && !own_work) gpu_probe_ms_ = *v * slowdown_.gpu_factor, gpu_read_at_ = now;
        if (!probe_->in_flight() && now - last_probe_submit_ms_ >= interval) {
          last_probe_submit_ms_ = now;
          probe_->submit();
        }
      } catch (const Error&) {
        probe_.reset();  // the next run that uses the GPU reports the device failure
      }
    }
    // Only fresh readings count: an old one would date an estimate taken under another load.
    LoadReading r;
    if (now - cpu_read_at_ < 5 * kCpuReadIntervalMs) r.cpu_other_share = cpu_share_;
    if (now - gpu_read_at_ < std::max(200.0, 4 * interval)) r.gpu_probe_ms = gpu_probe_ms_;
    r.gpu_probe_recent = now - gpu_read_at_ <= 2 * frequent;
    // The test hook reads as the load that would slow the CPU this much (unclamped: above 1 when
    // the machine is busy already, so its end is seen as a drop).
    if (r.cpu_other_share && slowdown_.cpu_factor > 1) *r.cpu_other_share += 1 - 1 / slowdown_.cpu_factor;
    return r;
  }

  double now_ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - born_).count(); }

  void note_tuning(const gpu::GpuExecutor& executor) {
    const gpu::TuningStats& s = executor.tuning_stats();
    tuning_summary_ = {tuning_ != nullptr, s.kernels, s.shapes_timed, s.cache_hits, s.changed, s.deferred,
                       s.timed_default_us, s.timed_best_us, s.tuning_ms, s.precompiled,
                       executor.tensor_core_kernels()};
  }

  const Graph& graph_;
  SessionOptions options_;
  Clock::time_point born_;
  std::unique_ptr<gpu::VulkanDevice> device_;
  std::unique_ptr<gpu::PipelineCache> cache_;
  std::unique_ptr<gpu::WorkgroupTuningCache> tuning_;
  TuningSummary tuning_summary_;
  std::vector<std::unique_ptr<Runner>> runners_;  // declared after the device: destroyed before it
  std::vector<std::vector<bool>> stale_;          // per runner, per input: not yet given the latest input
  std::vector<std::vector<float>> inputs_;        // the latest inputs (only kept with several runners)
  std::unique_ptr<AdaptiveController> controller_;
  std::unique_ptr<GpuProbe> probe_;  // after the runners: destroyed (drained) first
  CpuLoadSensor cpu_sensor_;
  std::optional<double> cpu_share_, gpu_probe_ms_;
  double cpu_read_at_ = -1e9, gpu_read_at_ = -1e9, last_probe_submit_ms_ = -1e9;
  FakeSlowdown slowdown_;
  std::string cost_source_;
  RunReport report_;
  int last_runner_ = 0;
  int64_t runs_ = 0;
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
std::string Session::plan_json() const { return impl_->plan_json(); }
std::string Session::current_runner() const { return impl_->current_runner(); }
const std::vector<ControllerEvent>& Session::decisions() const { return impl_->decisions(); }
const std::string& Session::cost_source() const { return impl_->cost_source(); }
void Session::set_fake_slowdown(FakeSlowdown slowdown) { impl_->set_fake_slowdown(slowdown); }

}  // namespace hetsched
