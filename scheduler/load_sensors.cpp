// CPU load from /proc and the GPU probe (see load_sensors.h).
#include "scheduler/load_sensors.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/device.h"
#include "gpu/fence.h"
#include "gpu/pipeline.h"
#include "gpu/timestamps.h"

namespace hetsched {

std::optional<double> CpuLoadSensor::read() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t v[10] = {};
  if (!(stat >> cpu) || cpu != "cpu") return std::nullopt;
  for (uint64_t& x : v) stat >> x;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user.
  const uint64_t idle = v[3] + v[4];
  const uint64_t total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
  const uint64_t busy = total - idle;
  std::ifstream self("/proc/self/stat");
  std::string line;
  if (!std::getline(self, line)) return std::nullopt;
  // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const uint64_t mine = utime + stime;
  std::optional<double> out;
  if (have_ && total > total_) {
    const double d_total = double(total - total_);
    const double d_other = double(busy - busy_) - double(mine - self_);
    out = std::clamp(d_other / d_total, 0.0, 1.0);
  }
  have_ = true;
  total_ = total, busy_ = busy, self_ = mine;
  return out;
}

struct GpuProbe::State {
  const gpu::VulkanDevice& device;
  gpu::Buffer target;
  gpu::ComputePipeline fill;
  gpu::DescriptorArena descriptors;
  VkDescriptorSet set = VK_NULL_HANDLE;  // owned by descriptors
  gpu::CommandBuffer cmd;
  gpu::TimestampQueries queries;
  gpu::Fence fence;
  gpu::ClockCalibration clock;
  explicit State(const gpu::VulkanDevice& d);
};

namespace {
// gpu/shaders/fill_range.comp: constant_id 0 = local_size_x; push constants begin, end, value.
constexpr uint32_t kFillLocalSize = 64;
struct FillSpec {
  uint32_t local_size_x = kFillLocalSize;
};
struct FillPush {
  uint32_t begin = 0, end = 0;
  float value = 0;
};
}  // namespace

GpuProbe::State::State(const gpu::VulkanDevice& d)
    : device(d),
      target(d, kProbeFloats * sizeof(float), gpu::MemoryUse::kDeviceLocal, "auto controller GPU probe"),
      fill(d, {.shader = "fill_range",
               .spec = gpu::SpecConstants::from_struct(FillSpec{}),
               .push_constant_bytes = sizeof(FillPush),
               .storage_buffers = 1}),
      descriptors(d, 1, 1),
      cmd(d),
      queries(d, 2),
      fence(d),
      clock(gpu::calibrate_clocks(d)) {
  const gpu::BufferRange bindings[] = {target.whole()};
  set = descriptors.allocate(fill, bindings, "auto controller GPU probe");
}

GpuProbe::GpuProbe(const gpu::VulkanDevice& device)
    : s_(std::make_unique<State>(device)), calibrated_ns_(gpu::host_now_ns()) {}

GpuProbe::~GpuProbe() {
  try {
    drain();
  } catch (...) {
    // A lost device: nothing left to wait for.
  }
}

void GpuProbe::submit() {
  if (in_flight_) return;
  if (s_->clock.from_extension && gpu::host_now_ns() - calibrated_ns_ >= kRecalibrateNs) {
    s_->clock = gpu::calibrate_clocks(s_->device);
    calibrated_ns_ = gpu::host_now_ns();
    ++calibrations_;
  }
  gpu::CommandBuffer& cmd = s_->cmd;
  cmd.begin();
  s_->queries.reset(cmd);
  s_->queries.write(cmd, 0, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT);
  cmd.dispatch(s_->fill, s_->set, FillPush{0, kProbeFloats, 1.0f}, {kProbeFloats / kFillLocalSize, 1, 1},
               "auto controller GPU probe");
  s_->queries.write(cmd, 1, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  cmd.end();
  s_->fence.reset();
  const VkCommandBuffer cb = cmd.get();
  gpu::Submission sub;
  sub.command_buffers = {&cb, 1};
  sub.fence = s_->fence.get();
  submit_ns_ = gpu::host_now_ns();
  gpu::submit(s_->device, sub, "auto controller GPU probe");
  in_flight_ = true;
}

std::optional<double> GpuProbe::poll() {
  if (!in_flight_ || !s_->fence.signaled()) return std::nullopt;
  in_flight_ = false;
  const std::vector<uint64_t> ns = s_->queries.read_ns(0, 2);
  last_exec_ms_ = double(ns[1] - ns[0]) * 1e-6;
  const double ms = std::max(0.0, double(s_->clock.to_host_ns(ns[1]) - submit_ns_) * 1e-6);
  // The first probe is a warm-up (cold pipeline and caches: 1.8 ms against 0.35 ms after it on
  // lavapipe); dated with it, every later reading looked like the GPU's load had dropped.
  if (++completed_ == 1) return std::nullopt;
  // The slowest of the last 3: under another process's duty-cycled load (a GPU busy 90% of every
  // 20 ms) a probe that lands in a gap reads "idle"; the median of 3 did so when two of three did
  // (~3% of readings, about one a second on the H100), each a false drop that cost a probe; all
  // three in gaps is ~0.1%. The end of a load is seen 3 probes later (75 ms at the default interval).
  recent_.push_back(ms);
  if (recent_.size() > 3) recent_.pop_front();
  return *std::max_element(recent_.begin(), recent_.end());
}

void GpuProbe::drain() {
  if (!in_flight_) return;
  s_->fence.wait(std::chrono::seconds(60), "auto controller GPU probe");
  poll();
}

}  // namespace hetsched
