// ComputePipeline creation: embedded SPIR-V lookup, descriptor set and pipeline layouts, the
// specialized compute pipeline (through the pipeline cache when given).
#include "gpu/pipeline.h"

#include <vector>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "gpu/spirv_registry.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

std::string shader_variant(const std::string& shader, const VulkanDevice& device) {
  return device.fp16_enabled() ? shader + "_fp16" : shader;
}

ComputePipeline::ComputePipeline(const VulkanDevice& device, const ComputePipelineDesc& desc,
                                 const PipelineCache* cache)
    : shader_(shader_variant(desc.shader, device)),
      push_constant_bytes_(desc.push_constant_bytes),
      storage_buffers_(desc.storage_buffers) {
  const std::span<const uint32_t> words = desc.spirv.empty() ? find_spirv(shader_) : desc.spirv;
  if (words.empty()) {
    std::string names;
    for (std::string_view n : embedded_shader_names()) names += fmt::format("{}{}", names.empty() ? "" : ", ", n);
    fail(ErrorKind::kInternal, "no embedded shader named '{}' (embedded: {})", shader_, names);
  }
  if (desc.push_constant_bytes % 4 != 0 || desc.push_constant_bytes > device.info().max_push_constants_size)
    fail(ErrorKind::kUnsupported, "shader '{}' needs {} bytes of push constants; {} allows {} (multiples of 4)",
         desc.shader, desc.push_constant_bytes, device.describe(), device.info().max_push_constants_size);
  const VkDevice dev = device.get();

  // Set 0: storage buffers 0..N-1, compute stage.
  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.storage_buffers);
  for (uint32_t i = 0; i < desc.storage_buffers; ++i)
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  auto set_info = vk_struct<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  set_info.bindingCount = desc.storage_buffers;
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &set_layout),
                    "creating the descriptor set layout of shader '{}'", desc.shader);
  set_layout_ = DescriptorSetLayout(dev, set_layout);

  const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_constant_bytes};
  auto layout_info = vk_struct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = desc.push_constant_bytes > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &push;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreatePipelineLayout(dev, &layout_info, nullptr, &layout),
                    "creating the pipeline layout of shader '{}'", desc.shader);
  layout_ = PipelineLayout(dev, layout);

  // The module is only needed while the pipeline is created.
  auto module_info = vk_struct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module_info.codeSize = words.size_bytes();
  module_info.pCode = words.data();
  VkShaderModule module_handle = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateShaderModule(dev, &module_info, nullptr, &module_handle),
                    "creating the shader module of '{}' ({} SPIR-V words) on {}", desc.shader, words.size(),
                    device.describe());
  const ShaderModule module(dev, module_handle);

  auto stage = vk_struct<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
  stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  stage.module = module.get();
  stage.pName = "main";
  stage.pSpecializationInfo = desc.spec.info();
  auto pipeline_info = vk_struct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pipeline_info.stage = stage;
  pipeline_info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(
      vkCreateComputePipelines(dev, cache ? cache->get() : VK_NULL_HANDLE, 1, &pipeline_info, nullptr, &pipeline),
      "creating the compute pipeline of shader '{}' ({} specialization constants) on {}", desc.shader,
      desc.spec.entries().size(), device.describe());
  pipeline_ = Pipeline(dev, pipeline);
}

}  // namespace hetsched::gpu
