// Co-execution scheduler: dependency analysis, GPU segments, and the run loop (see header).
#include "scheduler/co_scheduler.h"

#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "gpu/workgroup_tuning.h"
#include "graph/op_registry.h"
#include "partition/plan_syncs.h"
#include "partition/policy.h"

namespace hetsched {
namespace {
constexpr auto kWaitTimeout = std::chrono::seconds(120);
}  // namespace

CoScheduler::CoScheduler(const Graph& graph, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                         partition::Plan plan, int threads)
    : graph_(graph), device_(device), plan_(std::move(plan)), cpu_timeline_(device), gpu_timeline_(device) {
  if (plan_.steps.size() != graph_.ops.size())
    fail(ErrorKind::kInvalidArgument, "plan of '{}' has {} steps, the model {} ops", graph_.model_name,
         plan_.steps.size(), graph_.ops.size());
  gpu::GpuExecutorOptions gopt;
  for (size_t k = 0; k < plan_.steps.size(); ++k) {
    const Shape4 out = graph_.tensors[graph_.ops[k].outputs[0]].shape4();
    gopt.ops_on_gpu.push_back(!plan_.steps[k].gpu_range(out).empty());
  }
  gopt.shared_arena = true;
  gopt.record_model = false;
  // Tensors the CPU touches (inputs, outputs, and every tensor a CPU part reads or writes) live
  // in the host-visible arena; GPU-only tensors stay in device-local memory. Both arenas are
  // planned from the plan's order (partition/plan_liveness.h).
  const size_t alignment = std::max<size_t>(64, device_.info().min_storage_buffer_offset_alignment);
  partition::CoexecMemory memory = partition::plan_coexec_memory(graph_, plan_, {.alignment = alignment});
  gopt.host_tensors = memory.in_host_arena;
  gopt.tensor_offsets = memory.offset;
  // Workgroup sizes the GPU-only executor tuned for these op shapes on this device (cache hits
  // only, no timing here: a budget of 0 leaves uncached shapes at their default sizes).
  gpu::WorkgroupTuningCache tuning(device_);
  gopt.tuning = &tuning;
  gopt.tuning_budget_ms = 0;
  gpu_ = std::make_unique<gpu::GpuExecutor>(graph_, device_, cache, gopt);
  syncs_ = std::move(memory.syncs);  // the plan's waits and signals, plus any memory synchronizations
  cpu_ = std::make_unique<cpu::CpuExecutor>(graph_, cpu::CpuExecutorOptions{threads, false});
  for (size_t t = 0; t < graph_.tensors.size(); ++t)
    if (gopt.host_tensors[t]) cpu_->bind_tensor(int(t), gpu_->tensor_host_data(int(t)));
  analyze();
  try {
    timestamps_ = std::make_unique<gpu::TimestampQueries>(device_, uint32_t(2 * graph_.ops.size()));
    clock_ = gpu::calibrate_clocks(device_);
  } catch (const Error&) {
    timestamps_.reset();  // no timestamps on this queue: GPU step times come from the host side
  }
  record_segments();
}

CoScheduler::~CoScheduler() {
  // Nothing may be in flight: every run waits for its last segment, also on failure.
}

void CoScheduler::analyze() {
  const int n = int(graph_.ops.size());
  cpu_range_.resize(n), gpu_range_.resize(n);
  cpu_waits_for_gpu_step_.assign(n, -1), gpu_waits_for_cpu_step_.assign(n, -1);
  cpu_signals_.assign(n, false);
  for (int k = 0; k < n; ++k) {
    const Shape4 out = graph_.tensors[graph_.ops[k].outputs[0]].shape4();
    cpu_range_[k] = plan_.steps[k].cpu_range(out);
    gpu_range_[k] = plan_.steps[k].gpu_range(out);
    if (!gpu_range_[k].empty() && !partition::gpu_supports(graph_.ops[k]))
      fail(ErrorKind::kInvalidArgument, "plan step {}: {} has no GPU kernel", k, graph_.describe(graph_.ops[k]));
  }
  // Waits and signals: the derivation shared with `hetsched plan` (partition/plan_syncs.h), plus
  // the memory synchronizations the arenas were planned with (partition/plan_liveness.h).
  const partition::PlanSyncs& syncs = syncs_;
  for (int k = 0; k < n; ++k) {
    cpu_waits_for_gpu_step_[k] = syncs.steps[k].cpu_waits_for_gpu_step;
    gpu_waits_for_cpu_step_[k] = syncs.steps[k].gpu_waits_for_cpu_step;
    cpu_signals_[k] = syncs.steps[k].cpu_signals;
  }
  // Model outputs computed by the GPU are read by the host after the last segment completes.
  segment_of_step_.assign(n, -1);
  segments_.clear();
  for (partition::GpuSegment& s : partition::derive_gpu_segments(graph_, plan_, syncs)) {
    for (int k : s.steps) segment_of_step_[k] = int(segments_.size());
    segments_.push_back(Segment{std::move(s), nullptr});
  }
}

void CoScheduler::set_profiling(bool on) {
  if (on == profiling_) return;
  profiling_ = on;
  record_segments();
}

void CoScheduler::record_segments() {
  // The GPU executor records each segment with its barrier rule (gpu/segment_recording.h); the
  // segment starts after host writes and earlier segments, and ends with shader writes -> host.
  gpu::SegmentRecordOptions options;
  options.timestamps = profiling_ ? timestamps_.get() : nullptr;
  for (Segment& seg : segments_) {
    std::vector<gpu::SegmentPart> parts;
    for (int k : seg.steps) parts.push_back({k, gpu_range_[k]});
    seg.cmd = std::make_unique<gpu::CommandBuffer>(device_);
    gpu_->record_segment(*seg.cmd, parts, options);
  }
}

void CoScheduler::recover_after_failure() {
  // Release every GPU wait of this run, then let the GPU drain, so the next run starts clean.
  const uint64_t cpu_last = cpu_base_ + graph_.ops.size() + 1;
  if (cpu_timeline_.value() < cpu_last) cpu_timeline_.signal(cpu_last, "failure recovery");
  if (!segments_.empty()) gpu_timeline_.wait(gpu_base_ + segments_.size(), kWaitTimeout, "failure recovery");
  cpu_base_ = cpu_last;
  gpu_base_ += segments_.size();
}

void CoScheduler::run() {
  using Clock = std::chrono::steady_clock;
  const int n = int(graph_.ops.size());
  const auto t0 = Clock::now();
  const int64_t t0_ns = gpu::host_now_ns();
  report_.steps.clear();
  std::vector<std::pair<double, double>> cpu_times(n, {0, 0});
  std::vector<double> cpu_wait(n, 0);

  // Submit every GPU segment; each waits for its host step's value and signals its own.
  for (size_t j = 0; j < segments_.size(); ++j) {
    const Segment& seg = segments_[j];
    const VkCommandBuffer cb = seg.cmd->get();
    gpu::TimelineWait wait{cpu_timeline_.get(), cpu_base_ + uint64_t(seg.wait_cpu_step + 1)};
    gpu::TimelineSignal signal{gpu_timeline_.get(), gpu_base_ + j + 1};
    gpu::Submission sub;
    sub.command_buffers = {&cb, 1};
    if (seg.wait_cpu_step >= 0) sub.waits = {&wait, 1};
    sub.signals = {&signal, 1};
    try {
      gpu::submit(device_, sub, "co-execution segment");
    } catch (...) {
      // Segments already submitted wait for host values: release them before reporting.
      gpu_base_ += j;  // only j segments will signal
      const uint64_t cpu_last = cpu_base_ + n + 1;
      cpu_timeline_.signal(cpu_last, "failure recovery");
      if (j > 0) gpu_timeline_.wait(gpu_base_, kWaitTimeout, "failure recovery");
      cpu_base_ = cpu_last;
      throw;
    }
  }

  try {
    for (int k = 0; k < n; ++k) {
      if (k == fault_step_) {
        fault_step_ = -1;
        fail(ErrorKind::kInternal, "fault injected at plan step {} of model '{}'", k, graph_.model_name);
      }
      if (cpu_range_[k].empty()) continue;
      const auto w0 = Clock::now();
      if (const int p = cpu_waits_for_gpu_step_[k]; p >= 0) {
        const uint64_t v = gpu_base_ + uint64_t(segment_of_step_[p]) + 1;
        if (!gpu_timeline_.wait(v, kWaitTimeout, "host wait for GPU step"))
          fail(ErrorKind::kDeviceUnavailable, "model '{}': GPU step {} did not finish within 120 s", graph_.model_name, p);
      }
      const auto s0 = Clock::now();
      cpu_wait[k] = std::chrono::duration<double, std::milli>(s0 - w0).count();
      cpu_->run_op(k, cpu_range_[k]);
      const auto s1 = Clock::now();
      cpu_times[k] = {std::chrono::duration<double, std::milli>(s0 - t0).count(),
                      std::chrono::duration<double, std::milli>(s1 - t0).count()};
      if (cpu_signals_[k]) cpu_timeline_.signal(cpu_base_ + uint64_t(k) + 1, "host signal after CPU step");
    }
    if (!segments_.empty() && !gpu_timeline_.wait(gpu_base_ + segments_.size(), kWaitTimeout, "host wait for GPU"))
      fail(ErrorKind::kDeviceUnavailable, "model '{}': the GPU did not finish within 120 s", graph_.model_name);
  } catch (...) {
    recover_after_failure();
    throw;
  }
  report_.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  // Values only grow: the next run starts above everything this run could have signalled.
  cpu_base_ += uint64_t(n) + 1;
  gpu_base_ += segments_.size();

  for (int k = 0; k < n; ++k) {
    const std::string type = to_string(graph_.ops[k].type);
    if (!cpu_range_[k].empty())
      report_.steps.push_back({k, type, "cpu", cpu_times[k].first, cpu_times[k].second, cpu_wait[k], 0});
    if (!gpu_range_[k].empty()) {
      StepReport r{k, type, "gpu", 0, 0, 0, 0};
      if (profiling_ && timestamps_) {
        const std::vector<uint64_t> ns = timestamps_->read_ns(uint32_t(2 * k), 2);
        r.start_ms = double(clock_.to_host_ns(ns[0]) - t0_ns) * 1e-6;
        r.end_ms = double(clock_.to_host_ns(ns[1]) - t0_ns) * 1e-6;
      }
      report_.steps.push_back(r);
    }
  }
}

}  // namespace hetsched
