// The co-execution scheduler: runs a plan with the CPU and GPU executors at the same time.
//
// Memory: every tensor the CPU touches lives in one shared PHWC4 arena (host-visible, host-cached
// coherent memory: gpu/buffer.cpp), so the CPU reads and writes its slices in place and no byte is
// copied; GPU-only tensors live in a device-local arena. Both arenas alias: two tensors share bytes
// only when every access of one is ordered before every access of the other by the plan's program
// order and synchronizations (partition/plan_liveness.h), and inside a segment the GPU executor puts
// barriers on write-after-read and write-after-write too (gpu/segment_recording.h), and every
// segment starts with a barrier after the earlier segments' shader accesses. Where the halves of
// operator chains could drift apart enough to push the arenas past 1.3x the single-device best
// plan, the planner adds memory synchronizations (lag-1 waits, CoexecMemoryOptions) that this
// scheduler runs like the plan's own. Each run waits for its last segment (also on failure), so
// runs never overlap: run N+1's parts start after every part of run N completed.
//
// Synchronization rule: both processors walk the plan in op order. A part that reads data the
// other processor produced waits for it: the GPU on the `cpu` timeline semaphore (the host signals
// value base+k+1 after its part of step k), the host on the `gpu` timeline (a GPU segment signals
// base+j+1 when it completes). GPU parts are grouped into segments (one pre-recorded command buffer
// each, recorded by the GPU executor), cut before a part that waits for the CPU and after a part the
// CPU waits for (partition::derive_gpu_segments); all segments are submitted at the start of a run
// (wait-before-signal) and the host then runs its parts. Never vkQueueWaitIdle/vkDeviceWaitIdle on
// the run path.
//
// Chains: a channel-local op whose step splits slices at the same boundary as its input's step
// reads only its own side's slices, so neither side waits (operator chains; also row-local ops
// split by rows, partition/plan_syncs.h).
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "cpu/executor.h"
#include "gpu/command.h"
#include "gpu/executor.h"
#include "gpu/timeline.h"
#include "gpu/timestamps.h"
#include "partition/plan.h"
#include "partition/plan_liveness.h"
#include "scheduler/session.h"

namespace hetsched {

class CoScheduler {
 public:
  CoScheduler(const Graph& graph, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
              partition::Plan plan, int threads);
  ~CoScheduler();

  void set_input(int index, std::span<const float> nhwc) { cpu_->set_input(index, nhwc); }
  void run();
  std::vector<float> output_nhwc(int index) const { return cpu_->output_nhwc(index); }
  const RunReport& report() const { return report_; }
  const partition::Plan& plan() const { return plan_; }
  // Bytes of the host-visible and the device-local arena.
  uint64_t host_arena_bytes() const { return gpu_->host_arena().size(); }
  uint64_t device_arena_bytes() const { return gpu_->arena().size(); }
  // PHWC4 storage of a tensor the CPU touches; nullptr for GPU-only tensors. The arenas alias, so
  // after a run only model inputs and outputs are guaranteed to hold their values.
  const float* tensor_data(int tensor) const { return cpu_->tensor_data(tensor); }
  // Test hook: the next run throws an injected fault when the host reaches step `step`, with GPU
  // segments in flight; the run after it must be correct.
  void inject_fault_at_step(int step) { fault_step_ = step; }
  // Profiling: GPU timestamps around every GPU part (the report then has GPU start/end times;
  // each part is fenced by barriers). Off by default: timed runs carry no profiling cost.
  void set_profiling(bool on);

 private:
  struct Segment : partition::GpuSegment {
    std::unique_ptr<gpu::CommandBuffer> cmd;
  };

  void analyze();
  void record_segments();
  void recover_after_failure();

  const Graph& graph_;
  const gpu::VulkanDevice& device_;
  partition::Plan plan_;
  partition::PlanSyncs syncs_;  // what runs: the plan's syncs plus memory synchronizations
  std::unique_ptr<gpu::GpuExecutor> gpu_;
  std::unique_ptr<cpu::CpuExecutor> cpu_;
  gpu::TimelineSemaphore cpu_timeline_, gpu_timeline_;
  uint64_t cpu_base_ = 0, gpu_base_ = 0;
  std::vector<OutputRange> cpu_range_, gpu_range_;
  std::vector<int> cpu_waits_for_gpu_step_;  // per step: the GPU step its CPU part waits for (-1)
  std::vector<int> gpu_waits_for_cpu_step_;  // per step: the CPU step its GPU part waits for (-1)
  std::vector<bool> cpu_signals_;            // per step: the host signals after its CPU part
  std::vector<int> segment_of_step_;         // per step: its GPU part's segment (-1)
  std::vector<Segment> segments_;
  std::unique_ptr<gpu::TimestampQueries> timestamps_;  // 2 per step: GPU part start and end
  gpu::ClockCalibration clock_;
  RunReport report_;
  int fault_step_ = -1;
  bool profiling_ = false;
};

}  // namespace hetsched
