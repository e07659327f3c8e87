// ComputePipeline: one embedded shader + specialization constants + push constant size + N storage
// buffer bindings (set 0, bindings 0..N-1) -> VkPipeline with its layouts.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>

#include "gpu/spec_constants.h"
#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;
class PipelineCache;

struct ComputePipelineDesc {
  std::string shader;                // file stem of gpu/shaders/<shader>.comp
  SpecConstants spec = {};           // see spec_constants.h
  uint32_t push_constant_bytes = 0;  // multiple of 4, <= maxPushConstantsSize
  uint32_t storage_buffers = 0;      // std430 buffers at set 0, bindings 0..N-1
  // Set: these SPIR-V words instead of the embedded shader (one outside gpu/'s registry, such as
  // bench/load's gpu_load.comp); `shader` then only names it in errors.
  std::span<const uint32_t> spirv = {};
};

// The embedded shader that runs `shader` on `device`: `<shader>_fp16` (16-bit storage, fp16
// arithmetic; see gpu/shaders/common.glsl) when the device was created with fp16, else `<shader>`.
// The one place that picks a precision variant.
std::string shader_variant(const std::string& shader, const VulkanDevice& device);

// Thread-safety: immutable after construction; bind it from any thread's command buffers.
// Move-only. The device must outlive it.
class ComputePipeline {
 public:
  // Errors name the shader: kInternal when it is not embedded, kUnsupported when the push constants
  // exceed the device limit, the VkResult's kind when module or pipeline creation fails.
  ComputePipeline(const VulkanDevice& device, const ComputePipelineDesc& desc, const PipelineCache* cache = nullptr);

  VkPipeline get() const { return pipeline_.get(); }
  VkPipelineLayout layout() const { return layout_.get(); }
  VkDescriptorSetLayout set_layout() const { return set_layout_.get(); }
  // The embedded variant in use (shader_variant()), e.g. "conv2d_fp16".
  const std::string& shader() const { return shader_; }
  uint32_t push_constant_bytes() const { return push_constant_bytes_; }
  uint32_t storage_buffers() const { return storage_buffers_; }

 private:
  std::string shader_;
  uint32_t push_constant_bytes_ = 0;
  uint32_t storage_buffers_ = 0;
  DescriptorSetLayout set_layout_;
  PipelineLayout layout_;
  Pipeline pipeline_;  // declared last: destroyed first
};

}  // namespace hetsched::gpu
