// Move-only RAII owners of Vulkan handles. Each type only owns (and destroys) one handle: no other
// functionality belongs here (IREE handle_util.h rule). Creation, with its VK_CHECK, is the caller's.
//
// Thread-safety, for every type below unless its comment says more: a handle object is not
// internally synchronized. Destroying or move-assigning it is an external-synchronization point of
// the Vulkan object (no other thread may use the object at that time, and the GPU must be done with
// it). get() may be called concurrently from any number of threads.
#pragma once
#include <vulkan/vulkan.h>

#include <utility>

namespace hetsched::gpu {

// An owned top-level handle (VkInstance, VkDevice) destroyed by Destroy(handle, nullptr).
template <typename T, auto Destroy>
class OwnedHandle {
 public:
  OwnedHandle() = default;
  explicit OwnedHandle(T handle) : handle_(handle) {}
  OwnedHandle(OwnedHandle&& other) noexcept : handle_(std::exchange(other.handle_, VK_NULL_HANDLE)) {}
  OwnedHandle& operator=(OwnedHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
    }
    return *this;
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() { reset(); }

  T get() const { return handle_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE) Destroy(std::exchange(handle_, VK_NULL_HANDLE), nullptr);
  }

 private:
  T handle_ = VK_NULL_HANDLE;
};

// An owned child of a VkDevice, destroyed by Destroy(device, handle, nullptr). The VkDevice is not
// owned and must outlive this object.
template <typename T, auto Destroy>
class DeviceHandle {
 public:
  DeviceHandle() = default;
  DeviceHandle(VkDevice device, T handle) : device_(device), handle_(handle) {}
  DeviceHandle(DeviceHandle&& other) noexcept
      : device_(std::exchange(other.device_, VK_NULL_HANDLE)), handle_(std::exchange(other.handle_, VK_NULL_HANDLE)) {}
  DeviceHandle& operator=(DeviceHandle&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = std::exchange(other.device_, VK_NULL_HANDLE);
      handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
    }
    return *this;
  }
  DeviceHandle(const DeviceHandle&) = delete;
  DeviceHandle& operator=(const DeviceHandle&) = delete;
  ~DeviceHandle() { reset(); }

  T get() const { return handle_; }
  VkDevice device() const { return device_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE) Destroy(device_, std::exchange(handle_, VK_NULL_HANDLE), nullptr);
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  T handle_ = VK_NULL_HANDLE;
};

// VkInstance. Destroy only after every VkDevice and messenger created from it is gone.
using Instance = OwnedHandle<VkInstance, vkDestroyInstance>;
// VkDevice. Destroy only after every child below is gone and the queue is idle
// (vkDeviceWaitIdle). Queue submission needs external synchronization (VulkanDevice's mutex).
using Device = OwnedHandle<VkDevice, vkDestroyDevice>;
// VkBuffer. Bind/destroy are externally synchronized; use in command buffers from any thread.
using BufferHandle = DeviceHandle<VkBuffer, vkDestroyBuffer>;
// VkDeviceMemory (freed with vkFreeMemory, which also unmaps it). vkMapMemory/vkUnmapMemory on one
// allocation are externally synchronized; a persistent mapping may be read/written by any thread.
using DeviceMemory = DeviceHandle<VkDeviceMemory, vkFreeMemory>;
// VkShaderModule. Immutable after creation: any thread may create pipelines from it.
using ShaderModule = DeviceHandle<VkShaderModule, vkDestroyShaderModule>;
// VkPipelineLayout. Immutable after creation: usable from any thread.
using PipelineLayout = DeviceHandle<VkPipelineLayout, vkDestroyPipelineLayout>;
// VkPipeline. Immutable after creation: bindable from any thread's command buffers.
using Pipeline = DeviceHandle<VkPipeline, vkDestroyPipeline>;
// VkDescriptorSetLayout. Immutable after creation: usable from any thread.
using DescriptorSetLayout = DeviceHandle<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
// VkDescriptorPool. Allocating, freeing and resetting sets are externally synchronized on the pool:
// one pool per thread (or a lock). Destroying it frees its sets.
using DescriptorPool = DeviceHandle<VkDescriptorPool, vkDestroyDescriptorPool>;
// VkCommandPool. The pool and every command buffer allocated from it are externally synchronized
// together: one pool per recording thread. Destroying it frees its command buffers.
using CommandPool = DeviceHandle<VkCommandPool, vkDestroyCommandPool>;
// VkFence. vkResetFences is externally synchronized; waits and status queries are not.
using FenceHandle = DeviceHandle<VkFence, vkDestroyFence>;
// VkSemaphore (binary or timeline). Host signal/wait/value queries of a timeline semaphore need no
// external synchronization.
using Semaphore = DeviceHandle<VkSemaphore, vkDestroySemaphore>;
// VkQueryPool. Host reads of results need no external synchronization; resets and writes happen in
// command buffers.
using QueryPool = DeviceHandle<VkQueryPool, vkDestroyQueryPool>;
// VkPipelineCache. Internally synchronized by Vulkan (created without the EXTERNALLY_SYNCHRONIZED
// flag): pipelines may be created through it from several threads at once.
using PipelineCacheHandle = DeviceHandle<VkPipelineCache, vkDestroyPipelineCache>;

}  // namespace hetsched::gpu

namespace hetsched::gpu {

// VkDebugUtilsMessengerEXT, destroyed through the extension function loaded from its instance
// (the one handle whose destroy function is not a loader export). Same rules as above; the
// VkInstance must outlive it.
class DebugMessengerHandle {
 public:
  DebugMessengerHandle() = default;
  DebugMessengerHandle(VkInstance instance, VkDebugUtilsMessengerEXT handle, PFN_vkDestroyDebugUtilsMessengerEXT destroy)
      : instance_(instance), handle_(handle), destroy_(destroy) {}
  DebugMessengerHandle(DebugMessengerHandle&& other) noexcept
      : instance_(std::exchange(other.instance_, VK_NULL_HANDLE)),
        handle_(std::exchange(other.handle_, VK_NULL_HANDLE)),
        destroy_(std::exchange(other.destroy_, nullptr)) {}
  DebugMessengerHandle& operator=(DebugMessengerHandle&& other) noexcept {
    if (this != &other) {
      reset();
      instance_ = std::exchange(other.instance_, VK_NULL_HANDLE);
      handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
      destroy_ = std::exchange(other.destroy_, nullptr);
    }
    return *this;
  }
  DebugMessengerHandle(const DebugMessengerHandle&) = delete;
  DebugMessengerHandle& operator=(const DebugMessengerHandle&) = delete;
  ~DebugMessengerHandle() { reset(); }

  VkDebugUtilsMessengerEXT get() const { return handle_; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE && destroy_) destroy_(instance_, std::exchange(handle_, VK_NULL_HANDLE), nullptr);
  }

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT handle_ = VK_NULL_HANDLE;
  PFN_vkDestroyDebugUtilsMessengerEXT destroy_ = nullptr;
};

}  // namespace hetsched::gpu
