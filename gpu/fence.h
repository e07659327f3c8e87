// Fence: a VkFence for host waits on one submission (timeline semaphores cover cross-queue and
// CPU<->GPU dependencies; a fence is the simple "this submit is done" signal).
#pragma once
#include <vulkan/vulkan.h>

#include <chrono>
#include <string_view>

#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;

// Thread-safety: wait() and signaled() from any thread; reset() is externally synchronized (no
// concurrent wait/submit on this fence). Move-only.
class Fence {
 public:
  explicit Fence(const VulkanDevice& device, bool signaled = false);

  VkFence get() const { return fence_.get(); }
  // True when signaled within `timeout`, false on timeout. Errors (device lost) throw with `context`.
  bool wait(std::chrono::nanoseconds timeout, std::string_view context = "fence wait") const;
  // The same, but first polls the fence for up to `spin` on this thread (no sleep: a thread that
  // sleeps in vkWaitForFences may wake late when its core has gone idle), then waits as wait().
  bool spin_then_wait(std::chrono::nanoseconds spin, std::chrono::nanoseconds timeout,
                      std::string_view context = "fence wait") const;
  bool signaled() const;
  void reset();

 private:
  FenceHandle fence_;
};

}  // namespace hetsched::gpu
