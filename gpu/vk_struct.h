// vk_struct<T>(sType): a zero-initialized Vulkan info struct with its sType set (avoids -Wextra
// missing-initializer warnings of `T x{sType}` and forgotten zeroing). vk_chain(a, b, c): links
// structs into one pNext chain.
#pragma once
#include <vulkan/vulkan.h>

namespace hetsched::gpu {
template <typename T>
T vk_struct(VkStructureType type) {
  T value{};
  value.sType = type;
  return value;
}

// Links the structs into one pNext chain in argument order (each points at the next; the last one's
// pNext is left as it is) and returns the first: vkGetPhysicalDeviceFeatures2(pd, &vk_chain(f2, f11, f12)).
template <typename First>
First& vk_chain(First& first) {
  return first;
}
template <typename First, typename Next, typename... Rest>
First& vk_chain(First& first, Next& next, Rest&... rest) {
  first.pNext = &vk_chain(next, rest...);
  return first;
}
}  // namespace hetsched::gpu
