// The one path from a VkResult to hetsched::Error: HETSCHED_VK_CHECK(call, "context {}", args...)
// throws an Error naming the Vulkan call, its VkResult, file:line and a context (op index, tensor,
// shader, device), with the ErrorKind chosen by the written mapping in vk_error_kind().
#pragma once
#include <fmt/format.h>
#include <vulkan/vulkan.h>

#include <string_view>

#include "base/error.h"
#include "gpu/fault_injection.h"

namespace hetsched::gpu {

// "VK_ERROR_OUT_OF_DEVICE_MEMORY", ...; "VkResult(<n>)" for values this build does not know.
const char* vk_result_name(VkResult result);

// The mapping (anything not listed is kInternal):
//   VK_ERROR_OUT_OF_DEVICE_MEMORY, VK_ERROR_OUT_OF_HOST_MEMORY,
//   VK_ERROR_OUT_OF_POOL_MEMORY, VK_ERROR_FRAGMENTED_POOL, VK_ERROR_FRAGMENTATION,
//   VK_ERROR_TOO_MANY_OBJECTS, VK_ERROR_MEMORY_MAP_FAILED             -> kResourceExhausted
//   VK_ERROR_DEVICE_LOST, VK_ERROR_INITIALIZATION_FAILED,
//   VK_ERROR_INCOMPATIBLE_DRIVER                                      -> kDeviceUnavailable
//   VK_ERROR_FEATURE_NOT_PRESENT, VK_ERROR_EXTENSION_NOT_PRESENT,
//   VK_ERROR_LAYER_NOT_PRESENT, VK_ERROR_FORMAT_NOT_SUPPORTED         -> kUnsupported
ErrorKind vk_error_kind(VkResult result);

// Throws Error(vk_error_kind(result), "<call> failed with <VkResult> at <file>:<line>: <context>"),
// plus, for a lost device or exhausted device memory, what it means for the caller (the session
// that hit it cannot continue; a new session can be created).
// `call` may be the whole call expression; only the function name (text before '(') is kept.
[[noreturn]] void throw_vk_error(VkResult result, std::string_view call, const char* file, int line,
                                 std::string_view context);

}  // namespace hetsched::gpu

// Evaluates `expr` (a Vulkan call returning VkResult) once; on anything but VK_SUCCESS throws through
// throw_vk_error. The context is a fmt format string plus arguments, formatted only on failure.
// Calls with meaningful non-error results (VK_TIMEOUT, VK_NOT_READY, VK_INCOMPLETE) must be handled
// by the caller before this check, not passed to it.
#define HETSCHED_VK_CHECK(expr, ...)                                                              \
  do {                                                                                            \
    const VkResult hetsched_vk_result_ = (expr);                                                  \
    if (hetsched_vk_result_ != VK_SUCCESS)                                                        \
      ::hetsched::gpu::throw_vk_error(hetsched_vk_result_, #expr, __FILE__, __LINE__,             \
                                      ::fmt::format(__VA_ARGS__));                                \
  } while (0)

// HETSCHED_VK_CHECK for a call that tests can make fail (gpu/fault_injection.h): when a fault is
// armed at `site` the call is skipped and the armed VkResult takes the normal error path.
#define HETSCHED_VK_CHECK_AT(site, expr, ...)                                                     \
  do {                                                                                            \
    VkResult hetsched_vk_result_ = ::hetsched::gpu::fault_injection::take(site);                  \
    if (hetsched_vk_result_ == VK_SUCCESS) hetsched_vk_result_ = (expr);                          \
    if (hetsched_vk_result_ != VK_SUCCESS)                                                        \
      ::hetsched::gpu::throw_vk_error(hetsched_vk_result_, #expr, __FILE__, __LINE__,             \
                                      ::fmt::format(__VA_ARGS__));                                \
  } while (0)
