// BusyKernel: the compute pipeline of gpu_load.comp (a busy loop with a push-constant iteration
// count) with its one sink buffer bound, recorded into a CommandBuffer between two timestamps.
#pragma once
#include <cstdint>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/device.h"
#include "gpu/pipeline.h"

namespace hetsched::load {

// Thread-safety: immutable after construction; record() follows the command buffer's rule.
// Not movable (the descriptor set points into this object's buffer). The device must outlive it.
class BusyKernel {
 public:
  // `groups` workgroups of 128 invocations per dispatch. Errors name the shader and the device.
  BusyKernel(const gpu::VulkanDevice& device, uint32_t groups);
  BusyKernel(const BusyKernel&) = delete;
  BusyKernel& operator=(const BusyKernel&) = delete;

  // Records one dispatch of `iterations` loop rounds per invocation.
  void record(gpu::CommandBuffer& cmd, uint32_t iterations) const;
  uint32_t groups() const { return groups_; }

 private:
  uint32_t groups_ = 0;
  gpu::Buffer sink_;
  gpu::ComputePipeline pipeline_;
  gpu::DescriptorArena descriptors_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;  // owned by descriptors_
};

}  // namespace hetsched::load
