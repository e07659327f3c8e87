// Cooperative matrices (tensor cores): what a device reports through VK_NV_cooperative_matrix
// (vkGetPhysicalDeviceCooperativeMatrixPropertiesNV: the M x N x K shapes and component types it
// runs), and whether the conv kernels' one shape is among them. Queried, never assumed; the shaders
// use GLSL's GL_NV_cooperative_matrix (Debian 12's glslang 12 compiles it, not the KHR one:
// docs/tensor_cores.md).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hetsched::gpu {

// One VkCooperativeMatrixPropertiesNV entry: D (MxN, d_type) = A (MxK, a_type) * B (KxN, b_type) + C (c_type).
struct CoopMatShape {
  uint32_t m = 0, n = 0, k = 0;
  VkComponentTypeNV a_type{}, b_type{}, c_type{}, d_type{};
  VkScopeNV scope{};
  std::string to_string() const;  // "16x16x16 f16*f16+f32->f32 subgroup"
};

struct CoopMatSupport {
  bool nv_extension = false;      // VK_NV_cooperative_matrix is offered
  bool feature = false;           // ...and its cooperativeMatrix feature is true
  bool compute_stage = false;     // cooperativeMatrixSupportedStages has COMPUTE
  // Vulkan 1.2's vulkanMemoryModel: glslang emits the VulkanMemoryModel capability for the
  // GL_KHR_memory_scope_semantics that GL_NV_cooperative_matrix requires (gl_ScopeSubgroup).
  bool vulkan_memory_model = false;
  std::vector<CoopMatShape> shapes;
  // The shape gpu/shaders/conv2d_coopmat.comp uses: 16x16x16, fp16 A and B, fp32 C and D, subgroup scope.
  bool has_f16_16x16x16_f32() const;
  // Everything the conv kernels need (the extension, the feature, compute, the memory model, the shape).
  bool usable() const {
    return nv_extension && feature && compute_stage && vulkan_memory_model && has_f16_16x16x16_f32();
  }
};

// Queries the above for `device` (the extension list passed in, as query_device_info read it).
// Never throws: a failing query leaves the support empty (the fallback shaders run).
CoopMatSupport query_coopmat_support(VkInstance instance, VkPhysicalDevice device,
                                     const std::vector<VkExtensionProperties>& extensions);

// HETSCHED_NO_COOPMAT=1 in the environment: never use cooperative matrices, emulated ones included
// (for A/B timing).
bool coopmat_disabled_by_env();
// HETSCHED_TENSOR_CORES_ONLY=1: where a conv-like op has a cooperative-matrix kernel, build that alone
// instead of the choice between it and the shader (gpu/ops/tensor_core_choice.h), for A/B timing.
bool tensor_cores_only_by_env();
// Test hook, HETSCHED_COOPMAT_EMULATE=1: the cooperative kernels run conv2d_coopmat_emulated.comp
// (their staging, ranges and epilogue with plain float16 dot products) on any device with
// shaderFloat16, e.g. lavapipe; the default of DeviceOptions::coopmat_emulate.
bool coopmat_emulated_by_env();

}  // namespace hetsched::gpu
