// The GPU executor: runs a prepared graph on one Vulkan device, in the manner of the TFLite GPU
// delegate. Activations live in one storage buffer planned by live ranges (memory/); each op is a
// GpuKernel; the whole model is recorded once into one command buffer (input staging copies,
// dispatches with pipeline barriers only where a dependency needs one, output copies, timestamps)
// and resubmitted each run. GPU-only runs write channel concats in place (concat_in_place.h). With `shared_arena`, the activation buffer is host-visible
// (DEVICE_LOCAL|HOST_VISIBLE where the device has it) so the CPU can read and write tensors in place.
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
#include "gpu/gpu_kernel.h"
#include "gpu/pipeline_cache.h"
#include "gpu/timestamps.h"
#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched::gpu {

struct GpuExecutorOptions {
  bool shared_arena = false;  // activations in host-visible memory (co-execution)
  bool record_model = true;   // record the whole-model command buffer (GPU-only runs)
  // The memory planner's strategy; unset: the best. Co-execution passes kNaive (no aliasing):
  // the two processors run ahead of each other, so live ranges in op order do not hold.
  std::optional<memory::Strategy> memory_strategy;
  // Ops that get a GPU kernel (empty: all). The co-scheduler passes the ops with a GPU part.
  std::vector<bool> ops_on_gpu;
  // With shared_arena: the tensors the CPU touches (empty: all). They live in the host-visible
  // arena; the others in a device-local one, so GPU-only tensors keep device bandwidth.
  std::vector<bool> host_tensors;
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
  // Host pointer of a tensor in the shared arena (nullptr unless shared_arena).
  float* tensor_host_data(int tensor) const;
  // Records op `op_index` over `range` (no barriers).
  void record_op(CommandBuffer& cmd, int op_index, const OutputRange& range) const;
  const memory::MemoryPlan& memory_plan() const { return plan_; }
  // Concats written in place by their producers (no dispatch of their own).
  int in_place_concats() const { return in_place_.count(); }

 private:
  void record_model();

  const Graph& graph_;
  const VulkanDevice& device_;
  GpuExecutorOptions options_;
  std::vector<std::unique_ptr<GpuKernel>> kernels_;
  InPlaceConcats in_place_;             // concats whose inputs are views of their output
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
  bool profiling_ = false;
  bool recorded_with_timestamps_ = false;
  std::vector<double> op_times_ms_;
};

}  // namespace hetsched::gpu
