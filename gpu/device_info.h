// What hetsched knows about one Vulkan physical device (identity, limits, memory, features we use),
// device enumeration and selection, and the text/JSON listing behind `hetsched devices`.
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "gpu/coopmat_support.h"

namespace hetsched::gpu {

// In select_device()'s order of preference.
enum class DeviceType { kDiscrete, kIntegrated, kVirtual, kCpu, kOther };
const char* to_string(DeviceType type);

struct MemoryTypeInfo {
  uint32_t heap = 0;
  VkMemoryPropertyFlags flags = 0;
};
struct MemoryHeapInfo {
  uint64_t size = 0;
  VkMemoryHeapFlags flags = 0;
};

struct DeviceInfo {
  // Identity. `index` is the position in vkEnumeratePhysicalDevices order (`--device N`).
  int index = 0;
  std::string name;
  DeviceType type = DeviceType::kOther;
  std::string driver_name, driver_info;  // VkPhysicalDeviceDriverProperties
  uint32_t api_version = 0, driver_version = 0, vendor_id = 0, device_id = 0;
  std::array<uint8_t, VK_UUID_SIZE> pipeline_cache_uuid{};

  // Limits we use.
  std::array<uint32_t, 3> max_workgroup_size{};
  uint32_t max_workgroup_invocations = 0;
  std::array<uint32_t, 3> max_workgroup_count{};
  uint32_t max_shared_memory_bytes = 0;
  uint32_t max_storage_buffer_range = 0;
  uint64_t min_storage_buffer_offset_alignment = 0;
  uint32_t max_push_constants_size = 0;
  uint64_t max_memory_allocation_size = 0;  // VkPhysicalDeviceMaintenance3Properties
  float timestamp_period_ns = 0;             // ns per timestamp tick
  bool timestamp_compute_and_graphics = false;

  // Memory.
  std::vector<MemoryTypeInfo> memory_types;
  std::vector<MemoryHeapInfo> memory_heaps;
  bool device_local_host_visible = false;  // a DEVICE_LOCAL|HOST_VISIBLE memory type exists

  // Features we use.
  bool shader_float16 = false;
  bool storage_buffer_16bit = false;
  bool timeline_semaphore = false;
  uint32_t subgroup_size = 0;
  bool cooperative_matrix = false;     // VK_KHR_cooperative_matrix is offered
  CoopMatSupport coopmat;              // VK_NV_cooperative_matrix: what the conv kernels use
  bool calibrated_timestamps = false;  // VK_EXT_calibrated_timestamps is offered

  // The queue family we use: a compute family, a compute-only one preferred; -1 if none.
  int compute_queue_family = -1;
  uint32_t timestamp_valid_bits = 0;  // of that family

  // Whether hetsched can run on it, and if not, why (Vulkan < 1.2, no compute queue, no timeline
  // semaphores).
  bool usable = false;
  std::string unusable_reason;

  // "llvmpipe (...) [cpu, llvmpipe, Vulkan 1.3.230]"
  std::string summary() const;
};

// Queries everything above for one physical device of `instance` (created with apiVersion 1.2).
DeviceInfo query_device_info(VkInstance instance, VkPhysicalDevice device, int index);

// Every device (a temporary instance is created). Throws Error kDeviceUnavailable when there is none.
std::vector<DeviceInfo> list_devices();

// The device to use: `requested` >= 0 picks that index (Error kInvalidArgument if out of range,
// kUnsupported if it is not usable); -1 picks the best usable device, discrete > integrated >
// virtual > CPU > other, then the lowest index (Error kDeviceUnavailable if none is usable).
int select_device(const std::vector<DeviceInfo>& devices, int requested = -1);

enum class ListFormat { kText, kJson };
// The listing for `hetsched devices`; the text marks the device select_device() would pick.
std::string format_device_list(const std::vector<DeviceInfo>& devices, ListFormat format);

}  // namespace hetsched::gpu
