// Fence: create, wait with timeout, status, reset.
#include "gpu/fence.h"

#include <algorithm>
#include <chrono>

#include "gpu/device.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

Fence::Fence(const VulkanDevice& device, bool signaled) {
  auto info = vk_struct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  if (signaled) info.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  VkFence fence = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateFence(device.get(), &info, nullptr, &fence), "creating a fence on {}", device.describe());
  fence_ = FenceHandle(device.get(), fence);
}

bool Fence::wait(std::chrono::nanoseconds timeout, std::string_view context) const {
  const VkFence fence = fence_.get();
  const VkResult result =
      vkWaitForFences(fence_.device(), 1, &fence, VK_TRUE, static_cast<uint64_t>(std::max<int64_t>(timeout.count(), 0)));
  if (result == VK_TIMEOUT) return false;
  HETSCHED_VK_CHECK(result, "{}", context);
  return true;
}

bool Fence::spin_then_wait(std::chrono::nanoseconds spin, std::chrono::nanoseconds timeout,
                           std::string_view context) const {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < spin)
    if (signaled()) return true;
  const auto spent = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
  return wait(timeout - spent, context);
}

bool Fence::signaled() const {
  const VkResult result = vkGetFenceStatus(fence_.device(), fence_.get());
  if (result == VK_NOT_READY) return false;
  HETSCHED_VK_CHECK(result, "querying a fence");
  return true;
}

void Fence::reset() {
  const VkFence fence = fence_.get();
  HETSCHED_VK_CHECK(vkResetFences(fence_.device(), 1, &fence), "resetting a fence");
}

}  // namespace hetsched::gpu
