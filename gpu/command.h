// Command recording and submission: a command buffer with its own pool, recording helpers for
// dispatches, barriers, copies and timestamps, and submission with timeline semaphore waits/signals.
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "gpu/buffer.h"
#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;
class ComputePipeline;

// One side of a barrier: the pipeline stage and the memory access that happen there.
struct SyncScope {
  VkPipelineStageFlags stage = 0;
  VkAccessFlags access = 0;
};
inline constexpr SyncScope kComputeRead{VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT};
inline constexpr SyncScope kComputeWrite{VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT};
inline constexpr SyncScope kComputeReadWrite{VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                                             VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
inline constexpr SyncScope kTransferRead{VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT};
inline constexpr SyncScope kTransferWrite{VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT};
inline constexpr SyncScope kHostRead{VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT};
inline constexpr SyncScope kHostWrite{VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_WRITE_BIT};

// Thread-safety: externally synchronized as a whole (a VkCommandPool and its buffers): one thread
// records at a time; use one CommandBuffer per recording thread. Not movable. begin() recycles the
// previous recording, so the GPU must be done with it (wait on its fence or semaphore first).
class CommandBuffer {
 public:
  explicit CommandBuffer(const VulkanDevice& device);
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  VkCommandBuffer get() const { return cmd_; }
  const VulkanDevice& device() const { return device_; }

  // Resets the pool and begins a one-time-submit recording; end() finishes it.
  void begin();
  void end();

  // Binds `pipeline` and `set`, pushes `push` (exactly pipeline.push_constant_bytes() bytes) and
  // dispatches `groups` workgroups. Error kInvalidArgument (with `context`) when the push size does
  // not match or a group count exceeds maxComputeWorkGroupCount.
  void dispatch(const ComputePipeline& pipeline, VkDescriptorSet set, std::span<const std::byte> push,
                std::array<uint32_t, 3> groups, std::string_view context = {});
  template <typename Push>
  void dispatch(const ComputePipeline& pipeline, VkDescriptorSet set, const Push& push,
                std::array<uint32_t, 3> groups, std::string_view context = {}) {
    dispatch(pipeline, set, std::as_bytes(std::span<const Push>(&push, 1)), groups, context);
  }

  // A global memory barrier: every `src` access before it is visible to every `dst` access after.
  void barrier(SyncScope src, SyncScope dst);
  // Buffer memory barriers on the given ranges only (same queue family, no ownership transfer).
  void barrier(std::span<const BufferRange> ranges, SyncScope src, SyncScope dst);
  // Named barriers for the executor's common cases (global; pass ranges to barrier() to narrow):
  void compute_to_compute() { barrier(kComputeWrite, kComputeReadWrite); }  // RAW and WAW between dispatches
  void transfer_to_compute() { barrier(kTransferWrite, kComputeReadWrite); }
  void compute_to_transfer() { barrier(kComputeWrite, kTransferRead); }
  // Makes shader writes visible to the host after the submission's fence/semaphore wait.
  void compute_to_host() { barrier(kComputeWrite, kHostRead); }
  // Host writes made before vkQueueSubmit are visible to the submission without a barrier.

  // vkCmdCopyBuffer of src.size bytes. Error kInvalidArgument when the sizes differ.
  void copy(const BufferRange& src, const BufferRange& dst);
  // vkCmdFillBuffer with a 32-bit pattern (offset and size multiples of 4).
  void fill(const BufferRange& dst, uint32_t word);

  void reset_queries(VkQueryPool pool, uint32_t first, uint32_t count);
  void write_timestamp(VkQueryPool pool, uint32_t query, VkPipelineStageFlagBits stage);

 private:
  const VulkanDevice& device_;
  CommandPool pool_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;  // owned by pool_
};

// A timeline semaphore the submission waits for (value reached before `stage` runs) or signals
// (when all its commands complete).
struct TimelineWait {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;
  VkPipelineStageFlags stage = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
};
struct TimelineSignal {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;
};

struct Submission {
  std::span<const VkCommandBuffer> command_buffers = {};
  std::span<const TimelineWait> waits = {};
  std::span<const TimelineSignal> signals = {};
  VkFence fence = VK_NULL_HANDLE;  // optional
};

// One vkQueueSubmit on the device's compute queue (VkTimelineSemaphoreSubmitInfo carries the
// values). Thread-safe (the device serializes queue access). `context` names the work for errors.
void submit(const VulkanDevice& device, const Submission& submission, std::string_view context);

// Submits `cmd` (recorded and ended by the caller) with a fresh fence and waits for it.
// Error kInternal when it does not finish within `timeout`. For uploads, tests and calibration.
void submit_and_wait(const VulkanDevice& device, const CommandBuffer& cmd, std::string_view context,
                     std::chrono::nanoseconds timeout = std::chrono::seconds(60));

}  // namespace hetsched::gpu
