// GPU clock guard (see header): the reference executor, its calibration, readings and the
// re-time decision.
#include "profiles/gpu_clock_guard.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "gpu/executor.h"
#include "gpu/fence.h"

namespace hetsched::profiles {
namespace {

using Clock = std::chrono::steady_clock;

// The reference graph: t1 = t0 + t0 on [1,16,16,64] (64 KiB fp32: cache-resident, so its time
// follows the SM clock rather than the memory's).
Graph reference_graph() {
  Graph g;
  g.model_name = "clock-guard reference (ADD [1,16,16,64])";
  for (int i = 0; i < 2; ++i) {
    Tensor t;
    t.name = fmt::format("ref{}", i);
    t.shape = {1, 16, 16, 64};
    g.tensors.push_back(t);
  }
  Op op;
  op.type = OpType::kAdd;
  op.inputs = {0, 0};
  op.outputs = {1};
  op.attributes = BinaryAttributes{};
  op.model_index = 0;
  g.ops.push_back(op);
  g.inputs = {0};
  g.outputs = {1};
  return g;
}

OutputRange whole_output(const Graph& g) { return OutputRange::whole(g.tensors[1].shape4()); }

}  // namespace

bool clock_suspect(double ref_us, double best_ref_us, double tolerance) {
  return ref_us > 0 && best_ref_us > 0 && ref_us > tolerance * best_ref_us;
}

GpuClockGuard::GpuClockGuard(const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                             ClockGuardOptions options)
    : device_(device), options_(options), graph_(reference_graph()),
      retiming_(device.info().type != gpu::DeviceType::kCpu || bool(options_.reading_for_testing)) {
  gpu::GpuExecutorOptions o;
  o.tuning_budget_ms = 0;  // the default workgroup size: the same kernel in every session
  o.precompile = gpu::GpuExecutorOptions::Precompile::kOff;
  o.record_model = false;
  ex_ = std::make_unique<gpu::GpuExecutor>(graph_, device_, cache, o);
  gpu::CommandBuffer cmd(device_);  // zeroed tensors: no NaNs or denormals
  cmd.begin();
  cmd.fill(ex_->arena().whole(), 0);
  cmd.barrier(gpu::kTransferWrite, gpu::kComputeReadWrite);
  cmd.end();
  gpu::submit_and_wait(device_, cmd, "GPU clock guard: zeroing the reference kernel's tensors");
  calibrate();
}

void GpuClockGuard::calibrate() {
  gpu::TimestampQueries queries(device_, 2);  // kUnsupported without timestamps
  if (device_.info().type != gpu::DeviceType::kCpu) busy(options_.calibrate_ms);
  for (int i = 0; i < 3; ++i) {
    gpu::CommandBuffer cmd(device_);
    cmd.begin();
    queries.reset(cmd);
    record(cmd, queries, 0);
    cmd.end();
    gpu::submit_and_wait(device_, cmd, "GPU clock guard: calibrating the reference kernel");
    const auto ns = queries.read_ns(0, 2);
    observe(ns[0], ns[1]);
  }
}

GpuClockGuard::~GpuClockGuard() = default;

void GpuClockGuard::record(gpu::CommandBuffer& cmd, const gpu::TimestampQueries& queries, uint32_t first) const {
  queries.write(cmd, first, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  for (int k = 0; k < kRefDispatches; ++k) {
    ex_->record_op(cmd, 0, whole_output(graph_));
    cmd.compute_to_compute();
  }
  queries.write(cmd, first + 1, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
}

double GpuClockGuard::observe(uint64_t begin_ns, uint64_t end_ns) {
  double us = double(end_ns - begin_ns) * 1e-3 / kRefDispatches;
  if (options_.reading_for_testing) us = options_.reading_for_testing(us);
  if (us > 0) {  // best_us_: the second lowest reading (the first while there is one)
    if (readings_++ == 0) {
      lowest_us_ = best_us_ = us;
    } else if (us < lowest_us_) {
      best_us_ = lowest_us_, lowest_us_ = us;
    } else if (us < best_us_ || readings_ == 2) {
      best_us_ = us;
    }
  }
  return us;
}

bool GpuClockGuard::suspect(double ref_us) const {
  return retiming_ && clock_suspect(ref_us, best_us_, options_.tolerance);
}

void GpuClockGuard::busy(double ms) {
  if (ms <= 0) return;
  gpu::CommandBuffer cmd(device_);
  cmd.begin();
  for (int k = 0; k < 64; ++k) {
    ex_->record_op(cmd, 0, whole_output(graph_));
    cmd.compute_to_compute();
  }
  cmd.end();
  gpu::Fence fence(device_);
  const VkCommandBuffer cb = cmd.get();
  constexpr const char* kWhat = "GPU clock guard: busy reference dispatches";
  const auto t0 = Clock::now();
  do {
    fence.reset();
    gpu::submit(device_, gpu::Submission{{&cb, 1}, {}, {}, fence.get()}, kWhat);
    if (!fence.wait(std::chrono::seconds(60), kWhat))
      fail(ErrorKind::kInternal, "{}: the GPU did not finish within 60 s on {}", kWhat, device_.describe());
  } while (std::chrono::duration<double, std::milli>(Clock::now() - t0).count() < ms);
}

}  // namespace hetsched::profiles
