// Test-only Vulkan fault injection: per-site atomic counters (see fault_injection.h).
#include "gpu/fault_injection.h"

#include <atomic>

namespace hetsched::gpu::fault_injection {
namespace {

constexpr int kSites = 2;
std::atomic<int> g_remaining[kSites];
std::atomic<int> g_result[kSites];
std::atomic<int> g_delivered{0};

int index(Site s) { return static_cast<int>(s); }

}  // namespace

void arm(Site site, VkResult result, int count) {
  g_result[index(site)].store(static_cast<int>(result));
  g_remaining[index(site)].store(count > 0 ? count : 0);
}

void disarm_all() {
  for (auto& r : g_remaining) r.store(0);
}

int remaining(Site site) { return g_remaining[index(site)].load(); }

int delivered() { return g_delivered.load(); }

VkResult take(Site site) {
  std::atomic<int>& left = g_remaining[index(site)];
  int n = left.load(std::memory_order_relaxed);
  while (n > 0) {
    if (left.compare_exchange_weak(n, n - 1)) {
      g_delivered.fetch_add(1);
      return static_cast<VkResult>(g_result[index(site)].load());
    }
  }
  return VK_SUCCESS;
}

}  // namespace hetsched::gpu::fault_injection
