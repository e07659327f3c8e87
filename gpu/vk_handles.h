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

// The one move-only owner every handle type below is made of: a handle and the Destroyer that
// destroys it, holding whatever parent the destroy call needs (nothing, the VkDevice, the instance
// and an extension function). A moved-from owner holds VK_NULL_HANDLE and a default Destroyer.
template <typename T, typename Destroyer>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  UniqueHandle(T handle, Destroyer destroyer) : handle_(handle), destroyer_(destroyer) {}
  UniqueHandle(UniqueHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, VK_NULL_HANDLE)),
        destroyer_(std::exchange(other.destroyer_, Destroyer{})) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
      destroyer_ = std::exchange(other.destroyer_, Destroyer{});
    }
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  T get() const { return handle_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE) destroyer_(std::exchange(handle_, VK_NULL_HANDLE));
  }

 protected:
  const Destroyer& destroyer() const { return destroyer_; }

 private:
  T handle_ = VK_NULL_HANDLE;
  Destroyer destroyer_{};
};

// Destroy(handle, nullptr): a top-level handle.
template <auto Destroy>
struct DestroyTopLevel {
  template <typename T>
  void operator()(T handle) const {
    Destroy(handle, nullptr);
  }
};

// An owned top-level handle (VkInstance, VkDevice) destroyed by Destroy(handle, nullptr).
template <typename T, auto Destroy>
class OwnedHandle : public UniqueHandle<T, DestroyTopLevel<Destroy>> {
 public:
  OwnedHandle() = default;
  explicit OwnedHandle(T handle) : UniqueHandle<T, DestroyTopLevel<Destroy>>(handle, {}) {}
};

// Destroy(device, handle, nullptr): a child of a VkDevice.
template <auto Destroy>
struct DestroyDeviceChild {
  VkDevice device = VK_NULL_HANDLE;
  template <typename T>
  void operator()(T handle) const {
    Destroy(device, handle, nullptr);
  }
};

// An owned child of a VkDevice, destroyed by Destroy(device, handle, nullptr). The VkDevice is not
// owned and must outlive this object.
template <typename T, auto Destroy>
class DeviceHandle : public UniqueHandle<T, DestroyDeviceChild<Destroy>> {
 public:
  DeviceHandle() = default;
  DeviceHandle(VkDevice device, T handle) : UniqueHandle<T, DestroyDeviceChild<Destroy>>(handle, {device}) {}

  VkDevice device() const { return this->destroyer().device; }
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


// VkDebugUtilsMessengerEXT, destroyed through the extension function loaded from its instance
// (the one handle whose destroy function is not a loader export). Same rules as above; the
// VkInstance must outlive it.
struct DestroyDebugMessenger {
  VkInstance instance = VK_NULL_HANDLE;
  PFN_vkDestroyDebugUtilsMessengerEXT destroy = nullptr;
  void operator()(VkDebugUtilsMessengerEXT handle) const {
    if (destroy) destroy(instance, handle, nullptr);
  }
};
class DebugMessengerHandle : public UniqueHandle<VkDebugUtilsMessengerEXT, DestroyDebugMessenger> {
 public:
  DebugMessengerHandle() = default;
  DebugMessengerHandle(VkInstance instance, VkDebugUtilsMessengerEXT handle, PFN_vkDestroyDebugUtilsMessengerEXT destroy)
      : UniqueHandle(handle, {instance, destroy}) {}
};

}  // namespace hetsched::gpu
