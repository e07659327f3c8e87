// VulkanDevice: physical device selection, logical device creation with the features we use, and the
// mutex-guarded compute queue.
#include "gpu/device.h"

#include <cstdio>
#include <vector>

#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

VulkanDevice::VulkanDevice(const DeviceOptions& options) : instance_(process_instance(options.validation)) {
  const std::vector<VkPhysicalDevice> physical = instance_.physical_devices();
  std::vector<DeviceInfo> infos;
  for (size_t i = 0; i < physical.size(); ++i)
    infos.push_back(query_device_info(instance_.get(), physical[i], static_cast<int>(i)));
  const int chosen = select_device(infos, options.device_index);
  info_ = infos[chosen];
  physical_device_ = physical[chosen];

  if (options.fp16 && !(info_.shader_float16 && info_.storage_buffer_16bit))
    fail(ErrorKind::kUnsupported,
         "fp16 was requested but {} lacks {}{}{}; run in fp32 (drop the fp16 option)", describe(),
         info_.shader_float16 ? "" : "shaderFloat16",
         !info_.shader_float16 && !info_.storage_buffer_16bit ? " and " : "",
         info_.storage_buffer_16bit ? "" : "storageBuffer16BitAccess");

  // Features: timeline semaphores always (checked by select_device), fp16 on request.
  auto f12 = vk_struct<VkPhysicalDeviceVulkan12Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  f12.timelineSemaphore = VK_TRUE;
  auto f11 = vk_struct<VkPhysicalDeviceVulkan11Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES);
  f11.pNext = &f12;
  if (options.fp16) {
    f12.shaderFloat16 = VK_TRUE;
    f11.storageBuffer16BitAccess = VK_TRUE;
  }
  auto features = vk_struct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  features.pNext = &f11;

  std::vector<const char*> extensions;
  // Cooperative matrices on request where offered: the extension, its feature, shaderFloat16 (the
  // coopmat shaders stage float16 operands in shared memory) and vulkanMemoryModel (the SPIR-V's
  // memory model). A group of 4 subgroups must fit.
  auto coopmat = vk_struct<VkPhysicalDeviceCooperativeMatrixFeaturesNV>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV);
  const bool emulate =
      options.cooperative_matrix && options.coopmat_emulate && info_.shader_float16 && !coopmat_disabled_by_env();
  if (emulate) f12.shaderFloat16 = VK_TRUE;  // the emulated shader's float16 operands
  bool coopmat_on = !emulate && options.cooperative_matrix && info_.coopmat.usable() && info_.shader_float16 &&
                          info_.subgroup_size > 0 && 4 * info_.subgroup_size <= info_.max_workgroup_invocations &&
                          !coopmat_disabled_by_env();
  if (coopmat_on) {
    extensions.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
    coopmat.cooperativeMatrix = VK_TRUE;
    f12.pNext = &coopmat;
    f12.shaderFloat16 = VK_TRUE;
    f12.vulkanMemoryModel = VK_TRUE;  // the shader's VulkanMemoryModel capability (coopmat_support.h)
  }
  if (info_.calibrated_timestamps) extensions.push_back(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME);

  const float priority = 1.0f;
  auto queue_info = vk_struct<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queue_info.queueFamilyIndex = queue_family();
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  auto info = vk_struct<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
  info.pNext = &features;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue_info;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkDevice device = VK_NULL_HANDLE;
  if (coopmat_on && vkCreateDevice(physical_device_, &info, nullptr, &device) != VK_SUCCESS) {
    // A driver that offers the extension but refuses it: say so, and run the fallback shaders.
    std::fprintf(stderr, "hetsched: %s refused VK_NV_cooperative_matrix; the conv kernels run without tensor cores\n",
                 describe().c_str());
    device = VK_NULL_HANDLE;
    coopmat_on = false;
    extensions.erase(extensions.begin());  // the cooperative-matrix extension, pushed first
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    f12.pNext = nullptr;
    f12.shaderFloat16 = options.fp16 ? VK_TRUE : VK_FALSE;
    f12.vulkanMemoryModel = VK_FALSE;
  }
  if (device == VK_NULL_HANDLE)
    HETSCHED_VK_CHECK(vkCreateDevice(physical_device_, &info, nullptr, &device), "creating the logical device on {}{}{}",
                      describe(), options.fp16 ? " with fp16" : "", coopmat_on ? " with VK_NV_cooperative_matrix" : "");
  device_ = Device(device);
  fp16_enabled_ = options.fp16;
  coopmat_enabled_ = coopmat_on || emulate;
  coopmat_emulated_ = emulate;
  vkGetDeviceQueue(device, queue_family(), 0, &queue_);
  if (info_.calibrated_timestamps)
    get_calibrated_timestamps_ =
        reinterpret_cast<PFN_vkGetCalibratedTimestampsEXT>(vkGetDeviceProcAddr(device, "vkGetCalibratedTimestampsEXT"));
}

VulkanDevice::~VulkanDevice() {
  // Destroying a device with work in flight is undefined; a lost device returns an error we ignore.
  if (device_) vkDeviceWaitIdle(device_.get());
}

std::string VulkanDevice::describe() const { return fmt::format("Vulkan device {} ({})", info_.index, info_.name); }

void VulkanDevice::submit(const VkSubmitInfo& info, VkFence fence, std::string_view context) const {
  std::lock_guard lock(queue_mutex_);
  HETSCHED_VK_CHECK_AT(fault_injection::Site::kQueueSubmit, vkQueueSubmit(queue_, 1, &info, fence),
                       "submitting {} to {}", context, describe());
}

void VulkanDevice::wait_idle() const {
  std::lock_guard lock(queue_mutex_);
  HETSCHED_VK_CHECK(vkQueueWaitIdle(queue_), "waiting for {} to go idle", describe());
}

}  // namespace hetsched::gpu
