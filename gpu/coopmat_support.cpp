// Cooperative-matrix queries (see coopmat_support.h).
#include "gpu/coopmat_support.h"

#include <cstring>

#include <fmt/format.h>

#include "base/env_flag.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

const char* component_name(VkComponentTypeNV t) {
  switch (t) {
    case VK_COMPONENT_TYPE_FLOAT16_NV: return "f16";
    case VK_COMPONENT_TYPE_FLOAT32_NV: return "f32";
    case VK_COMPONENT_TYPE_FLOAT64_NV: return "f64";
    case VK_COMPONENT_TYPE_SINT8_NV: return "s8";
    case VK_COMPONENT_TYPE_UINT8_NV: return "u8";
    case VK_COMPONENT_TYPE_SINT32_NV: return "s32";
    case VK_COMPONENT_TYPE_UINT32_NV: return "u32";
    default: return "other";
  }
}

}  // namespace

std::string CoopMatShape::to_string() const {
  return fmt::format("{}x{}x{} {}*{}+{}->{} {}", m, n, k, component_name(a_type), component_name(b_type),
                     component_name(c_type), component_name(d_type),
                     scope == VK_SCOPE_SUBGROUP_NV ? "subgroup" : "other-scope");
}

bool CoopMatSupport::has_f16_16x16x16_f32() const {
  for (const CoopMatShape& s : shapes)
    if (s.m == 16 && s.n == 16 && s.k == 16 && s.a_type == VK_COMPONENT_TYPE_FLOAT16_NV &&
        s.b_type == VK_COMPONENT_TYPE_FLOAT16_NV && s.c_type == VK_COMPONENT_TYPE_FLOAT32_NV &&
        s.d_type == VK_COMPONENT_TYPE_FLOAT32_NV && s.scope == VK_SCOPE_SUBGROUP_NV)
      return true;
  return false;
}

CoopMatSupport query_coopmat_support(VkInstance instance, VkPhysicalDevice device,
                                     const std::vector<VkExtensionProperties>& extensions) {
  CoopMatSupport c;
  for (const auto& e : extensions)
    if (std::strcmp(e.extensionName, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) == 0) c.nv_extension = true;
  if (!c.nv_extension) return c;

  auto features = vk_struct<VkPhysicalDeviceCooperativeMatrixFeaturesNV>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV);
  auto f12 = vk_struct<VkPhysicalDeviceVulkan12Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  auto features2 = vk_struct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  vkGetPhysicalDeviceFeatures2(device, &vk_chain(features2, features, f12));
  c.feature = features.cooperativeMatrix == VK_TRUE;
  c.vulkan_memory_model = f12.vulkanMemoryModel == VK_TRUE;

  auto props = vk_struct<VkPhysicalDeviceCooperativeMatrixPropertiesNV>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_PROPERTIES_NV);
  auto props2 = vk_struct<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
  vkGetPhysicalDeviceProperties2(device, &vk_chain(props2, props));
  c.compute_stage = (props.cooperativeMatrixSupportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0;

  // An instance-level function of a device extension: through vkGetInstanceProcAddr.
  auto get_props = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
  if (!get_props) return c;
  uint32_t count = 0;
  if (get_props(device, &count, nullptr) != VK_SUCCESS || count == 0) return c;
  std::vector<VkCooperativeMatrixPropertiesNV> rows(
      count, vk_struct<VkCooperativeMatrixPropertiesNV>(VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV));
  if (get_props(device, &count, rows.data()) != VK_SUCCESS) return c;
  rows.resize(count);
  for (const auto& r : rows)
    c.shapes.push_back({r.MSize, r.NSize, r.KSize, r.AType, r.BType, r.CType, r.DType, r.scope});
  return c;
}

bool coopmat_disabled_by_env() { return env_flag("HETSCHED_NO_COOPMAT"); }

bool tensor_cores_only_by_env() { return env_flag("HETSCHED_TENSOR_CORES_ONLY"); }

bool coopmat_emulated_by_env() { return env_flag("HETSCHED_COOPMAT_EMULATE"); }

}  // namespace hetsched::gpu
