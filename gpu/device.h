// VulkanDevice: one logical device with one compute queue on a selected physical device, timeline
// semaphores enabled (required), 16-bit storage + shaderFloat16 on request.
#pragma once
#include <vulkan/vulkan.h>

#include <mutex>
#include <string>
#include <string_view>

#include "base/error.h"
#include "gpu/coopmat_support.h"
#include "gpu/device_info.h"
#include "gpu/instance.h"
#include "gpu/vk_handles.h"

namespace hetsched::gpu {

struct DeviceOptions {
  // `--device N`: index in list_devices() order; -1 picks the best (see select_device()).
  int device_index = -1;
  // Enable shaderFloat16 and storageBuffer16BitAccess. Error kUnsupported when the device lacks one.
  bool fp16 = false;
  // Allow the cooperative-matrix (tensor-core) conv kernels, whose operands are float16 with float32
  // accumulators (precision fp16 and mixed; never fp32). Enabled only where the device reports them
  // (gpu/coopmat_support.h) and HETSCHED_NO_COOPMAT is unset; otherwise the fallback shaders run.
  bool cooperative_matrix = false;
  // Test hook (with cooperative_matrix): run the cooperative kernels' emulated shader instead, on
  // any device with shaderFloat16 (gpu/coopmat_support.h). Default from HETSCHED_COOPMAT_EMULATE=1.
  bool coopmat_emulate = coopmat_emulated_by_env();
  // Khronos validation layer (if installed); default from HETSCHED_VK_VALIDATION=1.
  bool validation = validation_requested_by_env();
};

// Thread-safety: every method may be called from any thread. submit() and wait_idle() serialize on
// an internal mutex (the VkQueue needs external synchronization; this class is its only user).
// Destruction waits for the queue to go idle; every object created from this device must be
// destroyed before it. Not movable: other objects keep a reference.
class VulkanDevice {
 public:
  // Creates the device on the process's instance (process_instance()). Errors: kDeviceUnavailable (no device / creation failed),
  // kInvalidArgument (bad index), kUnsupported (fp16 requested but absent, unusable device).
  explicit VulkanDevice(const DeviceOptions& options = {});
  ~VulkanDevice();
  VulkanDevice(const VulkanDevice&) = delete;
  VulkanDevice& operator=(const VulkanDevice&) = delete;

  VkInstance instance() const { return instance_.get(); }
  const VulkanInstance& vulkan_instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return physical_device_; }
  VkDevice get() const { return device_.get(); }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return static_cast<uint32_t>(info_.compute_queue_family); }
  const DeviceInfo& info() const { return info_; }
  // "device 0 llvmpipe (...)": for error contexts.
  std::string describe() const;

  bool fp16_enabled() const { return fp16_enabled_; }
  // VK_NV_cooperative_matrix (and shaderFloat16) enabled: kernels may pick their coopmat shaders.
  bool coopmat_enabled() const { return coopmat_enabled_; }
  // ...through the emulated shader (the test hook DeviceOptions::coopmat_emulate), not the extension.
  bool coopmat_emulated() const { return coopmat_emulated_; }
  // vkGetCalibratedTimestampsEXT when VK_EXT_calibrated_timestamps was enabled, else nullptr.
  PFN_vkGetCalibratedTimestampsEXT calibrated_timestamps_fn() const { return get_calibrated_timestamps_; }

  // vkQueueSubmit on the compute queue under the queue mutex. `context` names the work (op index,
  // plan step) for the error.
  void submit(const VkSubmitInfo& info, VkFence fence, std::string_view context) const;
  // vkQueueWaitIdle under the queue mutex.
  void wait_idle() const;

 private:
  const VulkanInstance& instance_;  // the process's (process_instance()): outlives every device
  DeviceInfo info_;
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  Device device_;
  VkQueue queue_ = VK_NULL_HANDLE;  // owned by device_
  bool fp16_enabled_ = false;
  bool coopmat_enabled_ = false;
  bool coopmat_emulated_ = false;
  PFN_vkGetCalibratedTimestampsEXT get_calibrated_timestamps_ = nullptr;
  mutable std::mutex queue_mutex_;
};

}  // namespace hetsched::gpu
