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
#include <optional>
#include <span>
#include <vector>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/pipeline.h"
#include "gpu/workgroup_tuning.h"
#include "graph/graph.h"

namespace hetsched::gpu {

class VulkanDevice;
class PipelineCache;
struct DeviceInfo;

struct GpuKernelContext {
  const VulkanDevice& device;
  const PipelineCache* cache = nullptr;  // may be null
};

class GpuKernel {
 public:
  virtual ~GpuKernel() = default;
  // Storage-buffer descriptors its sets need, and how many sets (for sizing the descriptor arena).
  virtual uint32_t storage_buffers() const = 0;
  virtual uint32_t descriptor_sets() const { return 1; }
  // Writes the descriptor set: `inputs` has one range per op.inputs entry (empty for absent or
  // constant inputs), `output` the output tensor's range.
  virtual void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) = 0;
  // Records the dispatches computing exactly `range` of the output (every batch).
  virtual void record(CommandBuffer& cmd, const OutputRange& range) const = 0;

  // Workgroup tuning (gpu/workgroup_tuning.h; the executor times the candidates at prepare time).
  // The key names the shader variant and every specialization constant but the local size (so the
  // op's shapes and attributes); empty: the kernel is not tunable.
  virtual std::string tuning_key() const { return {}; }
  // Candidate local sizes (with register blocks, for kernels that have them) for `device`, the one
  // in use first.
  virtual std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const {
    (void)device;
    return {};
  }
  // Rebuilds the pipeline with local size and block `size` (and records dispatches for it from now on). The
  // descriptor set from bind() stays valid: the new pipeline's set layout is identically defined.
  virtual void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) {
    (void)ctx;
    (void)size;
  }
  // The pipeline set_workgroup(size) would build, as a copy: the tuning loop hands it to threads
  // that compile it ahead into the pipeline cache without touching the kernel. nullopt: none.
  virtual std::optional<ComputePipelineDesc> candidate_pipeline(const WorkgroupSize& size) const {
    (void)size;
    return std::nullopt;
  }
  // Whether the dispatches it records now run on tensor cores (cooperative matrices).
  virtual bool on_tensor_cores() const { return false; }
};

// "<shader variant>|<id>=<value hex>,..." over the specialization constants other than the tuned
// ones (the local size, ids 0..2, and the register block, common.glsl's BLOCK_S_ID and BLOCK_X_ID):
// the tuning key of a kernel built from one pipeline. The tuned values are the cache entry's.
std::string tuning_key_of(const ComputePipeline& pipeline, const SpecConstants& spec);
// The key of `kernel` in the workgroup tuning cache for an output of shape `out` (its tuning_key()
// plus the shape); empty when the kernel is not tunable.
std::string workgroup_tuning_key(const GpuKernel& kernel, const Shape4& out);

using GpuKernelFactory = std::unique_ptr<GpuKernel> (*)(const GpuKernelContext& ctx, const Graph& graph, const Op& op);

// One row of the GPU kernel table: the factory of an op type's kernel and the facts of its shader,
// which the device-free dispatch listing (gpu/dispatch_plan.h) reads instead of keeping a copy.
struct GpuKernelEntry {
  GpuKernelFactory create = nullptr;
  const char* shader = nullptr;   // gpu/shaders/<shader>.comp
  bool conv_like = false;         // workgroups sized by conv_kernels::local_size_for ...
  bool slice_per_group = false;   // ... each holding one output slice
  bool register_blocked = false;  // tuned register blocks (ConvLikeSetup::register_blocked)
  // Its cooperative-matrix kernel where the device has them enabled (nullptr otherwise, or where the
  // op does not fit them): create_gpu_kernel then builds both and tuning keeps the faster
  // (gpu/ops/tensor_core_choice.h).
  GpuKernelFactory tensor_cores = nullptr;
};

// The factory for `type`, or nullptr when the GPU has no kernel for it (IsSupported for the partitioner).
GpuKernelFactory find_gpu_kernel(OpType type);
// The table row of `type` (create == nullptr when the GPU has no kernel for it).
const GpuKernelEntry& gpu_kernel_entry(OpType type);
// Creates the kernel for `op` (with its tensor-core alternative where the table row has one);
// throws kUnsupported naming the op if there is none.
std::unique_ptr<GpuKernel> create_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op);

void register_conv_gpu_kernels(GpuKernelEntry* table);     // indexed by OpType
void register_general_gpu_kernels(GpuKernelEntry* table);

// Uploads `bytes` into a new device-local buffer (through a staging buffer; waits). `label` names
// the op and constant for errors. Empty input -> a 16-byte zero buffer (bindings need a buffer).
Buffer upload_constant(const VulkanDevice& device, std::span<const std::byte> bytes, std::string label);
// Float constants (weights, bias, PHWC4 tensors) in the device's storage precision: float16 when
// the device was created with fp16 (the shaders' STORE4 is then f16vec4), else float32.
Buffer upload_constant(const VulkanDevice& device, std::span<const float> values, std::string label);

// Workgroup counts covering `n` invocations with groups of `local`.
inline uint32_t groups_for(uint32_t n, uint32_t local) { return (n + local - 1) / local; }

}  // namespace hetsched::gpu
