// Host side shared by the conv-like GPU kernels (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
// FULLY_CONNECTED): the kernel class with bindings {0 output, 1 data input, 2 packed weights,
// 3 bias, 4-5 epilogue operands (gpu/ops/epilogue.h)}, the range push constants, the workgroup size choice and bias packing.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpu/gpu_kernel.h"
#include "gpu/ops/epilogue.h"

namespace hetsched::gpu::conv_kernels {

// The push constants of every conv-like shader: `ivec4 range` (slice_begin, slice_end, row_begin, row_end).
struct RangePush {
  int32_t slice_begin = 0, slice_end = 0, row_begin = 0, row_end = 0;
};

// What every conv-like kernel's record() checks before it dispatches a non-empty range: the
// kernel is bound (`set`), and the range lies inside the output `out`; then the range's push
// constants. Errors name `context`.
RangePush checked_range_push(VkDescriptorSet set, const OutputRange& range, const Shape4& out,
                             const std::string& context);

// Workgroup size for an output: x over the width, y over the rows, z over slices x batches, at most
// 64 invocations, each axis no larger than the next power of two of its extent (a 1x1xC FC output
// gets 1x1x64, a 112x112 map 8x8x1).
// With slice_per_group the z size is 1 (x*y up to 64): every invocation of a workgroup computes
// the same output slice, so its weight loads are uniform (one load for the group).
std::array<uint32_t, 3> local_size_for(const Shape4& out, bool slice_per_group = false);

// The bias (op input `pos`, -1 or absent: zeros) padded to whole slices of `channels`.
std::vector<float> pack_bias(const Graph& graph, const Op& op, int pos, int channels);

// Weights [O,KH,KW,I] (TFLite conv and transpose conv) -> for output slice s, ky, kx, input slice
// t: 4 vec4, vec4 l holding the 4 output lanes' weights of input lane l (a column-major mat4, so
// the shader's step is acc += M * in4). Padding lanes are 0.
std::vector<float> pack_conv_weights(std::span<const float> w, int O, int KH, int KW, int I);

// Specialization constants 0..9 of every conv-like shader: the local size, then the input's and the
// output's shapes. Each shader's typed spec struct starts with it; its own constants follow (10..).
struct ConvLikeSpecHead {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
};

// What each conv-like factory reads of its op {input, weights, bias or -1}.
struct ConvLikeOperands {
  Shape4 in, out;
  const Tensor& weights;
};
ConvLikeOperands conv_like_operands(const Graph& graph, const Op& op);

// What a conv-like kernel is made of, computed by each op's factory at plan time.
struct ConvLikeSetup {
  std::string shader;           // gpu/shaders/<shader>.comp
  SpecConstants spec;           // constant ids 0..2 must be the local size below
  std::array<uint32_t, 3> local_size{};
  std::vector<float> weights;   // packed for the shader
  std::vector<float> bias;      // padded to slices
  // The shader is register-blocked (constants BLOCK_S_ID, BLOCK_X_ID of common.glsl): tuning tries
  // blocks too (register_blocked_candidates) and the grid follows the block.
  bool register_blocked = false;
  // The shader splits each output vec4's reduction over a workgroup of local_size x invocations
  // (conv2d_splitk.comp: one workgroup per output vec4), and tuning offers no other size.
  bool split_k_only = false;
  // A split-K shader with the same specialization constants and bindings that tuning may try
  // (split-K candidates, block kSplitKBlock) where the output is small and the reduction long;
  // `reduction_steps`: input vec4 x weight mat4 products per output vec4 (KH * KW * input slices).
  std::string split_k_shader;
  int reduction_steps = 0;
};

// Split-K candidates are offered for outputs of at most this many vec4s (at batch 1 the H100's
// 270k resident threads are far from filled) with at least this many reduction steps.
inline constexpr int64_t kSplitKMaxOutputVec4s = 16384;
inline constexpr int kSplitKMinSteps = 64;

// The start of every conv-like setup: `shader`, its local size (local_size_for) and the bias of
// `out_channels` (input 2); the factory adds the spec constants and the packed weights.
ConvLikeSetup conv_like_setup(const Graph& graph, const Op& op, std::string shader, const ConvLikeOperands& x,
                              int out_channels, bool slice_per_group);
// The spec head of a setup's local size and the operands' shapes.
ConvLikeSpecHead spec_head(const ConvLikeSetup& s, const ConvLikeOperands& x);


// One pipeline, its packed constants in device-local buffers, and one descriptor set.
// A constant data input (folded by nobody) is uploaded in PHWC4 and bound in place of inputs[0].
class ConvLikeKernel final : public GpuKernel {
 public:
  ConvLikeKernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op, ConvLikeSetup setup);

  uint32_t storage_buffers() const override { return 4 + kEpilogueBindings; }
  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override;
  void record(CommandBuffer& cmd, const OutputRange& range) const override;
  std::string tuning_key() const override { return tuning_key_of(pipeline_, spec_); }
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const override;
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override;
  // Errors: a split-K or blocked size the kernel has not.
  std::optional<ComputePipelineDesc> candidate_pipeline(const WorkgroupSize& size) const override;

 private:
  std::string context_;  // "model 'm': op 3 (CONV_2D)" for errors
  Shape4 out_;
  std::array<uint32_t, 3> local_size_{};
  bool register_blocked_ = false;
  bool split_k_only_ = false;
  bool split_k_ = false;        // the split-K shader runs now (split_k_only_ or a split-K candidate)
  std::string split_k_shader_;  // empty: no split-K candidates
  int reduction_steps_ = 0;
  uint32_t block_s_ = 1, block_x_ = 1;  // output slices x pixels per invocation (register_blocked_)
  Op op_;  // for the epilogue's operand positions
  std::string shader_;  // the base name (gpu/shaders/<shader_>.comp)
  SpecConstants spec_;  // ids 0..2 = local_size_, kBlock*SpecId = the block, the epilogue's ids 100.. (gpu/ops/epilogue.h)
  ComputePipeline pipeline_;
  Buffer weights_, bias_;
  std::optional<Buffer> constant_input_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

}  // namespace hetsched::gpu::conv_kernels
