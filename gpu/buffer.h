// GPU buffers: device-local storage, persistently mapped host-visible staging, and shared buffers
// (HOST_VISIBLE|HOST_COHERENT, HOST_CACHED preferred: gpu/buffer.cpp says why not resizable-BAR
// DEVICE_LOCAL|HOST_VISIBLE) that both the CPU and the GPU touch.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gpu/device_info.h"
#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;

enum class MemoryUse {
  kDeviceLocal,  // GPU-only storage: DEVICE_LOCAL, host-invisible preferred (keeps the BAR free).
  kStaging,      // Upload/readback: HOST_VISIBLE|HOST_COHERENT, HOST_CACHED preferred, not
                 // DEVICE_LOCAL preferred; persistently mapped.
  kShared,       // CPU writes, GPU reads (or back): HOST_VISIBLE|HOST_COHERENT, HOST_CACHED
                 // preferred (the CPU reads them too: BAR memory is uncached for the CPU);
                 // persistently mapped. On integrated and CPU devices this is device memory.
};
const char* to_string(MemoryUse use);

// The memory type for a resource: has every `required` flag and is allowed by `type_bits`; among
// those, the most `preferred` flags, then the fewest `avoided` flags, then the lowest index.
// Returns -1 when none qualifies.
int find_memory_type(const DeviceInfo& info, uint32_t type_bits, VkMemoryPropertyFlags required,
                     VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags avoided);

// A sub-range of a buffer as bound to a shader or used in a barrier/copy. `label` names the tensor
// or purpose for errors (a view of the Buffer's label: the Buffer must outlive the range).
struct BufferRange {
  VkBuffer buffer = VK_NULL_HANDLE;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string_view label;
};

// A VkBuffer (storage + transfer src/dst usage) with its own VkDeviceMemory. Host-visible buffers
// stay mapped for their lifetime; their memory is always HOST_COHERENT, so no flush/invalidate is
// needed: host writes before a submit are visible to it, GPU writes are visible to the host after a
// fence/semaphore wait that follows a compute->host barrier (CommandBuffer::compute_to_host()).
//
// Thread-safety: immutable after construction; mapped memory may be accessed by any thread (races
// on the bytes are the caller's to avoid). Move-only; moving is an external-synchronization point.
class Buffer {
 public:
  Buffer() = default;
  // Allocates `bytes` (> 0). Errors: kResourceExhausted naming `label`, the use and the size when
  // the size exceeds the device's allocation limit or heap, or the driver is out of memory;
  // kInvalidArgument for 0 bytes.
  Buffer(const VulkanDevice& device, uint64_t bytes, MemoryUse use, std::string label);
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() = default;

  VkBuffer get() const { return buffer_.get(); }
  uint64_t size() const { return size_; }
  MemoryUse use() const { return use_; }
  const std::string& label() const { return label_; }
  int memory_type() const { return memory_type_; }
  VkMemoryPropertyFlags memory_flags() const { return memory_flags_; }
  bool device_local() const { return memory_flags_ & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; }
  bool host_visible() const { return mapped_ != nullptr; }

  // The persistent mapping; nullptr for kDeviceLocal buffers.
  void* mapped() const { return mapped_; }
  // The mapping as `size() / sizeof(T)` elements of T. Error kInternal if not host-visible.
  template <typename T>
  std::span<T> host_view() const {
    return {static_cast<T*>(checked_mapping()), static_cast<size_t>(size_ / sizeof(T))};
  }

  BufferRange whole() const { return {buffer_.get(), 0, size_, label_}; }
  // Bytes [offset, offset + bytes). Error kInvalidArgument if outside the buffer.
  BufferRange range(uint64_t offset, uint64_t bytes) const;

 private:
  void* checked_mapping() const;

  DeviceMemory memory_;  // declared first: the buffer is destroyed before its memory
  BufferHandle buffer_;
  uint64_t size_ = 0;
  MemoryUse use_ = MemoryUse::kDeviceLocal;
  std::string label_;
  int memory_type_ = -1;
  VkMemoryPropertyFlags memory_flags_ = 0;
  void* mapped_ = nullptr;
};

}  // namespace hetsched::gpu
