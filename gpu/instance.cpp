// Vulkan instance creation (1.2, optional validation with a debug messenger) and device enumeration.
#include "gpu/instance.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

// The driver-selection environment, quoted in "no device" messages so the user sees why.
std::string driver_env_hint() {
  std::string hint;
  for (const char* var : {"VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES"}) {
    if (const char* value = std::getenv(var)) hint += fmt::format("; {}={}", var, value);
  }
  return hint;
}

[[noreturn]] void fail_no_device(std::string_view why) {
  fail(ErrorKind::kDeviceUnavailable, "no Vulkan device found ({}{}); install a Vulkan driver (e.g. "
       "mesa-vulkan-drivers for the CPU device lavapipe) or fix the driver environment",
       why, driver_env_hint());
}

bool layer_available(const char* name) {
  uint32_t count = 0;
  if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkLayerProperties> layers(count);
  if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS) return false;
  for (const auto& layer : layers)
    if (std::strcmp(layer.layerName, name) == 0) return true;
  return false;
}

bool instance_extension_available(const char* name) {
  uint32_t count = 0;
  if (vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkExtensionProperties> exts(count);
  if (vkEnumerateInstanceExtensionProperties(nullptr, &count, exts.data()) != VK_SUCCESS) return false;
  for (const auto& ext : exts)
    if (std::strcmp(ext.extensionName, name) == 0) return true;
  return false;
}

// Validation messages go to stderr (warnings and errors only); errors are also counted so tests can
// assert a clean run.
VKAPI_ATTR VkBool32 VKAPI_CALL on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                     VkDebugUtilsMessageTypeFlagsEXT,
                                                     const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                     void* user) {
  const bool is_error = severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  if (is_error) static_cast<std::atomic<uint32_t>*>(user)->fetch_add(1);
  std::fprintf(stderr, "hetsched: vulkan validation %s: %s\n", is_error ? "error" : "warning",
               data && data->pMessage ? data->pMessage : "(no message)");
  return VK_FALSE;
}

}  // namespace

bool validation_requested_by_env() {
  const char* value = std::getenv("HETSCHED_VK_VALIDATION");
  return value && std::strcmp(value, "1") == 0;
}

VulkanInstance::VulkanInstance(bool validation) {
  // vkEnumerateInstanceVersion exists from loader 1.1 on; our loader link requires it.
  if (vkEnumerateInstanceVersion(&loader_version_) != VK_SUCCESS) loader_version_ = VK_API_VERSION_1_0;
  if (loader_version_ < VK_API_VERSION_1_2)
    fail_no_device(fmt::format("the Vulkan loader speaks {}.{}, hetsched needs 1.2",
                               VK_API_VERSION_MAJOR(loader_version_), VK_API_VERSION_MINOR(loader_version_)));

  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  if (validation && layer_available(kValidationLayer)) {
    layers.push_back(kValidationLayer);
    validation_enabled_ = true;
    if (instance_extension_available(VK_EXT_DEBUG_UTILS_EXTENSION_NAME))
      extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  } else if (validation) {
    std::fprintf(stderr, "hetsched: HETSCHED_VK_VALIDATION=1 but %s is not installed; running without it\n",
                 kValidationLayer);
  }

  auto app = vk_struct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "hetsched";
  app.applicationVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
  app.pEngineName = "hetsched";
  app.engineVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
  app.apiVersion = VK_API_VERSION_1_2;
  auto info = vk_struct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();

  VkInstance instance = VK_NULL_HANDLE;
  const VkResult result = vkCreateInstance(&info, nullptr, &instance);
  // The loader reports "no driver" as VK_ERROR_INCOMPATIBLE_DRIVER (or INITIALIZATION_FAILED).
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER || result == VK_ERROR_INITIALIZATION_FAILED)
    fail_no_device(fmt::format("vkCreateInstance: {}", vk_result_name(result)));
  HETSCHED_VK_CHECK(result, "creating the Vulkan 1.2 instance (validation {})", validation_enabled_ ? "on" : "off");
  instance_ = Instance(instance);

  if (validation_enabled_ && extensions.size() == 1) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"));
    if (create && destroy) {
      auto m = vk_struct<VkDebugUtilsMessengerCreateInfoEXT>(VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT);
      m.messageSeverity =
          VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
      m.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                      VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
      m.pfnUserCallback = on_validation_message;
      m.pUserData = &validation_errors_;
      VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
      HETSCHED_VK_CHECK(create(instance, &m, nullptr, &messenger), "creating the validation messenger");
      messenger_ = DebugMessengerHandle(instance, messenger, destroy);
    }
  }
}

const VulkanInstance& process_instance(bool validation) {
  static std::mutex mutex;
  static VulkanInstance* instances[2] = {nullptr, nullptr};  // [validation]; never deleted
  const std::lock_guard<std::mutex> lock(mutex);
  VulkanInstance*& slot = instances[validation ? 1 : 0];
  if (!slot) slot = new VulkanInstance(validation);
  return *slot;
}

std::vector<VkPhysicalDevice> VulkanInstance::physical_devices() const {
  uint32_t count = 0;
  VkResult result = vkEnumeratePhysicalDevices(instance_.get(), &count, nullptr);
  if (result == VK_ERROR_INITIALIZATION_FAILED)
    fail_no_device(fmt::format("vkEnumeratePhysicalDevices: {}", vk_result_name(result)));
  HETSCHED_VK_CHECK(result, "counting physical devices");
  if (count == 0) fail_no_device("the loader found drivers but no physical device");
  std::vector<VkPhysicalDevice> devices(count);
  // VK_INCOMPLETE cannot happen with the count just queried unless a device vanished: keep what came.
  result = vkEnumeratePhysicalDevices(instance_.get(), &count, devices.data());
  if (result != VK_INCOMPLETE) HETSCHED_VK_CHECK(result, "enumerating physical devices");
  devices.resize(count);
  if (devices.empty()) fail_no_device("the loader found drivers but no physical device");
  return devices;
}

}  // namespace hetsched::gpu
