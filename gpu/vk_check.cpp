// VkResult names, the VkResult -> ErrorKind mapping and the throw path behind HETSCHED_VK_CHECK.
#include "gpu/vk_check.h"

#include <string>

namespace hetsched::gpu {

const char* vk_result_name(VkResult result) {
  switch (result) {
#define HETSCHED_VK_RESULT_CASE(r) \
  case r: return #r;
    HETSCHED_VK_RESULT_CASE(VK_SUCCESS)
    HETSCHED_VK_RESULT_CASE(VK_NOT_READY)
    HETSCHED_VK_RESULT_CASE(VK_TIMEOUT)
    HETSCHED_VK_RESULT_CASE(VK_EVENT_SET)
    HETSCHED_VK_RESULT_CASE(VK_EVENT_RESET)
    HETSCHED_VK_RESULT_CASE(VK_INCOMPLETE)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_INITIALIZATION_FAILED)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_DEVICE_LOST)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_FRAGMENTED_POOL)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_UNKNOWN)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_FRAGMENTATION)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    HETSCHED_VK_RESULT_CASE(VK_PIPELINE_COMPILE_REQUIRED)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_SURFACE_LOST_KHR)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)
    HETSCHED_VK_RESULT_CASE(VK_SUBOPTIMAL_KHR)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_OUT_OF_DATE_KHR)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_VALIDATION_FAILED_EXT)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_INVALID_SHADER_NV)
    HETSCHED_VK_RESULT_CASE(VK_ERROR_NOT_PERMITTED_KHR)
    HETSCHED_VK_RESULT_CASE(VK_THREAD_IDLE_KHR)
    HETSCHED_VK_RESULT_CASE(VK_THREAD_DONE_KHR)
    HETSCHED_VK_RESULT_CASE(VK_OPERATION_DEFERRED_KHR)
    HETSCHED_VK_RESULT_CASE(VK_OPERATION_NOT_DEFERRED_KHR)
#undef HETSCHED_VK_RESULT_CASE
    default: break;
  }
  // Unknown codes (newer headers than this build): a stable text with the number.
  thread_local std::string unknown;
  unknown = fmt::format("VkResult({})", static_cast<int>(result));
  return unknown.c_str();
}

ErrorKind vk_error_kind(VkResult result) {
  switch (result) {
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL:
    case VK_ERROR_FRAGMENTATION:
    case VK_ERROR_TOO_MANY_OBJECTS:
    case VK_ERROR_MEMORY_MAP_FAILED: return ErrorKind::kResourceExhausted;
    case VK_ERROR_DEVICE_LOST:
    case VK_ERROR_INITIALIZATION_FAILED:
    case VK_ERROR_INCOMPATIBLE_DRIVER: return ErrorKind::kDeviceUnavailable;
    case VK_ERROR_FEATURE_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_LAYER_NOT_PRESENT:
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return ErrorKind::kUnsupported;
    default: return ErrorKind::kInternal;
  }
}

void throw_vk_error(VkResult result, std::string_view call, const char* file, int line, std::string_view context) {
  // Keep the function name only: "vkCreateBuffer(dev, &info, nullptr, &b)" -> "vkCreateBuffer".
  const size_t paren = call.find('(');
  if (paren != std::string_view::npos) call = call.substr(0, paren);
  while (!call.empty() && (call.back() == ' ' || call.back() == '\t')) call.remove_suffix(1);
  // Only the file's path below the repository root is interesting; __FILE__ may be absolute. The
  // root is where this very file lives, minus "gpu/vk_check.cpp".
  static const std::string_view root = [] {
    std::string_view self(__FILE__);
    const size_t at = self.rfind("gpu/vk_check.cpp");
    return at == std::string_view::npos ? std::string_view() : self.substr(0, at);
  }();
  std::string_view where(file);
  if (!root.empty() && where.substr(0, root.size()) == root) where.remove_prefix(root.size());
  std::string_view hint;
  if (result == VK_ERROR_DEVICE_LOST)
    hint = " (the GPU device was lost: a driver reset, hang or crash; this session cannot run on it any more, "
           "create a new session, or use policy cpu)";
  else if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY)
    hint = " (out of GPU memory: other processes may hold it; free it and create a new session, or use policy "
           "cpu)";
  throw Error(vk_error_kind(result), fmt::format("{} failed with {} at {}:{}: {}{}", call, vk_result_name(result),
                                                 where, line, context, hint));
}

}  // namespace hetsched::gpu
