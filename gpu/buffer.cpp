// Buffer allocation: size validation against the device's limits, memory type choice per use,
// persistent mapping of host-visible memory.
#include "gpu/buffer.h"

#include <bit>
#include <utility>

#include "gpu/device.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

struct MemoryPolicy {
  VkMemoryPropertyFlags required, preferred, avoided;
};

MemoryPolicy policy_for(MemoryUse use) {
  constexpr VkMemoryPropertyFlags kHost = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  switch (use) {
    case MemoryUse::kDeviceLocal:
      return {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT};
    case MemoryUse::kStaging:
      return {kHost, VK_MEMORY_PROPERTY_HOST_CACHED_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT};
    case MemoryUse::kShared:
      // HOST_CACHED first: the CPU reads these bytes, and CPU reads of write-combined
      // DEVICE_LOCAL|HOST_VISIBLE (resizable BAR) memory are slow enough to make a CPU part
      // hundreds of times slower (measured on the H100: mobilenet_v1 at ratio=0.3 went from
      // milliseconds to 3.6 s). The GPU reads host-cached memory over PCIe instead.
      return {kHost, VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0};
  }
  return {0, 0, 0};
}

std::string human_bytes(uint64_t b) {
  if (b >= (uint64_t(1) << 30)) return fmt::format("{:.2f} GiB", double(b) / double(uint64_t(1) << 30));
  return fmt::format("{:.2f} MiB", double(b) / double(1 << 20));
}

}  // namespace

const char* to_string(MemoryUse use) {
  switch (use) {
    case MemoryUse::kDeviceLocal: return "device-local";
    case MemoryUse::kStaging: return "staging";
    case MemoryUse::kShared: return "shared";
  }
  return "?";
}

int find_memory_type(const DeviceInfo& info, uint32_t type_bits, VkMemoryPropertyFlags required,
                     VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags avoided) {
  int best = -1, best_preferred = -1, best_avoided = 0;
  for (size_t i = 0; i < info.memory_types.size(); ++i) {
    const VkMemoryPropertyFlags f = info.memory_types[i].flags;
    if (!(type_bits & (1u << i)) || (f & required) != required) continue;
    const int p = std::popcount(f & preferred), a = std::popcount(f & avoided);
    if (p > best_preferred || (p == best_preferred && a < best_avoided)) {
      best = static_cast<int>(i);
      best_preferred = p;
      best_avoided = a;
    }
  }
  return best;
}

Buffer::Buffer(const VulkanDevice& device, uint64_t bytes, MemoryUse use, std::string label)
    : size_(bytes), use_(use), label_(std::move(label)) {
  const DeviceInfo& info = device.info();
  if (bytes == 0) fail(ErrorKind::kInvalidArgument, "cannot allocate a 0-byte {} buffer for '{}'", to_string(use), label_);
  if (info.max_memory_allocation_size > 0 && bytes > info.max_memory_allocation_size)
    fail(ErrorKind::kResourceExhausted,
         "cannot allocate {} bytes ({}) of {} memory for '{}': {} allows at most {} bytes ({}) per allocation", bytes,
         human_bytes(bytes), to_string(use), label_, device.describe(), info.max_memory_allocation_size,
         human_bytes(info.max_memory_allocation_size));

  auto buffer_info = vk_struct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  buffer_info.size = bytes;
  buffer_info.usage =
      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  buffer_info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateBuffer(device.get(), &buffer_info, nullptr, &buffer),
                    "creating a {}-byte {} buffer for '{}' on {}", bytes, to_string(use), label_, device.describe());
  buffer_ = BufferHandle(device.get(), buffer);

  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(device.get(), buffer, &req);
  const MemoryPolicy policy = policy_for(use);
  memory_type_ = find_memory_type(info, req.memoryTypeBits, policy.required, policy.preferred, policy.avoided);
  if (memory_type_ < 0)
    fail(ErrorKind::kUnsupported, "{} has no {} memory type for '{}' (required flags 0x{:x})", device.describe(),
         to_string(use), label_, policy.required);
  memory_flags_ = info.memory_types[memory_type_].flags;
  const uint32_t heap = info.memory_types[memory_type_].heap;
  if (req.size > info.memory_heaps[heap].size)
    fail(ErrorKind::kResourceExhausted,
         "cannot allocate {} bytes ({}) of {} memory for '{}': memory heap {} of {} holds only {} bytes ({})", bytes,
         human_bytes(bytes), to_string(use), label_, heap, device.describe(), info.memory_heaps[heap].size,
         human_bytes(info.memory_heaps[heap].size));

  auto alloc = vk_struct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = static_cast<uint32_t>(memory_type_);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK_AT(fault_injection::Site::kMemoryAllocation,
                       vkAllocateMemory(device.get(), &alloc, nullptr, &memory),
                       "allocating {} bytes of {} memory (type {}) for '{}' on {}", req.size, to_string(use),
                       memory_type_, label_, device.describe());
  memory_ = DeviceMemory(device.get(), memory);
  HETSCHED_VK_CHECK(vkBindBufferMemory(device.get(), buffer, memory, 0), "binding memory of '{}'", label_);
  if (use != MemoryUse::kDeviceLocal) {
    HETSCHED_VK_CHECK(vkMapMemory(device.get(), memory, 0, VK_WHOLE_SIZE, 0, &mapped_),
                      "mapping {} bytes of {} memory for '{}'", bytes, to_string(use), label_);
  }
}

Buffer::Buffer(Buffer&& other) noexcept
    : memory_(std::move(other.memory_)),
      buffer_(std::move(other.buffer_)),
      size_(std::exchange(other.size_, 0)),
      use_(other.use_),
      label_(std::move(other.label_)),
      memory_type_(std::exchange(other.memory_type_, -1)),
      memory_flags_(std::exchange(other.memory_flags_, 0)),
      mapped_(std::exchange(other.mapped_, nullptr)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    buffer_ = std::move(other.buffer_);  // the buffer goes before its memory
    memory_ = std::move(other.memory_);
    size_ = std::exchange(other.size_, 0);
    use_ = other.use_;
    label_ = std::move(other.label_);
    memory_type_ = std::exchange(other.memory_type_, -1);
    memory_flags_ = std::exchange(other.memory_flags_, 0);
    mapped_ = std::exchange(other.mapped_, nullptr);
  }
  return *this;
}

BufferRange Buffer::range(uint64_t offset, uint64_t bytes) const {
  if (offset > size_ || bytes > size_ - offset)
    fail(ErrorKind::kInvalidArgument, "range [{}, {}) is outside buffer '{}' of {} bytes", offset, offset + bytes,
         label_, size_);
  return {buffer_.get(), offset, bytes, label_};
}

void* Buffer::checked_mapping() const {
  if (!mapped_)
    fail(ErrorKind::kInternal, "buffer '{}' ({}) is not host-visible; copy it through a staging buffer", label_,
         to_string(use_));
  return mapped_;
}

}  // namespace hetsched::gpu
