// BusyKernel: pipeline creation from the SPIR-V that bench/CMakeLists.txt embeds from gpu_load.comp
// (as kSpirv_gpu_load; it is not in gpu/'s shader registry, which holds only the executor's
// shaders), the descriptor set of its sink buffer, and recording.
#include "bench/load/busy_kernel.h"

#include <cstddef>

#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
extern const uint32_t kSpirv_gpu_load[];
extern const size_t kSpirv_gpu_load_words;
}  // namespace hetsched::gpu

namespace hetsched::load {

namespace {
struct Push {
  uint32_t iterations;
  float seed;
};
}  // namespace

BusyKernel::BusyKernel(const gpu::VulkanDevice& device, uint32_t groups)
    : groups_(groups), sink_(device, 1024 * sizeof(float), gpu::MemoryUse::kDeviceLocal, "gpu_load sink") {
  using gpu::vk_struct;
  const VkDevice dev = device.get();
  const VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT,
                                             nullptr};
  auto set_info = vk_struct<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  set_info.bindingCount = 1;
  set_info.pBindings = &binding;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &set_layout),
                    "gpu_load: creating the descriptor set layout on {}", device.describe());
  set_layout_ = gpu::DescriptorSetLayout(dev, set_layout);

  const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push)};
  auto layout_info = vk_struct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &push;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreatePipelineLayout(dev, &layout_info, nullptr, &layout),
                    "gpu_load: creating the pipeline layout on {}", device.describe());
  layout_ = gpu::PipelineLayout(dev, layout);

  auto module_info = vk_struct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module_info.codeSize = gpu::kSpirv_gpu_load_words * sizeof(uint32_t);
  module_info.pCode = gpu::kSpirv_gpu_load;
  VkShaderModule module_handle = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateShaderModule(dev, &module_info, nullptr, &module_handle),
                    "gpu_load: creating the shader module of gpu_load.comp on {}", device.describe());
  const gpu::ShaderModule module(dev, module_handle);
  auto stage = vk_struct<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
  stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  stage.module = module.get();
  stage.pName = "main";
  auto pipeline_info = vk_struct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pipeline_info.stage = stage;
  pipeline_info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pipeline_info, nullptr, &pipeline),
                    "gpu_load: creating the compute pipeline of gpu_load.comp on {}", device.describe());
  pipeline_ = gpu::Pipeline(dev, pipeline);

  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
  auto pool_info = vk_struct<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  pool_info.maxSets = 1;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateDescriptorPool(dev, &pool_info, nullptr, &pool), "gpu_load: creating a descriptor pool");
  pool_ = gpu::DescriptorPool(dev, pool);
  auto alloc = vk_struct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
  alloc.descriptorPool = pool;
  alloc.descriptorSetCount = 1;
  alloc.pSetLayouts = &set_layout;
  HETSCHED_VK_CHECK(vkAllocateDescriptorSets(dev, &alloc, &set_), "gpu_load: allocating the descriptor set");
  const VkDescriptorBufferInfo buffer_info{sink_.get(), 0, sink_.size()};
  auto write = vk_struct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
  write.dstSet = set_;
  write.dstBinding = 0;
  write.descriptorCount = 1;
  write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  write.pBufferInfo = &buffer_info;
  vkUpdateDescriptorSets(dev, 1, &write, 0, nullptr);
}

void BusyKernel::record(gpu::CommandBuffer& cmd, uint32_t iterations) const {
  const Push push{iterations, 0.5f};
  vkCmdBindPipeline(cmd.get(), VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.get());
  vkCmdBindDescriptorSets(cmd.get(), VK_PIPELINE_BIND_POINT_COMPUTE, layout_.get(), 0, 1, &set_, 0, nullptr);
  vkCmdPushConstants(cmd.get(), layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push), &push);
  vkCmdDispatch(cmd.get(), groups_, 1, 1);
}

}  // namespace hetsched::load
