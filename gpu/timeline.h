// TimelineSemaphore: a Vulkan 1.2 timeline semaphore, the synchronization primitive between the CPU
// executor, the host and GPU submissions. Its value only grows: "step k is done" is "value >= k".
//
// Rules (Vulkan spec): every signal, by the host or a submission, must set a value strictly greater
// than the current one and than any pending signal; a GPU wait on a value that is never signaled
// hangs that queue, so a submission that waits must be matched by a signal someone will make
// (a host signal may come after the submit: "wait-before-signal" is allowed for timelines).
#pragma once
#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>
#include <string_view>

#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;

// Thread-safety: value(), signal() and wait() may be called from any thread at once (none of them
// needs external synchronization). Move-only; destroy only when no submission uses it.
class TimelineSemaphore {
 public:
  explicit TimelineSemaphore(const VulkanDevice& device, uint64_t initial_value = 0);

  VkSemaphore get() const { return semaphore_.get(); }
  // The current value (vkGetSemaphoreCounterValue).
  uint64_t value() const;
  // Host signal (vkSignalSemaphore): sets the value to `value` (> current value).
  void signal(uint64_t value, std::string_view context = "host signal") const;
  // Host wait until the value is >= `value`: true when reached, false on timeout.
  bool wait(uint64_t value, std::chrono::nanoseconds timeout, std::string_view context = "host wait") const;

 private:
  Semaphore semaphore_;
};

}  // namespace hetsched::gpu
