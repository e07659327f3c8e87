// The Vulkan instance: Vulkan 1.2+, validation layers off unless HETSCHED_VK_VALIDATION=1 (and the
// Khronos layer is installed), and physical device enumeration that reports "no device" as an Error.
#pragma once
#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "gpu/vk_handles.h"

namespace hetsched::gpu {

// True when the environment asks for validation layers (HETSCHED_VK_VALIDATION=1).
bool validation_requested_by_env();

// Thread-safety: immutable after construction; every method may be called from any thread.
// Not movable (the validation callback points at this object).
class VulkanInstance {
 public:
  // Creates the instance (apiVersion 1.2). Throws Error kDeviceUnavailable "no Vulkan device found
  // (...)" when the loader finds no driver, and when the loader only speaks Vulkan 1.0/1.1.
  explicit VulkanInstance(bool validation = validation_requested_by_env());
  VulkanInstance(const VulkanInstance&) = delete;
  VulkanInstance& operator=(const VulkanInstance&) = delete;

  VkInstance get() const { return instance_.get(); }
  // The loader's instance version (vkEnumerateInstanceVersion).
  uint32_t loader_version() const { return loader_version_; }
  // Whether VK_LAYER_KHRONOS_validation is active (requested and installed).
  bool validation_enabled() const { return validation_enabled_; }
  // Validation messages of severity error seen so far (0 without validation).
  uint32_t validation_errors() const { return validation_errors_.load(); }

  // Every physical device, in the driver's order (this order defines `--device N`). Throws Error
  // kDeviceUnavailable "no Vulkan device found (...)" when there is none.
  std::vector<VkPhysicalDevice> physical_devices() const;

 private:
  Instance instance_;
  DebugMessengerHandle messenger_;
  uint32_t loader_version_ = 0;
  bool validation_enabled_ = false;
  std::atomic<uint32_t> validation_errors_{0};
};

// The process's instance for a validation setting, created on first use and kept until the process
// exits (never destroyed: the OS reclaims it). Every VulkanDevice and list_devices() use it, so
// opening many sessions one after another does not create and destroy instances: NVIDIA's driver
// (580.159.04, H100) refused vkCreateInstance with VK_ERROR_INCOMPATIBLE_DRIVER after 30 such cycles
// in one process (scripts/gpu_session_churn.py). A failed creation is not kept: the next call tries
// again. Thread-safe.
const VulkanInstance& process_instance(bool validation = validation_requested_by_env());

}  // namespace hetsched::gpu
