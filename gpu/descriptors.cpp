// DescriptorArena: pool creation, set allocation and validated storage-buffer writes.
#include "gpu/descriptors.h"

#include <algorithm>
#include <vector>

#include "gpu/device.h"
#include "gpu/pipeline.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

DescriptorArena::DescriptorArena(const VulkanDevice& device, uint32_t max_sets, uint32_t max_storage_buffers)
    : device_(device), max_sets_(max_sets) {
  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, std::max(max_storage_buffers, 1u)};
  auto info = vk_struct<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  info.maxSets = std::max(max_sets, 1u);
  info.poolSizeCount = 1;
  info.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateDescriptorPool(device.get(), &info, nullptr, &pool),
                    "creating a descriptor pool of {} sets / {} storage buffers", max_sets, max_storage_buffers);
  pool_ = DescriptorPool(device.get(), pool);
}

VkDescriptorSet DescriptorArena::allocate(const ComputePipeline& pipeline, std::span<const BufferRange> buffers,
                                          std::string_view context) {
  const DeviceInfo& info = device_.info();
  if (buffers.size() != pipeline.storage_buffers())
    fail(ErrorKind::kInvalidArgument, "{}: shader '{}' has {} storage buffers, {} were bound", context,
         pipeline.shader(), pipeline.storage_buffers(), buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferRange& b = buffers[i];
    if (b.buffer == VK_NULL_HANDLE || b.size == 0)
      fail(ErrorKind::kInvalidArgument, "{}: binding {} ('{}') of shader '{}' is empty", context, i, b.label,
           pipeline.shader());
    if (b.offset % info.min_storage_buffer_offset_alignment != 0)
      fail(ErrorKind::kInvalidArgument,
           "{}: binding {} ('{}') of shader '{}' starts at byte {}, not a multiple of the device's "
           "minStorageBufferOffsetAlignment {}",
           context, i, b.label, pipeline.shader(), b.offset, info.min_storage_buffer_offset_alignment);
    if (b.size > info.max_storage_buffer_range)
      fail(ErrorKind::kResourceExhausted,
           "{}: binding {} ('{}') of shader '{}' spans {} bytes; {} binds at most {} bytes (maxStorageBufferRange)",
           context, i, b.label, pipeline.shader(), b.size, device_.describe(), info.max_storage_buffer_range);
  }

  const VkDescriptorSetLayout layout = pipeline.set_layout();
  auto alloc = vk_struct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
  alloc.descriptorPool = pool_.get();
  alloc.descriptorSetCount = 1;
  alloc.pSetLayouts = &layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkAllocateDescriptorSets(device_.get(), &alloc, &set),
                    "{}: allocating a descriptor set for shader '{}' (arena of {} sets)", context, pipeline.shader(),
                    max_sets_);

  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    infos[i] = {buffers[i].buffer, buffers[i].offset, buffers[i].size};
    writes[i] = vk_struct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(device_.get(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
  return set;
}

void DescriptorArena::reset() {
  HETSCHED_VK_CHECK(vkResetDescriptorPool(device_.get(), pool_.get(), 0), "resetting a descriptor arena");
}

}  // namespace hetsched::gpu
