// Test-only fault injection: a process-wide switch that makes the next N Vulkan calls at one site
// (queue submits, device memory allocations) fail with a chosen VkResult (VK_ERROR_DEVICE_LOST,
// VK_ERROR_OUT_OF_DEVICE_MEMORY, ...) instead of calling the driver. The failure goes through the
// normal path (HETSCHED_VK_CHECK_AT -> throw_vk_error -> the written VkResult -> ErrorKind
// mapping), so tests see exactly the error a real fault gives. Off (one relaxed atomic load per
// call) unless a test arms it; never armed by the library itself.
//
//   gpu::fault_injection::arm(gpu::fault_injection::Site::kQueueSubmit, VK_ERROR_DEVICE_LOST, 1);
//   EXPECT_THROW(session.run(), Error);        // kDeviceUnavailable, "device was lost"
//   gpu::fault_injection::disarm_all();        // or let the count run out
//
// Thread-safety: every function may be called from any thread; a fault is consumed by exactly one
// call (the count is decremented atomically).
#pragma once
#include <vulkan/vulkan.h>

namespace hetsched::gpu::fault_injection {

enum class Site {
  kQueueSubmit,       // VulkanDevice::submit (vkQueueSubmit): every GPU run, segment and probe
  kMemoryAllocation,  // Buffer's vkAllocateMemory: sessions, executors, staging buffers
};

// The next `count` calls at `site` fail with `result` (count <= 0 disarms the site).
void arm(Site site, VkResult result, int count = 1);
void disarm_all();
// Faults still armed at `site`.
int remaining(Site site);
// Faults delivered since the process started (all sites; for tests that check a fault was hit).
int delivered();

// For the call sites (through HETSCHED_VK_CHECK_AT): VK_SUCCESS when nothing is armed at `site`,
// else the armed result, consuming one fault.
VkResult take(Site site);

}  // namespace hetsched::gpu::fault_injection
