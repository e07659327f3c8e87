// The shared host side of the general (non-conv) GPU kernels: one pipeline, one descriptor set
// (binding 0 output, the activation inputs in op.inputs order, then the kernel's constant buffers)
// and one dispatch over the output range with the grid (x: W, y: rows, z: slices * N), push
// constants = the range. Also the factories of every general GPU kernel, one per op family.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gpu/gpu_kernel.h"
#include "gpu/ops/epilogue.h"

namespace hetsched::gpu {

// Specialization constants 0..2 of every general shader (local_size_x_id/y_id/z_id); the first
// field of each shader's typed spec struct.
struct LocalSize {
  uint32_t x = 1, y = 1, z = 1;
};
// A 4D shape as four int spec constants (n, h, w, c), matching `ivec4(N, H, W, C)` in GLSL.
struct SpecShape {
  int32_t n = 1, h = 1, w = 1, c = 1;
};
inline SpecShape spec_shape(const Shape4& s) { return {s.n, s.h, s.w, s.c}; }

// Push constants of the general shaders: the output range (ivec4 slice_begin, slice_end, row_begin,
// row_end), as in every shader of the project.
struct RangePush {
  int32_t slice_begin = 0, slice_end = 0, row_begin = 0, row_end = 0;
};
inline RangePush range_push(const OutputRange& r) { return {r.slice_begin, r.slice_end, r.row_begin, r.row_end}; }

// A workgroup of up to 64 invocations shaped to the output (W first, then rows, then slices * N), so
// that a [N,1,1,C] output does not waste 63 of 64 lanes.
LocalSize local_size_for(const Shape4& out);

// The workgroup width of a kernel whose workgroup shares a reduction over `items` (global_mean,
// softmax_wide, conv2d_splitk): items rounded up to a power of two, at most 256 and the device's
// max_workgroup_invocations (128 where that is unknown: 0).
uint32_t reduction_invocations(int items, uint32_t max_invocations);

// The 4D shape of tensor `t` (inputs and outputs of `op`).
inline Shape4 shape_of(const Graph& g, int t) { return g.tensors.at(size_t(t)).shape4(); }

// Uploads the float32 constant tensor `t` in PHWC4 (its own 4D shape) for `op`; label names both.
Buffer upload_phwc4_constant(const VulkanDevice& device, const Graph& g, const Op& op, int t);

// One pipeline that reads input 0 and writes the output, each workgroup reducing for one group of
// output elements (global_mean.comp: a slice of a batch; softmax_wide.comp: a pixel), so its
// workgroup size is the reduction's width and not tuned. `grid` gives the workgroup counts for a
// range of the output `out`; push constants = the range.
class GroupReductionKernel final : public GpuKernel {
 public:
  using Grid = std::array<uint32_t, 3> (*)(const Shape4& out, const OutputRange& range);
  GroupReductionKernel(const GpuKernelContext& ctx, const Graph& g, const Op& op, ComputePipelineDesc desc, Grid grid);

  uint32_t storage_buffers() const override { return 2; }
  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override;
  void record(CommandBuffer& cmd, const OutputRange& range) const override;

 private:
  std::string context_;  // "model 'x': op 3 (SOFTMAX)" for errors
  Shape4 out_;
  Grid grid_;
  ComputePipeline pipeline_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

// The kernel of every general op: constant inputs of `op` are uploaded at create (PHWC4) and bound
// after the activation inputs, in op.inputs order. `Spec` is the shader's typed struct of
// specialization constants whose first field is `LocalSize local`; an op's epilogue constants are
// added (gpu/ops/epilogue.h), and its operands, being activations after the op's own inputs, are bound
// right after the op's activation inputs (producers with constant inputs get no epilogue). `storage_buffers` may exceed the
// bound count (a shader with a fixed number of input bindings): the extra bindings get the first
// input (or the output when there is none); the shader never reads them.
class SingleDispatchKernel : public GpuKernel {
 public:
  template <typename Spec>
  SingleDispatchKernel(const GpuKernelContext& ctx, const Graph& g, const Op& op, std::string shader,
                       const Spec& spec, uint32_t storage_buffers = 0)
      : SingleDispatchKernel(ctx, g, op, ComputePipelineDesc{std::move(shader),
                                                             with_epilogue(SpecConstants::from_struct(spec), op),
                                                             uint32_t(sizeof(RangePush)), storage_buffers},
                             spec.local) {}

  uint32_t storage_buffers() const override { return pipeline_.storage_buffers(); }
  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override;
  void record(CommandBuffer& cmd, const OutputRange& range) const override;
  std::string tuning_key() const override { return tuning_key_of(pipeline_, desc_.spec); }
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const override;
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override;
  std::optional<ComputePipelineDesc> candidate_pipeline(const WorkgroupSize& size) const override;

  // How many buffers the op binds itself: 1 + activation inputs + constant inputs.
  static uint32_t bound_buffers(const Graph& g, const Op& op);

 private:
  SingleDispatchKernel(const GpuKernelContext& ctx, const Graph& g, const Op& op, ComputePipelineDesc desc,
                       LocalSize local);

  std::string context_;  // "model 'x': op 3 (ADD)" for errors
  Shape4 out_shape_;
  LocalSize local_;
  std::vector<size_t> activation_inputs_;  // positions in op.inputs of the bound activations
  std::vector<Buffer> constants_;          // PHWC4 uploads of the constant inputs, op.inputs order
  ComputePipelineDesc desc_;               // spec ids 0..2 = local_
  ComputePipeline pipeline_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

// Factories (gpu/ops/<family>.cpp), registered in register_general_gpu_kernels.cpp.
// The generic shaders of the elementwise ops (OP = OpDescriptor::shader_op).
inline constexpr const char* kBinaryShader = "elementwise_binary";
inline constexpr const char* kUnaryShader = "unary";

std::unique_ptr<GpuKernel> create_binary_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_unary_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_pool2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_concatenation_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                           const Op& op);
std::unique_ptr<GpuKernel> create_depth_to_space_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                            const Op& op);
std::unique_ptr<GpuKernel> create_mean_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_pad_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_reshape_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
std::unique_ptr<GpuKernel> create_resize_bilinear_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                             const Op& op);
std::unique_ptr<GpuKernel> create_softmax_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op);
// SOFTMAX over 64 or more channels (without epilogue steps) runs softmax_wide.comp: one workgroup of
// softmax_wide_invocations() per output pixel.
bool softmax_runs_wide(const Graph& g, const Op& op);
uint32_t softmax_wide_invocations(int channels, uint32_t max_invocations);

}  // namespace hetsched::gpu
