// DescriptorArena: a descriptor pool from which a plan allocates one set per dispatch and writes its
// storage-buffer bindings; reset as a whole.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "gpu/buffer.h"
#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;
class ComputePipeline;

// Thread-safety: not internally synchronized (the pool is externally synchronized): one arena per
// thread that allocates. Sets it hands out may be bound from any thread. Not movable.
class DescriptorArena {
 public:
  // Room for `max_sets` sets holding `max_storage_buffers` storage-buffer descriptors in total.
  DescriptorArena(const VulkanDevice& device, uint32_t max_sets, uint32_t max_storage_buffers);
  DescriptorArena(const DescriptorArena&) = delete;
  DescriptorArena& operator=(const DescriptorArena&) = delete;

  // A set for `pipeline` with binding i = buffers[i]. Errors: kInvalidArgument when the count does
  // not match the pipeline, a range's offset is not a multiple of minStorageBufferOffsetAlignment or
  // its size is 0; kResourceExhausted when a range exceeds maxStorageBufferRange or the arena is
  // full. `context` (op index, step) goes into every error, with the range's label.
  VkDescriptorSet allocate(const ComputePipeline& pipeline, std::span<const BufferRange> buffers,
                           std::string_view context);
  // Frees every set at once (none may be in use by the GPU).
  void reset();

 private:
  const VulkanDevice& device_;
  DescriptorPool pool_;
  uint32_t max_sets_ = 0;
};

}  // namespace hetsched::gpu
