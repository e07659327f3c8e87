// Runs one op's GPU kernel with CpuKernel::run semantics (PHWC4 host buffers in and out), so the
// per-op harness can check the GPU exactly as it checks the CPU: same inputs, the float64
// reference as the oracle, partial slice/row ranges on poisoned buffers.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "cpu/kernel.h"
#include "gpu/buffer.h"
#include "gpu/descriptors.h"
#include "gpu/device.h"
#include "gpu/gpu_kernel.h"
#include "graph/graph.h"

namespace hetsched::test {

// The process-wide Vulkan device of the tests (lavapipe in CI); nullptr when there is none, with
// the reason in *why.
gpu::VulkanDevice* test_gpu_device(std::string* why = nullptr);
// The same device created with fp16 (float16 buffers, `_fp16` shaders); nullptr when there is no
// device or it lacks shaderFloat16 / 16-bit storage, with the reason in *why.
gpu::VulkanDevice* test_gpu_device_fp16(std::string* why = nullptr);

class GpuOpRunner {
 public:
  // `workgroup`: forces the kernel's local size and register block (GpuKernel::set_workgroup), as
  // tuning would; none: the kernel's defaults.
  GpuOpRunner(gpu::VulkanDevice& device, const Graph& graph, const Op& op,
              const std::optional<gpu::WorkgroupSize>& workgroup = std::nullopt);
  // Uploads the non-constant inputs and the current content of `output` (e.g. poison), records
  // and runs the kernel over `range`, and copies the whole output back into `output.data`.
  // On an fp16 device the buffers hold float16: values are converted both ways, and an output
  // element the kernel did not write keeps its exact float32 content (poison survives).
  void run(std::span<const cpu::ConstView> inputs, const cpu::MutableView& output, const OutputRange& range);

 private:
  gpu::VulkanDevice& device_;
  const Graph& graph_;
  const Op& op_;
  std::unique_ptr<gpu::GpuKernel> kernel_;
  std::vector<gpu::Buffer> inputs_;  // one per op input (empty Buffer for constants/absent)
  gpu::Buffer output_;
  std::unique_ptr<gpu::DescriptorArena> descriptors_;
};

}  // namespace hetsched::test
