// The GPU executor: runs a prepared graph on one Vulkan device, in the manner of the TFLite GPU
// delegate. Activations live in one storage buffer planned by live ranges (memory/); each op is a
// GpuKernel; the whole model is recorded once into one command buffer (input staging copies,
// dispatches with pipeline barriers only where the barrier rule of gpu/segment_recording.h needs
// one, output copies, timestamps) and resubmitted each run; the co-scheduler asks for segments of
// parts (record_segment) recorded with the same rule. GPU-only runs write channel concats in place
// (concat_in_place.h). With `shared_arena`, the tensors the CPU touches live in a second,
// host-visible arena (host-cached, coherent memory: gpu/buffer.cpp) so the CPU reads and writes
// them in place; the others stay in device-local memory.
// Precision: on a device created with fp16 every tensor and constant is float16 on the GPU (the
// `_fp16` shader variants); set_input/output_nhwc convert from/to float32, and shared_arena
// (co-execution, where the CPU reads GPU tensors) is refused with kUnsupported.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "gpu/buffer.h"
#include "gpu/concat_in_place.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/device.h"
#include "gpu/fence.h"
#include "gpu/gpu_fusions.h"
#include "gpu/gpu_kernel.h"
#include "gpu/pipeline_cache.h"
#include "gpu/segment_recording.h"
#include "gpu/timestamps.h"
#include "gpu/workgroup_tuning.h"
#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched::gpu {

struct GpuExecutorOptions {
  bool shared_arena = false;  // activations in host-visible memory (co-execution)
  bool record_model = true;   // record the whole-model command buffer (GPU-only runs)
  // The memory planner's strategy; unset: the best. Ignored with tensor_offsets.
  std::optional<memory::Strategy> memory_strategy;
  // Activation offsets planned by the caller, per tensor (bytes into its arena, -1 for none;
  // multiples of the storage-buffer offset alignment, at least 64): co-execution plans them from
  // the plan's order (partition/plan_liveness.h), since live ranges in op order do not hold when
  // the two processors run ahead of each other. Empty: the executor plans by op order.
  std::vector<int64_t> tensor_offsets;
  // Ops that get a GPU kernel (empty: all). The co-scheduler passes the ops with a GPU part.
  std::vector<bool> ops_on_gpu;
  // With shared_arena: the tensors the CPU touches (empty: all). They live in the host-visible
  // arena; the others in a device-local one, so GPU-only tensors keep device bandwidth.
  std::vector<bool> host_tensors;
  // Workgroup tuning at prepare time (gpu/executor_tuning.cpp): each kernel's local size comes from
  // this cache, or its candidates are timed with GPU timestamps and the fastest is stored in it.
  // Null: every kernel keeps its default size (`--no-tune`). Must outlive the constructor only.
  WorkgroupTuningCache* tuning = nullptr;
  // Host time one prepare may spend timing candidates. Op shapes still untimed when it runs out
  // keep their defaults and are not cached, so a later prepare times them (tuning completes over
  // a few starts on a slow device such as lavapipe; on a real GPU one start suffices).
  double tuning_budget_ms = 5000;
  // Whether the tuning candidates' pipelines are compiled ahead of the timing loop on other
  // threads: kAuto on every device but a CPU one (lavapipe: the threads would take the cores being
  // timed); kOn forces it (tests), kOff never.
  enum class Precompile { kAuto, kOn, kOff };
  Precompile precompile = Precompile::kAuto;
  // GPU-only runs: which kernel fusions to make (gpu/gpu_fusions.h: depthwise + 1x1 conv pairs,
  // MEAN + FC chains); defaults from HETSCHED_FUSE_DWPW / HETSCHED_NO_FUSE_MEANFC (A/B timings).
  GpuFusionSwitches fusions = GpuFusionSwitches::from_env();
  // How run() waits for the GPU: kSpin polls the fence for up to twice the last run's time (at
  // least 0.2 ms, at most 5 ms) before it sleeps in vkWaitForFences, as a CUDA stream sync spins by
  // default; kBlock sleeps at once. kAuto: kSpin on a real GPU, kBlock on a CPU device (lavapipe's
  // threads need the core). HETSCHED_GPU_WAIT=spin|block overrides kAuto (A/B timings). Why: on
  // the H100 a thread asleep in vkWaitForFences often woke ~0.3 ms late on an otherwise idle
  // machine (its core in a deep idle state), and runs of 0.3-0.5 ms models came in two modes
  // (bench/results/host_wait_h100_2026-12-07/).
  enum class HostWait { kAuto, kSpin, kBlock };
  HostWait host_wait = HostWait::kAuto;
};

class GpuExecutor {
 public:
  // `graph` and `device` must outlive the executor. `cache` may be null.
  GpuExecutor(const Graph& graph, const VulkanDevice& device, const PipelineCache* cache, GpuExecutorOptions options);
  ~GpuExecutor();
  GpuExecutor(const GpuExecutor&) = delete;
  GpuExecutor& operator=(const GpuExecutor&) = delete;

  // Model input i (NHWC) into its staging buffer (PHWC4); used by the next run().
  void set_input(int input_index, std::span<const float> nhwc);
  // Submits the recorded model and waits for it; per-op GPU times in op_times_ms().
  void run();
  std::vector<float> output_nhwc(int output_index) const;
  const std::vector<double>& op_times_ms() const { return op_times_ms_; }
  // Profiling: GPU timestamps around every op (with a barrier before each, so each op's time is
  // its own). Off by default: timed runs carry no profiling cost. Re-records the model.
  void set_profiling(bool on);

  // For the scheduler.
  const VulkanDevice& device() const { return device_; }
  const Buffer& arena() const { return arena_; }
  const Buffer& host_arena() const { return host_arena_; }
  BufferRange tensor_range(int tensor) const;
  // Bytes of a tensor on the GPU: PHWC4 elements x 4, or x 2 on an fp16 device.
  uint64_t tensor_bytes(int tensor) const;
  // Host pointer of a tensor in the shared arena (nullptr unless shared_arena).
  float* tensor_host_data(int tensor) const;
  // Records op `op_index` over `range` (no barriers).
  void record_op(CommandBuffer& cmd, int op_index, const OutputRange& range) const;
  // Records (begin to end) one co-execution segment: the parts in order, with the barrier rule of
  // segment_recording.h between them (so slots the arenas reuse are safe inside the segment).
  void record_segment(CommandBuffer& cmd, std::span<const SegmentPart> parts, const SegmentRecordOptions& options) const;
  // The device-local arena's plan (with tensor_offsets: its offsets and total_bytes only).
  const memory::MemoryPlan& memory_plan() const { return plan_; }
  // The kernel of op `op_index` (null: none in this executor), e.g. for its workgroup size.
  const GpuKernel* kernel(int op_index) const { return kernels_.at(size_t(op_index)).get(); }
  // Concats written in place by their producers (no dispatch of their own).
  int in_place_concats() const { return in_place_.count(); }
  // The kernel fusions made (gpu/gpu_fusions.h; none in co-execution).
  const GpuFusions& fusions() const { return fusions_; }
  // What workgroup tuning did in the constructor (all zero without options.tuning).
  const TuningStats& tuning_stats() const { return tuning_stats_; }
  // Kernels whose dispatches run on tensor cores now (after tuning's choice; gpu/ops/tensor_core_choice.h).
  int tensor_core_kernels() const;

 private:
  void record_model();
  // Arena ranges of the op's non-constant inputs.
  std::vector<BufferRange> op_reads(int op_index) const;
  void tune_workgroups(WorkgroupTuningCache& cache, const PipelineCache* pipelines);
  // GPU microseconds of one whole-range dispatch of op `op_index` (best of a few), or a negative
  // value when the queue has no timestamps.
  double time_op_us(int op_index, TimestampQueries& queries);

  const Graph& graph_;
  const VulkanDevice& device_;
  GpuExecutorOptions options_;
  std::vector<std::unique_ptr<GpuKernel>> kernels_;
  InPlaceConcats in_place_;             // concats whose inputs are views of their output
  GpuFusions fusions_;                  // op chains run as one dispatch
  memory::MemoryPlan plan_;
  std::vector<int64_t> tensor_offset_;  // bytes into its arena; -1 for constants
  std::vector<bool> in_host_arena_;     // per tensor: in host_arena_ rather than arena_
  Buffer arena_;                        // device-local (or shared when every tensor is host-visible)
  Buffer host_arena_;                   // shared_arena: host-visible tensors
  std::vector<Buffer> input_staging_, output_staging_;
  std::unique_ptr<DescriptorArena> descriptors_;
  std::unique_ptr<CommandBuffer> model_cmd_;
  std::unique_ptr<TimestampQueries> timestamps_;
  std::unique_ptr<Fence> fence_;
  bool spin_wait_ = false;     // options.host_wait resolved for this device
  double last_run_ms_ = 0.5;   // host time of the last run(): sets the next spin budget
  bool profiling_ = false;
  bool recorded_with_timestamps_ = false;
  std::vector<double> op_times_ms_;
  TuningStats tuning_stats_;
};

}  // namespace hetsched::gpu
