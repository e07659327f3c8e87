// CommandBuffer recording helpers and queue submission with timeline semaphores.
#include "gpu/command.h"

#include <vector>

#include "gpu/device.h"
#include "gpu/fence.h"
#include "gpu/pipeline.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {

CommandBuffer::CommandBuffer(const VulkanDevice& device) : device_(device) {
  auto pool_info = vk_struct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool_info.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
  pool_info.queueFamilyIndex = device.queue_family();
  VkCommandPool pool = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateCommandPool(device.get(), &pool_info, nullptr, &pool), "creating a command pool on {}",
                    device.describe());
  pool_ = CommandPool(device.get(), pool);
  auto alloc = vk_struct<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.commandPool = pool;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  HETSCHED_VK_CHECK(vkAllocateCommandBuffers(device.get(), &alloc, &cmd_), "allocating a command buffer");
}

void CommandBuffer::begin() {
  HETSCHED_VK_CHECK(vkResetCommandPool(device_.get(), pool_.get(), 0), "resetting a command pool");
  auto info = vk_struct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  HETSCHED_VK_CHECK(vkBeginCommandBuffer(cmd_, &info), "beginning a command buffer");
}

void CommandBuffer::end() { HETSCHED_VK_CHECK(vkEndCommandBuffer(cmd_), "ending a command buffer"); }

void CommandBuffer::dispatch(const ComputePipeline& pipeline, VkDescriptorSet set, std::span<const std::byte> push,
                             std::array<uint32_t, 3> groups, std::string_view context) {
  if (push.size() != pipeline.push_constant_bytes())
    fail(ErrorKind::kInvalidArgument, "{}{}shader '{}' takes {} bytes of push constants, {} were given", context,
         context.empty() ? "" : ": ", pipeline.shader(), pipeline.push_constant_bytes(), push.size());
  const auto& max = device_.info().max_workgroup_count;
  for (int i = 0; i < 3; ++i)
    if (groups[i] > max[i])
      fail(ErrorKind::kInvalidArgument,
           "{}{}shader '{}': {}x{}x{} workgroups exceed the device's maxComputeWorkGroupCount {}x{}x{}", context,
           context.empty() ? "" : ": ", pipeline.shader(), groups[0], groups[1], groups[2], max[0], max[1], max[2]);
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.get());
  if (set != VK_NULL_HANDLE)
    vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
  if (!push.empty())
    vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, static_cast<uint32_t>(push.size()),
                       push.data());
  vkCmdDispatch(cmd_, groups[0], groups[1], groups[2]);
}

void CommandBuffer::barrier(SyncScope src, SyncScope dst) {
  auto b = vk_struct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  b.srcAccessMask = src.access;
  b.dstAccessMask = dst.access;
  vkCmdPipelineBarrier(cmd_, src.stage, dst.stage, 0, 1, &b, 0, nullptr, 0, nullptr);
}

void CommandBuffer::barrier(std::span<const BufferRange> ranges, SyncScope src, SyncScope dst) {
  std::vector<VkBufferMemoryBarrier> barriers(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    barriers[i] = vk_struct<VkBufferMemoryBarrier>(VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER);
    barriers[i].srcAccessMask = src.access;
    barriers[i].dstAccessMask = dst.access;
    barriers[i].srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barriers[i].dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barriers[i].buffer = ranges[i].buffer;
    barriers[i].offset = ranges[i].offset;
    barriers[i].size = ranges[i].size;
  }
  vkCmdPipelineBarrier(cmd_, src.stage, dst.stage, 0, 0, nullptr, static_cast<uint32_t>(barriers.size()),
                       barriers.data(), 0, nullptr);
}

void CommandBuffer::copy(const BufferRange& src, const BufferRange& dst) {
  if (src.size != dst.size)
    fail(ErrorKind::kInvalidArgument, "copy from '{}' ({} bytes) to '{}' ({} bytes): sizes differ", src.label,
         src.size, dst.label, dst.size);
  const VkBufferCopy region{src.offset, dst.offset, src.size};
  vkCmdCopyBuffer(cmd_, src.buffer, dst.buffer, 1, &region);
}

void CommandBuffer::fill(const BufferRange& dst, uint32_t word) {
  if (dst.offset % 4 != 0 || dst.size % 4 != 0)
    fail(ErrorKind::kInvalidArgument, "fill of '{}' at [{}, +{}): offset and size must be multiples of 4", dst.label,
         dst.offset, dst.size);
  vkCmdFillBuffer(cmd_, dst.buffer, dst.offset, dst.size, word);
}

void CommandBuffer::reset_queries(VkQueryPool pool, uint32_t first, uint32_t count) {
  vkCmdResetQueryPool(cmd_, pool, first, count);
}

void CommandBuffer::write_timestamp(VkQueryPool pool, uint32_t query, VkPipelineStageFlagBits stage) {
  vkCmdWriteTimestamp(cmd_, stage, pool, query);
}

void submit(const VulkanDevice& device, const Submission& s, std::string_view context) {
  std::vector<VkSemaphore> wait_semaphores, signal_semaphores;
  std::vector<uint64_t> wait_values, signal_values;
  std::vector<VkPipelineStageFlags> wait_stages;
  for (const TimelineWait& w : s.waits) {
    wait_semaphores.push_back(w.semaphore);
    wait_values.push_back(w.value);
    wait_stages.push_back(w.stage);
  }
  for (const TimelineSignal& sig : s.signals) {
    signal_semaphores.push_back(sig.semaphore);
    signal_values.push_back(sig.value);
  }
  auto timeline = vk_struct<VkTimelineSemaphoreSubmitInfo>(VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);
  timeline.waitSemaphoreValueCount = static_cast<uint32_t>(wait_values.size());
  timeline.pWaitSemaphoreValues = wait_values.data();
  timeline.signalSemaphoreValueCount = static_cast<uint32_t>(signal_values.size());
  timeline.pSignalSemaphoreValues = signal_values.data();
  auto info = vk_struct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  info.pNext = &timeline;
  info.waitSemaphoreCount = static_cast<uint32_t>(wait_semaphores.size());
  info.pWaitSemaphores = wait_semaphores.data();
  info.pWaitDstStageMask = wait_stages.data();
  info.commandBufferCount = static_cast<uint32_t>(s.command_buffers.size());
  info.pCommandBuffers = s.command_buffers.data();
  info.signalSemaphoreCount = static_cast<uint32_t>(signal_semaphores.size());
  info.pSignalSemaphores = signal_semaphores.data();
  device.submit(info, s.fence, context);
}

void submit_and_wait(const VulkanDevice& device, const CommandBuffer& cmd, std::string_view context,
                     std::chrono::nanoseconds timeout) {
  const Fence fence(device);
  const VkCommandBuffer buffers[] = {cmd.get()};
  submit(device, {.command_buffers = buffers, .fence = fence.get()}, context);
  if (!fence.wait(timeout, context))
    fail(ErrorKind::kInternal, "{}: the GPU did not finish within {} ms on {}", context,
         std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(), device.describe());
}

}  // namespace hetsched::gpu
