// The GPU kernel interface (the GPU twin of cpu/kernel.h). Lifecycle: create (the factory builds
// the pipeline with its specialization constants and uploads constants, e.g. packed weights, to
// device-local buffers) -> bind (one descriptor set for the activation ranges it reads and writes)
// -> record (the dispatches that compute exactly `range` of the output; recorded once, replayed
// every run). Barriers between ops are the executor's, not the kernel's.
//
// Shader conventions (gpu/shaders/common.glsl): activations are PHWC4 `vec4` arrays; binding 0 is
// the output, bindings 1.. the activation inputs in op.inputs order (absent and constant inputs
// skipped), then the kernel's own constant buffers. Push constants start with the output range
// (ivec4 slice_begin, slice_end, row_begin, row_end). One invocation computes one output vec4
// (x, row, slice) unless the kernel says otherwise; dispatch covers only the range.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/pipeline.h"
#include "graph/graph.h"

namespace hetsched::gpu {

class VulkanDevice;
class PipelineCache;

struct GpuKernelContext {
  const VulkanDevice& device;
  const PipelineCache* cache = nullptr;  // may be null
};

class GpuKernel {
 public:
  virtual ~GpuKernel() = default;
  // Storage-buffer descriptors its set needs (for sizing the descriptor arena).
  virtual uint32_t storage_buffers() const = 0;
  // Writes the descriptor set: `inputs` has one range per op.inputs entry (empty for absent or
  // constant inputs), `output` the output tensor's range.
  virtual void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) = 0;
  // Records the dispatches computing exactly `range` of the output (every batch).
  virtual void record(CommandBuffer& cmd, const OutputRange& range) const = 0;
};

using GpuKernelFactory = std::unique_ptr<GpuKernel> (*)(const GpuKernelContext& ctx, const Graph& graph, const Op& op);

// The factory for `type`, or nullptr when the GPU has no kernel for it (IsSupported for the partitioner).
GpuKernelFactory find_gpu_kernel(OpType type);
// Creates the kernel for `op`; throws kUnsupported naming the op if there is none.
std::unique_ptr<GpuKernel> create_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);

void register_conv_gpu_kernels(GpuKernelFactory* table);     // indexed by OpType
void register_general_gpu_kernels(GpuKernelFactory* table);

// Uploads `bytes` into a new device-local buffer (through a staging buffer; waits). `label` names
// the op and constant for errors. Empty input -> a 16-byte zero buffer (bindings need a buffer).
Buffer upload_constant(const VulkanDevice& device, std::span<const std::byte> bytes, std::string label);
inline Buffer upload_constant(const VulkanDevice& device, std::span<const float> values, std::string label) {
  return upload_constant(device, std::as_bytes(values), std::move(label));
}

// Workgroup counts covering `n` invocations with groups of `local`.
inline uint32_t groups_for(uint32_t n, uint32_t local) { return (n + local - 1) / local; }

}  // namespace hetsched::gpu
