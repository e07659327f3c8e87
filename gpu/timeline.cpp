// TimelineSemaphore: creation with VkSemaphoreTypeCreateInfo, host value/signal/wait.
#include "gpu/timeline.h"

#include <algorithm>

#include "gpu/device.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

TimelineSemaphore::TimelineSemaphore(const VulkanDevice& device, uint64_t initial_value) {
  auto type = vk_struct<VkSemaphoreTypeCreateInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO);
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  type.initialValue = initial_value;
  auto info = vk_struct<VkSemaphoreCreateInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO);
  info.pNext = &type;
  VkSemaphore semaphore = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateSemaphore(device.get(), &info, nullptr, &semaphore),
                    "creating a timeline semaphore on {}", device.describe());
  semaphore_ = Semaphore(device.get(), semaphore);
}

uint64_t TimelineSemaphore::value() const {
  uint64_t value = 0;
  HETSCHED_VK_CHECK(vkGetSemaphoreCounterValue(semaphore_.device(), semaphore_.get(), &value),
                    "reading a timeline semaphore");
  return value;
}

void TimelineSemaphore::signal(uint64_t value, std::string_view context) const {
  auto info = vk_struct<VkSemaphoreSignalInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO);
  info.semaphore = semaphore_.get();
  info.value = value;
  HETSCHED_VK_CHECK(vkSignalSemaphore(semaphore_.device(), &info), "{}: signaling timeline value {}", context, value);
}

bool TimelineSemaphore::wait(uint64_t value, std::chrono::nanoseconds timeout, std::string_view context) const {
  const VkSemaphore semaphore = semaphore_.get();
  auto info = vk_struct<VkSemaphoreWaitInfo>(VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO);
  info.semaphoreCount = 1;
  info.pSemaphores = &semaphore;
  info.pValues = &value;
  const VkResult result = vkWaitSemaphores(semaphore_.device(), &info,
                                           static_cast<uint64_t>(std::max<int64_t>(timeout.count(), 0)));
  if (result == VK_TIMEOUT) return false;
  HETSCHED_VK_CHECK(result, "{}: waiting for timeline value {}", context, value);
  return true;
}

}  // namespace hetsched::gpu
