// vk_struct<T>(sType): a zero-initialized Vulkan info struct with its sType set (avoids -Wextra
// missing-initializer warnings of `T x{sType}` and forgotten zeroing).
#pragma once
#include <vulkan/vulkan.h>

namespace hetsched::gpu {
template <typename T>
T vk_struct(VkStructureType type) {
  T value{};
  value.sType = type;
  return value;
}
}  // namespace hetsched::gpu
