// Physical-device queries (properties, limits, memory, features, queue family), device selection and
// the `hetsched devices` listing as text or JSON.
#include "gpu/device_info.h"

#include <cstdlib>

#include <fmt/format.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "gpu/instance.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

constexpr const char* kCooperativeMatrixExt = "VK_KHR_cooperative_matrix";  // newer than our headers

DeviceType to_device_type(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceType::kDiscrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceType::kIntegrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceType::kVirtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceType::kCpu;
    default: return DeviceType::kOther;
  }
}

// Lower is preferred by select_device().
int type_rank(DeviceType t) { return static_cast<int>(t); }

std::string version_string(uint32_t v) {
  return fmt::format("{}.{}.{}", VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v), VK_API_VERSION_PATCH(v));
}

std::string memory_flags_string(VkMemoryPropertyFlags f) {
  std::string s;
  auto add = [&](VkMemoryPropertyFlags bit, const char* name) {
    if (f & bit) s += (s.empty() ? "" : "|") + std::string(name);
  };
  add(VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "DEVICE_LOCAL");
  add(VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, "HOST_VISIBLE");
  add(VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, "HOST_COHERENT");
  add(VK_MEMORY_PROPERTY_HOST_CACHED_BIT, "HOST_CACHED");
  add(VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT, "LAZILY_ALLOCATED");
  add(VK_MEMORY_PROPERTY_PROTECTED_BIT, "PROTECTED");
  return s.empty() ? "0" : s;
}

std::string bytes_string(uint64_t b) {
  if (b >= (uint64_t(1) << 30)) return fmt::format("{:.1f} GiB", double(b) / double(uint64_t(1) << 30));
  if (b >= (uint64_t(1) << 20)) return fmt::format("{:.1f} MiB", double(b) / double(1 << 20));
  if (b >= 1024) return fmt::format("{:.1f} KiB", double(b) / 1024.0);
  return fmt::format("{} B", b);
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

nlohmann::json to_json(const DeviceInfo& d) {
  nlohmann::json j;
  j["index"] = d.index;
  j["name"] = d.name;
  j["type"] = to_string(d.type);
  j["driver_name"] = d.driver_name;
  j["driver_info"] = d.driver_info;
  j["api_version"] = version_string(d.api_version);
  j["driver_version"] = d.driver_version;
  j["vendor_id"] = d.vendor_id;
  j["device_id"] = d.device_id;
  j["usable"] = d.usable;
  if (!d.usable) j["unusable_reason"] = d.unusable_reason;
  j["limits"] = {
      {"max_compute_workgroup_size", d.max_workgroup_size},
      {"max_compute_workgroup_invocations", d.max_workgroup_invocations},
      {"max_compute_workgroup_count", d.max_workgroup_count},
      {"max_compute_shared_memory_bytes", d.max_shared_memory_bytes},
      {"max_storage_buffer_range", d.max_storage_buffer_range},
      {"min_storage_buffer_offset_alignment", d.min_storage_buffer_offset_alignment},
      {"max_push_constants_size", d.max_push_constants_size},
      {"max_memory_allocation_size", d.max_memory_allocation_size},
      {"timestamp_period_ns", d.timestamp_period_ns},
      {"timestamp_compute_and_graphics", d.timestamp_compute_and_graphics},
      {"timestamp_valid_bits", d.timestamp_valid_bits},
  };
  j["features"] = {
      {"shader_float16", d.shader_float16},
      {"storage_buffer_16bit_access", d.storage_buffer_16bit},
      {"timeline_semaphore", d.timeline_semaphore},
      {"subgroup_size", d.subgroup_size},
      {"cooperative_matrix", d.cooperative_matrix},
      {"cooperative_matrix_nv", d.coopmat.nv_extension && d.coopmat.feature},
      {"cooperative_matrix_nv_usable", d.coopmat.usable()},
      {"calibrated_timestamps", d.calibrated_timestamps},
      {"device_local_host_visible", d.device_local_host_visible},
  };
  j["compute_queue_family"] = d.compute_queue_family;
  auto& heaps = j["memory_heaps"] = nlohmann::json::array();
  for (const auto& h : d.memory_heaps)
    heaps.push_back({{"size", h.size}, {"device_local", bool(h.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)}});
  auto& types = j["memory_types"] = nlohmann::json::array();
  for (const auto& t : d.memory_types) types.push_back({{"heap", t.heap}, {"flags", memory_flags_string(t.flags)}});
  return j;
}

void append_text(std::string& out, const DeviceInfo& d, bool selected) {
  out += fmt::format("{} {}: {} [{}]{}\n", selected ? "*" : " ", d.index, d.name, to_string(d.type),
                     d.usable ? "" : fmt::format("  (unusable: {})", d.unusable_reason));
  out += fmt::format("    driver: {} ({}), Vulkan {}, vendor 0x{:04x} device 0x{:04x}\n", d.driver_name,
                     d.driver_info, version_string(d.api_version), d.vendor_id, d.device_id);
  out += fmt::format("    compute: workgroup size {}x{}x{}, invocations {}, count {}x{}x{}, shared {}, subgroup {}\n",
                     d.max_workgroup_size[0], d.max_workgroup_size[1], d.max_workgroup_size[2],
                     d.max_workgroup_invocations, d.max_workgroup_count[0], d.max_workgroup_count[1],
                     d.max_workgroup_count[2], bytes_string(d.max_shared_memory_bytes), d.subgroup_size);
  out += fmt::format("    buffers: storage range {}, offset alignment {} B, push constants {} B, allocation {}\n",
                     bytes_string(d.max_storage_buffer_range), d.min_storage_buffer_offset_alignment,
                     d.max_push_constants_size, bytes_string(d.max_memory_allocation_size));
  out += fmt::format("    timestamps: {} ns/tick, {} valid bits, compute+graphics {}, calibrated {}\n",
                     d.timestamp_period_ns, d.timestamp_valid_bits, yes_no(d.timestamp_compute_and_graphics),
                     yes_no(d.calibrated_timestamps));
  out += fmt::format("    features: fp16 arithmetic {}, 16-bit storage {}, timeline semaphores {}, "
                     "cooperative matrix {}, device-local host-visible memory {}\n",
                     yes_no(d.shader_float16), yes_no(d.storage_buffer_16bit), yes_no(d.timeline_semaphore),
                     yes_no(d.cooperative_matrix), yes_no(d.device_local_host_visible));
  if (d.coopmat.nv_extension) {
    std::string shapes;
    for (const CoopMatShape& s : d.coopmat.shapes) shapes += (shapes.empty() ? "" : ", ") + s.to_string();
    out += fmt::format("    cooperative matrix NV: feature {}, compute {}, memory model {}, used by the conv kernels {}; "
                       "shapes: {}\n",
                       yes_no(d.coopmat.feature), yes_no(d.coopmat.compute_stage),
                       yes_no(d.coopmat.vulkan_memory_model), yes_no(d.coopmat.usable()),
                       shapes.empty() ? "none" : shapes);
  }
  for (size_t h = 0; h < d.memory_heaps.size(); ++h) {
    out += fmt::format("    heap {}: {}{}\n", h, bytes_string(d.memory_heaps[h].size),
                       d.memory_heaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT ? " DEVICE_LOCAL" : "");
    for (size_t t = 0; t < d.memory_types.size(); ++t)
      if (d.memory_types[t].heap == h)
        out += fmt::format("      type {}: {}\n", t, memory_flags_string(d.memory_types[t].flags));
  }
}

}  // namespace

const char* to_string(DeviceType type) {
  switch (type) {
    case DeviceType::kDiscrete: return "discrete";
    case DeviceType::kIntegrated: return "integrated";
    case DeviceType::kVirtual: return "virtual";
    case DeviceType::kCpu: return "cpu";
    case DeviceType::kOther: return "other";
  }
  return "other";
}

std::string DeviceInfo::summary() const {
  return fmt::format("{} [{}, {}, Vulkan {}]", name, to_string(type), driver_name.empty() ? "?" : driver_name,
                     version_string(api_version));
}

DeviceInfo query_device_info(VkInstance instance, VkPhysicalDevice pd, int index) {
  DeviceInfo d;
  d.index = index;
  VkPhysicalDeviceProperties props{};
  vkGetPhysicalDeviceProperties(pd, &props);
  d.name = props.deviceName;
  d.type = to_device_type(props.deviceType);
  d.api_version = props.apiVersion;
  d.driver_version = props.driverVersion;
  d.vendor_id = props.vendorID;
  d.device_id = props.deviceID;
  std::memcpy(d.pipeline_cache_uuid.data(), props.pipelineCacheUUID, VK_UUID_SIZE);
  const VkPhysicalDeviceLimits& lim = props.limits;
  for (int i = 0; i < 3; ++i) {
    d.max_workgroup_size[i] = lim.maxComputeWorkGroupSize[i];
    d.max_workgroup_count[i] = lim.maxComputeWorkGroupCount[i];
  }
  d.max_workgroup_invocations = lim.maxComputeWorkGroupInvocations;
  d.max_shared_memory_bytes = lim.maxComputeSharedMemorySize;
  d.max_storage_buffer_range = lim.maxStorageBufferRange;
  d.min_storage_buffer_offset_alignment = lim.minStorageBufferOffsetAlignment;
  d.max_push_constants_size = lim.maxPushConstantsSize;
  d.timestamp_period_ns = lim.timestampPeriod;
  d.timestamp_compute_and_graphics = lim.timestampComputeAndGraphics;

  // Extensions we look for.
  uint32_t ext_count = 0;
  std::vector<VkExtensionProperties> exts;
  if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &ext_count, nullptr) == VK_SUCCESS) {
    exts.resize(ext_count);
    if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &ext_count, exts.data()) != VK_SUCCESS) ext_count = 0;
    exts.resize(ext_count);
  }
  for (const auto& e : exts) {
    if (std::strcmp(e.extensionName, kCooperativeMatrixExt) == 0) d.cooperative_matrix = true;
    if (std::strcmp(e.extensionName, VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME) == 0) d.calibrated_timestamps = true;
  }
  d.coopmat = query_coopmat_support(instance, pd, exts);

  // Memory.
  VkPhysicalDeviceMemoryProperties mem{};
  vkGetPhysicalDeviceMemoryProperties(pd, &mem);
  for (uint32_t h = 0; h < mem.memoryHeapCount; ++h)
    d.memory_heaps.push_back({mem.memoryHeaps[h].size, mem.memoryHeaps[h].flags});
  constexpr VkMemoryPropertyFlags kShared = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  for (uint32_t t = 0; t < mem.memoryTypeCount; ++t) {
    d.memory_types.push_back({mem.memoryTypes[t].heapIndex, mem.memoryTypes[t].propertyFlags});
    if ((mem.memoryTypes[t].propertyFlags & kShared) == kShared) d.device_local_host_visible = true;
  }

  // Queue family: compute, preferring compute-only (no graphics), then the lowest index.
  uint32_t qf_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &qf_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(qf_count);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &qf_count, families.data());
  for (int pass = 0; pass < 2 && d.compute_queue_family < 0; ++pass) {
    for (uint32_t i = 0; i < qf_count; ++i) {
      const VkQueueFlags f = families[i].queueFlags;
      if (!(f & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0) continue;
      if (pass == 0 && (f & VK_QUEUE_GRAPHICS_BIT)) continue;
      d.compute_queue_family = static_cast<int>(i);
      d.timestamp_valid_bits = families[i].timestampValidBits;
      break;
    }
  }

  if (d.api_version < VK_API_VERSION_1_2) {
    d.unusable_reason = fmt::format("Vulkan {} < 1.2", version_string(d.api_version));
    return d;
  }
  // Vulkan 1.1/1.2 property and feature structs (valid because the device speaks 1.2).
  auto p11 = vk_struct<VkPhysicalDeviceVulkan11Properties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES);
  auto p12 = vk_struct<VkPhysicalDeviceVulkan12Properties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES);
  auto props2 = vk_struct<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
  vkGetPhysicalDeviceProperties2(pd, &vk_chain(props2, p11, p12));
  d.subgroup_size = p11.subgroupSize;
  d.max_memory_allocation_size = p11.maxMemoryAllocationSize;
  d.driver_name = p12.driverName;
  d.driver_info = p12.driverInfo;

  auto f11 = vk_struct<VkPhysicalDeviceVulkan11Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES);
  auto f12 = vk_struct<VkPhysicalDeviceVulkan12Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  auto features2 = vk_struct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  vkGetPhysicalDeviceFeatures2(pd, &vk_chain(features2, f11, f12));
  d.storage_buffer_16bit = f11.storageBuffer16BitAccess;
  d.shader_float16 = f12.shaderFloat16;
  // Test hook: HETSCHED_VK_HIDE_FEATURES=fp16 makes a device look as if it lacked 16-bit storage
  // and arithmetic, so the "feature requested but absent" path is testable on any device.
  if (const char* hide = std::getenv("HETSCHED_VK_HIDE_FEATURES"); hide && std::strstr(hide, "fp16"))
    d.storage_buffer_16bit = d.shader_float16 = false;
  d.timeline_semaphore = f12.timelineSemaphore;

  if (d.compute_queue_family < 0) {
    d.unusable_reason = "no compute queue";
  } else if (!d.timeline_semaphore) {
    d.unusable_reason = "no timeline semaphores";
  } else {
    d.usable = true;
  }
  return d;
}

std::vector<DeviceInfo> list_devices() {
  const VulkanInstance& instance = process_instance(false);
  std::vector<DeviceInfo> out;
  int index = 0;
  for (VkPhysicalDevice pd : instance.physical_devices()) out.push_back(query_device_info(instance.get(), pd, index++));
  return out;
}

int select_device(const std::vector<DeviceInfo>& devices, int requested) {
  auto names = [&] {
    std::string s;
    for (const auto& d : devices) s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", d.index, d.name);
    return s;
  };
  if (requested < -1)  // -1 alone means "the best"; -5 used to mean it too
    fail(ErrorKind::kInvalidArgument, "device index {} is not valid: a device index is >= 0 (-1 = the best)",
         requested);
  if (requested >= 0) {
    if (requested >= static_cast<int>(devices.size()))
      fail(ErrorKind::kInvalidArgument, "--device {} is out of range: {} Vulkan device(s) ({})", requested,
           devices.size(), names());
    const DeviceInfo& d = devices[requested];
    if (!d.usable) fail(ErrorKind::kUnsupported, "Vulkan device {} ({}) cannot run hetsched: {}", requested, d.name,
                        d.unusable_reason);
    return requested;
  }
  int best = -1;
  for (const auto& d : devices) {
    if (!d.usable) continue;
    if (best < 0 || type_rank(d.type) < type_rank(devices[best].type)) best = d.index;
  }
  if (best < 0) {
    std::string reasons;
    for (const auto& d : devices) reasons += fmt::format("; {}: {}: {}", d.index, d.name, d.unusable_reason);
    fail(ErrorKind::kDeviceUnavailable, "no usable Vulkan device ({} found{})", devices.size(), reasons);
  }
  return best;
}

std::string format_device_list(const std::vector<DeviceInfo>& devices, ListFormat format) {
  int selected = -1;
  try {
    selected = select_device(devices);
  } catch (const Error&) {
    // Listing still works when nothing is usable; the text says why per device.
  }
  if (format == ListFormat::kJson) {
    nlohmann::json j;
    j["selected"] = selected;
    j["devices"] = nlohmann::json::array();
    for (const auto& d : devices) j["devices"].push_back(to_json(d));
    return j.dump(2) + "\n";
  }
  std::string out = fmt::format("{} Vulkan device(s); * = default choice (override with --device N)\n", devices.size());
  for (const auto& d : devices) append_text(out, d, d.index == selected);
  return out;
}

}  // namespace hetsched::gpu
