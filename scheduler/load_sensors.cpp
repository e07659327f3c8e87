// CPU load from /proc and the GPU probe (see load_sensors.h).
#include "scheduler/load_sensors.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "gpu/command.h"
#include "gpu/device.h"
#include "gpu/executor.h"
#include "gpu/fence.h"
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
  const Graph& graph;
  const gpu::VulkanDevice& device;
  gpu::GpuExecutor& executor;
  int op = -1;
  gpu::CommandBuffer cmd;
  gpu::TimestampQueries queries;
  gpu::Fence fence;
  gpu::ClockCalibration clock;
  State(const Graph& g, const gpu::VulkanDevice& d, gpu::GpuExecutor& e)
      : graph(g), device(d), executor(e), cmd(d), queries(d, 2), fence(d), clock(gpu::calibrate_clocks(d)) {}
};

namespace {
// The cheapest convolution of the model (smallest output), else its first op with a dispatch.
int probe_op(const Graph& g) {
  int best = -1;
  int64_t best_size = 0;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    if (op.type != OpType::kConv2D && op.type != OpType::kDepthwiseConv2D) continue;
    const int64_t size = g.tensors[op.outputs[0]].elements();
    if (best < 0 || size < best_size) best = int(i), best_size = size;
  }
  if (best >= 0) return best;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (g.ops[i].type != OpType::kConcatenation && g.ops[i].type != OpType::kReshape) return int(i);
  return -1;
}
}  // namespace

GpuProbe::GpuProbe(const Graph& graph, const gpu::VulkanDevice& device, gpu::GpuExecutor& executor)
    : s_(std::make_unique<State>(graph, device, executor)), calibrated_ns_(gpu::host_now_ns()) {
  s_->op = probe_op(graph);
  if (s_->op < 0) fail(ErrorKind::kUnsupported, "model '{}' has no op to probe the GPU with", graph.model_name);
}

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
  const Graph& g = s_->graph;
  s_->executor.record_op(cmd, s_->op, OutputRange::whole(g.tensors[g.ops[s_->op].outputs[0]].shape4()));
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
