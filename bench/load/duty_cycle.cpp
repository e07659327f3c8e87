// DutyCycleLoad: dispatch sizing, the busy/idle loop with up to three submissions in flight (so the queue
// does not drain between dispatches at high duty), and busy-time accounting as the union of the
// dispatches' [start, end] intervals (submissions may overlap on the device).
#include "bench/load/duty_cycle.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "base/error.h"
#include "bench/load/busy_kernel.h"
#include "gpu/command.h"
#include "gpu/fence.h"
#include "gpu/timestamps.h"

namespace hetsched::load {

namespace {

constexpr int kSlots = 3;
constexpr uint32_t kMaxIterations = 1u << 26;
constexpr int64_t kMs = 1'000'000;

// Workgroups per dispatch: a CPU device (lavapipe) runs one workgroup per thread at a time, so two
// per hardware thread keep every thread busy with the least per-dispatch overhead; a GPU gets 4096
// groups of 128 (512 Ki invocations: more than an H100/H200 keeps resident, 132 SMs x 2048).
uint32_t groups_for(const gpu::VulkanDevice& device) {
  if (device.info().type == gpu::DeviceType::kCpu)
    return std::max(2u, 2 * std::max(1u, std::thread::hardware_concurrency()));
  return 4096;
}

struct Slot {
  explicit Slot(const gpu::VulkanDevice& device) : cmd(device), fence(device) {}
  gpu::CommandBuffer cmd;
  gpu::Fence fence;
  std::optional<gpu::TimestampQueries> queries;
  int64_t submitted_host_ns = 0;
};

// One finished dispatch: [start, end] on the GPU clock (timestamps) or the host clock (fences).
struct Interval {
  int64_t start_ns = 0, end_ns = 0;
};

}  // namespace

struct DutyCycleLoad::State {
  State(const gpu::VulkanDevice& d, DutyCycleOptions o) : device(d), options(o), kernel(d, groups_for(d)) {
    for (int i = 0; i < kSlots; ++i) slots.push_back(std::make_unique<Slot>(d));
    try {
      for (auto& s : slots) s->queries.emplace(d, 2);
      timestamps = true;
    } catch (const Error&) {  // kUnsupported: no timestamps on the compute queue
      for (auto& s : slots) s->queries.reset();
      timestamps = false;
    }
  }

  void submit(Slot& slot) {
    slot.fence.reset();
    slot.cmd.begin();
    if (timestamps) {
      slot.queries->reset(slot.cmd);
      slot.queries->write(slot.cmd, 0, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT);
    }
    kernel.record(slot.cmd, iterations);
    if (timestamps) slot.queries->write(slot.cmd, 1, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT);
    slot.cmd.end();
    const VkCommandBuffer cb = slot.cmd.get();
    slot.submitted_host_ns = gpu::host_now_ns();
    gpu::submit(device, gpu::Submission{{&cb, 1}, {}, {}, slot.fence.get()}, "gpu_load dispatch");
  }

  Interval wait(Slot& slot) {
    if (!slot.fence.wait(std::chrono::seconds(60), "gpu_load: waiting for a busy-loop dispatch"))
      fail(ErrorKind::kInternal, "gpu_load: a dispatch of {} groups x {} iterations did not finish in 60 s on {}",
           kernel.groups(), iterations, device.describe());
    if (!timestamps) return {slot.submitted_host_ns, gpu::host_now_ns()};
    const std::vector<uint64_t> t = slot.queries->read_ns(0, 2);
    return {static_cast<int64_t>(t[0]), static_cast<int64_t>(std::max(t[0], t[1]))};
  }

  // Median duration of 3 single dispatches at the current size.
  double time_dispatch_ms() {
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
      submit(*slots[0]);
      const Interval iv = wait(*slots[0]);
      ms.push_back(double(iv.end_ns - iv.start_ns) / double(kMs));
    }
    std::sort(ms.begin(), ms.end());
    return ms[1];
  }

  // Scales the iteration count until one dispatch takes 0.75-1.33x the target.
  void calibrate() {
    const double target = options.dispatch_ms;
    for (int attempt = 0; attempt < 12; ++attempt) {
      const double t = time_dispatch_ms();
      if (t >= 0.75 * target && t <= 1.33 * target) return;
      const double scale = std::clamp(target / std::max(t, 1e-3), 1.0 / 16, 16.0);
      const double next = std::clamp(double(iterations) * scale, 1.0, double(kMaxIterations));
      if (uint32_t(next) == iterations) return;  // at a bound: the closest we can get
      iterations = uint32_t(next);
    }
  }

  const gpu::VulkanDevice& device;
  DutyCycleOptions options;
  BusyKernel kernel;
  std::vector<std::unique_ptr<Slot>> slots;
  bool timestamps = false;
  uint32_t iterations = 256;
};

DutyCycleLoad::DutyCycleLoad(const gpu::VulkanDevice& device, DutyCycleOptions options) {
  if (!(options.duty >= 0 && options.duty <= 1))
    fail(ErrorKind::kInvalidArgument, "gpu_load: --duty {} is outside [0, 1]", options.duty);
  if (!(options.period_ms > 0) || !(options.dispatch_ms > 0))
    fail(ErrorKind::kInvalidArgument, "gpu_load: --period-ms {} and --dispatch-ms {} must be > 0", options.period_ms,
         options.dispatch_ms);
  state_ = std::make_unique<State>(device, options);
  if (options.duty > 0) state_->calibrate();
}

DutyCycleLoad::~DutyCycleLoad() = default;
uint32_t DutyCycleLoad::groups() const { return state_->kernel.groups(); }
uint32_t DutyCycleLoad::iterations() const { return state_->iterations; }

DutyCycleReport DutyCycleLoad::run(const std::atomic<bool>& stop, const std::function<void(int, double)>& each_second) {
  State& s = *state_;
  const DutyCycleOptions& o = s.options;
  const int64_t period_ns = int64_t(o.period_ms * double(kMs));
  const int64_t busy_target_ns = int64_t(o.duty * double(period_ns));
  // The busy part of a period ends on a whole dispatch, so a period overshoots or undershoots its
  // target by up to one dispatch; the difference carries into the next period's target (error
  // diffusion), so the long-run share converges on the duty even when dispatches run long because
  // the device is shared.
  int64_t carry = 0;
  const int64_t t0 = gpu::host_now_ns();
  const int64_t deadline = o.seconds > 0 ? t0 + int64_t(o.seconds * 1e9) : INT64_MAX;
  int64_t total_busy = 0, dispatch_sum = 0, dispatches = 0;
  int64_t last_end = INT64_MIN;            // end of the busy union so far (the intervals' clock)
  int64_t window_start = t0, window_busy = 0;
  int second = 0;
  double est_ns = o.dispatch_ms * double(kMs);  // running estimate of one dispatch
  std::deque<Slot*> in_flight;
  size_t next_slot = 0;

  auto finish_oldest = [&](int64_t& period_busy) {
    Slot* slot = in_flight.front();
    in_flight.pop_front();
    const Interval iv = s.wait(*slot);
    const int64_t busy = std::max<int64_t>(0, iv.end_ns - std::max(iv.start_ns, last_end));
    last_end = std::max(last_end, iv.end_ns);
    period_busy += busy;
    total_busy += busy;
    window_busy += busy;
    dispatch_sum += iv.end_ns - iv.start_ns;
    ++dispatches;
    est_ns = 0.8 * est_ns + 0.2 * double(iv.end_ns - iv.start_ns);
  };
  auto report_seconds = [&](int64_t now) {
    while (each_second && now - window_start >= 1'000'000'000) {
      each_second(++second, double(window_busy) / double(now - window_start));
      window_start = now;
      window_busy = 0;
    }
  };

  while (!stop.load() && gpu::host_now_ns() < deadline) {
    const int64_t period_start = gpu::host_now_ns();
    const int64_t period_end = std::min(period_start + period_ns, deadline);
    int64_t period_busy = 0;
    const int64_t budget = busy_target_ns + carry;
    // Busy part: keep up to kSlots dispatches queued while the busy time done plus the time of those
    // queued stays under the target and the period lasts.
    for (;;) {
      const int64_t now = gpu::host_now_ns();
      const bool want = period_busy + int64_t(double(in_flight.size()) * est_ns) < budget &&
                        now < period_end && !stop.load();
      if (want && in_flight.size() < size_t(kSlots)) {
        Slot* slot = s.slots[next_slot++ % kSlots].get();
        s.submit(*slot);
        in_flight.push_back(slot);
        continue;
      }
      if (in_flight.empty()) break;
      finish_oldest(period_busy);
    }
    carry = o.duty > 0 ? std::clamp<int64_t>(budget - period_busy, -period_ns, period_ns) : 0;
    // Idle part, in slices so that a stop request is seen within 5 ms.
    for (int64_t now = gpu::host_now_ns(); now < period_end && !stop.load(); now = gpu::host_now_ns())
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(period_end - now, 5 * kMs)));
    report_seconds(gpu::host_now_ns());
  }
  while (!in_flight.empty()) {
    int64_t ignored = 0;
    finish_oldest(ignored);
  }
  DutyCycleReport r;
  r.duty = o.duty;
  r.wall_s = double(gpu::host_now_ns() - t0) / 1e9;
  r.busy_share = r.wall_s > 0 ? double(total_busy) / (r.wall_s * 1e9) : 0;
  r.dispatches = dispatches;
  r.mean_dispatch_ms = dispatches ? double(dispatch_sum) / double(dispatches) / double(kMs) : 0;
  r.groups = s.kernel.groups();
  r.iterations = s.iterations;
  r.busy_source = s.timestamps ? "timestamps" : "fences";
  r.device = s.device.describe();
  return r;
}

}  // namespace hetsched::load
