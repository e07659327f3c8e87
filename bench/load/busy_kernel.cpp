// BusyKernel: a gpu::ComputePipeline from the SPIR-V that bench/CMakeLists.txt embeds from
// gpu_load.comp (as kSpirv_gpu_load; it is not in gpu/'s shader registry, which holds only the
// executor's shaders), the descriptor set of its sink buffer, and recording.
#include "bench/load/busy_kernel.h"

#include <cstddef>

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

gpu::ComputePipelineDesc busy_kernel_desc() {
  gpu::ComputePipelineDesc d;
  d.shader = "gpu_load";
  d.push_constant_bytes = sizeof(Push);
  d.storage_buffers = 1;
  d.spirv = {gpu::kSpirv_gpu_load, gpu::kSpirv_gpu_load_words};
  return d;
}
}  // namespace

BusyKernel::BusyKernel(const gpu::VulkanDevice& device, uint32_t groups)
    : groups_(groups),
      sink_(device, 1024 * sizeof(float), gpu::MemoryUse::kDeviceLocal, "gpu_load sink"),
      pipeline_(device, busy_kernel_desc()),
      descriptors_(device, 1, 1) {
  const gpu::BufferRange sink = sink_.whole();
  set_ = descriptors_.allocate(pipeline_, {&sink, 1}, "gpu_load");
}

void BusyKernel::record(gpu::CommandBuffer& cmd, uint32_t iterations) const {
  const Push push{iterations, 0.5f};
  vkCmdBindPipeline(cmd.get(), VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.get());
  vkCmdBindDescriptorSets(cmd.get(), VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.layout(), 0, 1, &set_, 0, nullptr);
  vkCmdPushConstants(cmd.get(), pipeline_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push), &push);
  vkCmdDispatch(cmd.get(), groups_, 1, 1);
}

}  // namespace hetsched::load
