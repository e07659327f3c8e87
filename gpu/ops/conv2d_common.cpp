// Host side shared by the conv-like GPU kernels (see conv2d_common.h).
#include "gpu/ops/conv2d_common.h"

#include <algorithm>

#include "base/error.h"

namespace hetsched::gpu::conv_kernels {
namespace {
uint32_t pow2_at_least(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p *= 2;
  return p;
}
}  // namespace

std::array<uint32_t, 3> local_size_for(const Shape4& out, bool slice_per_group) {
  const uint32_t x = std::min<uint32_t>(8, pow2_at_least(uint32_t(std::max(out.w, 1))));
  const uint32_t y = std::min<uint32_t>(64 / x, pow2_at_least(uint32_t(std::max(out.h, 1))));
  if (slice_per_group) return {x, y, 1};
  const uint32_t z = std::min<uint32_t>(64 / (x * y), pow2_at_least(uint32_t(std::max(out.slices() * out.n, 1))));
  return {x, y, z};
}

std::vector<float> pack_bias(const Graph& graph, const Op& op, int pos, int channels) {
  std::vector<float> b(size_t(slices_of(channels)) * kSliceWidth, 0.0f);
  if (pos < int(op.inputs.size()) && op.inputs[size_t(pos)] >= 0) {
    const std::span<const float> v = graph.tensors[size_t(op.inputs[size_t(pos)])].f32();
    std::copy_n(v.begin(), std::min<size_t>(v.size(), size_t(channels)), b.begin());
  }
  return b;
}

// Weights [O,KH,KW,I] -> for output slice s, ky, kx, input slice t: 4 vec4, vec4 l = the 4
// output lanes' weights of input lane l (a column-major mat4: acc += M * in4). Padding lanes 0.
std::vector<float> pack_conv_weights(std::span<const float> w, int O, int KH, int KW, int I) {
  const int OS = slices_of(O), IS = slices_of(I);
  std::vector<float> p(size_t(OS) * KH * KW * IS * 16, 0.0f);
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < I; ++i) {
          const size_t block = ((size_t(o / 4) * KH + ky) * KW + kx) * IS + size_t(i / 4);
          p[block * 16 + size_t(i % 4) * 4 + size_t(o % 4)] = w[((size_t(o) * KH + ky) * KW + kx) * I + i];
        }
  return p;
}

ConvLikeOperands conv_like_operands(const Graph& graph, const Op& op) {
  return {graph.tensors[size_t(op.inputs[0])].shape4(), graph.tensors[size_t(op.outputs[0])].shape4(),
          graph.tensors[size_t(op.inputs[1])]};
}

ConvLikeSetup conv_like_setup(const Graph& graph, const Op& op, std::string shader, const ConvLikeOperands& x,
                              int out_channels, bool slice_per_group) {
  ConvLikeSetup s;
  s.shader = std::move(shader);
  s.local_size = local_size_for(x.out, slice_per_group);
  s.bias = pack_bias(graph, op, 2, out_channels);
  return s;
}

ConvLikeSpecHead spec_head(const ConvLikeSetup& s, const ConvLikeOperands& x) {
  return {s.local_size[0], s.local_size[1], s.local_size[2], x.out.n, x.in.h, x.in.w, x.in.c, x.out.h, x.out.w,
          x.out.c};
}

ConvLikeKernel::ConvLikeKernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op, ConvLikeSetup setup)
    : context_(fmt::format("model '{}': {}", graph.model_name, graph.describe(op))),
      out_(graph.tensors[size_t(op.outputs[0])].shape4()),
      local_size_(setup.local_size),
      register_blocked_(setup.register_blocked),
      split_k_only_(setup.split_k_only),
      split_k_(setup.split_k_only),
      split_k_shader_(setup.split_k_shader),
      reduction_steps_(setup.reduction_steps),
      op_(op),
      shader_(setup.shader),
      spec_(with_epilogue(setup.spec, op)),
      pipeline_(ctx.device,
                ComputePipelineDesc{.shader = setup.shader,
                                    .spec = spec_,
                                    .push_constant_bytes = sizeof(RangePush),
                                    .storage_buffers = 4 + kEpilogueBindings},
                ctx.cache),
      weights_(upload_constant(ctx.device, std::span<const float>(setup.weights), context_ + " packed weights")),
      bias_(upload_constant(ctx.device, std::span<const float>(setup.bias), context_ + " bias")) {
  if (split_k_only_) block_s_ = block_x_ = 0;  // WorkgroupSize::split_k()
  const Tensor& in = graph.tensors[size_t(op.inputs[0])];
  if (in.is_constant) {
    const Shape4 s = in.shape4();
    std::vector<float> phwc4(s.phwc4_elements());
    nhwc_to_phwc4(in.f32().data(), s, phwc4.data());
    constant_input_ = upload_constant(ctx.device, std::span<const float>(phwc4), context_ + " constant input '" + in.name + "'");
  }
}

std::vector<WorkgroupSize> ConvLikeKernel::workgroup_candidates(const DeviceInfo& device) const {
  const WorkgroupSize current{local_size_[0], local_size_[1], local_size_[2], block_s_, block_x_};
  if (split_k_only_) return {current};
  std::vector<WorkgroupSize> c = register_blocked_ ? register_blocked_candidates(out_, current, device)
                                                   : gpu::workgroup_candidates(out_, current, false, device);
  const int64_t outputs = int64_t(out_.n) * out_.h * out_.w * out_.slices();
  if (!split_k_shader_.empty() && outputs <= kSplitKMaxOutputVec4s && reduction_steps_ >= kSplitKMinSteps) {
    for (const uint32_t g : {32u, 128u}) {
      if (g > device.max_workgroup_invocations || g > device.max_workgroup_size[0]) continue;
      const WorkgroupSize k{g, 1, 1, kSplitKBlock.first, kSplitKBlock.second};
      if (std::find(c.begin(), c.end(), k) == c.end()) c.push_back(k);
    }
  }
  return c;
}

std::optional<ComputePipelineDesc> ConvLikeKernel::candidate_pipeline(const WorkgroupSize& size) const {
  const bool split_k = size.split_k();
  if (split_k != split_k_only_ && (split_k ? split_k_shader_.empty() : split_k_only_))
    fail(ErrorKind::kInternal, "{}: {} asked of a kernel without it", context_,
         split_k ? "a split-K workgroup" : "a workgroup of one invocation per output");
  if (!split_k && size.blocked() && !register_blocked_)
    fail(ErrorKind::kInternal, "{}: block {}x{} asked of a shader without register blocking", context_, size.block_s,
         size.block_x);
  SpecConstants spec = spec_;
  spec.set(0, size.x).set(1, size.y).set(2, size.z);
  if (register_blocked_ && !split_k)
    spec.set(kBlockSSpecId, int32_t(size.block_s)).set(kBlockXSpecId, int32_t(size.block_x));
  return ComputePipelineDesc{.shader = split_k && !split_k_only_ ? split_k_shader_ : shader_, .spec = std::move(spec),
                             .push_constant_bytes = sizeof(RangePush), .storage_buffers = 4 + kEpilogueBindings};
}

void ConvLikeKernel::set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) {
  ComputePipelineDesc desc = *candidate_pipeline(size);
  pipeline_ = ComputePipeline(ctx.device, desc, ctx.cache);
  spec_ = std::move(desc.spec);
  local_size_ = {size.x, size.y, size.z};
  block_s_ = size.block_s;
  block_x_ = size.block_x;
  split_k_ = size.split_k();
}

void ConvLikeKernel::bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) {
  const BufferRange input = constant_input_ ? constant_input_->whole() : (inputs.empty() ? BufferRange{} : inputs[0]);
  if (input.buffer == VK_NULL_HANDLE) fail(ErrorKind::kInternal, "{}: no buffer bound for the data input", context_);
  std::vector<BufferRange> bindings = {output, input, weights_.whole(), bias_.whole()};
  for (const BufferRange& r : epilogue_operand_ranges(op_, inputs, input)) bindings.push_back(r);
  set_ = arena.allocate(pipeline_, bindings, context_);
}

RangePush checked_range_push(VkDescriptorSet set, const OutputRange& range, const Shape4& out,
                             const std::string& context) {
  if (set == VK_NULL_HANDLE) fail(ErrorKind::kInternal, "{}: record() before bind()", context);
  if (range.slice_begin < 0 || range.slice_end > out.slices() || range.row_begin < 0 || range.row_end > out.h)
    fail(ErrorKind::kInvalidArgument, "{}: range slices [{},{}) rows [{},{}) outside the output {}", context,
         range.slice_begin, range.slice_end, range.row_begin, range.row_end, out.to_string());
  return {range.slice_begin, range.slice_end, range.row_begin, range.row_end};
}

void ConvLikeKernel::record(CommandBuffer& cmd, const OutputRange& range) const {
  if (range.empty()) return;
  const RangePush push = checked_range_push(set_, range, out_, context_);
  const uint32_t rows = uint32_t(range.row_end - range.row_begin);
  const uint32_t slices = uint32_t(range.slice_end - range.slice_begin);
  if (split_k_) {  // one workgroup per output vec4: columns x rows x slices * batch
    cmd.dispatch(pipeline_, set_, push, {uint32_t(out_.w), rows, slices * uint32_t(out_.n)}, context_);
    return;
  }
  // One invocation per block: ceil(width / block_x) x rows x ceil(slices / block_s) * batch.
  const uint32_t xs = groups_for(uint32_t(out_.w), block_x_);
  const uint32_t zs = groups_for(slices, block_s_) * uint32_t(out_.n);
  cmd.dispatch(pipeline_, set_, push,
               {groups_for(xs, local_size_[0]), groups_for(rows, local_size_[1]), groups_for(zs, local_size_[2])},
               context_);
}

}  // namespace hetsched::gpu::conv_kernels
