// SingleDispatchKernel and the helpers shared by the general GPU kernels (see general_gpu_kernel.h).
#include "gpu/ops/general_gpu_kernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "base/error.h"

namespace hetsched::gpu {
LocalSize local_size_for(const Shape4& out) {
  constexpr uint32_t kInvocations = 64;
  LocalSize l;
  l.x = std::min(std::bit_ceil(uint32_t(out.w)), kInvocations);
  l.y = std::min(std::bit_ceil(uint32_t(out.h)), kInvocations / l.x);
  l.z = std::min(std::bit_ceil(uint32_t(out.slices() * out.n)), kInvocations / (l.x * l.y));
  return l;
}

Buffer upload_phwc4_constant(const VulkanDevice& device, const Graph& g, const Op& op, int t) {
  const Tensor& tensor = g.tensors.at(size_t(t));
  const Shape4 s = tensor.shape4();
  const std::span<const float> values = tensor.f32();
  if (values.size() != s.elements())
    fail(ErrorKind::kInvalidModel, "model '{}': {} constant '{}' {} holds {} floats, expected {}", g.model_name,
         g.describe(op), tensor.name, tensor.shape_string(), values.size(), s.elements());
  std::vector<float> packed(s.phwc4_elements());
  nhwc_to_phwc4(values.data(), s, packed.data());
  return upload_constant(device, std::span<const float>(packed),
                         fmt::format("model '{}': {} constant '{}'", g.model_name, g.describe(op), tensor.name));
}

uint32_t SingleDispatchKernel::bound_buffers(const Graph&, const Op& op) {
  uint32_t n = 1;
  for (int t : op.inputs) n += t >= 0 ? 1 : 0;
  return n;
}

SingleDispatchKernel::SingleDispatchKernel(const GpuKernelContext& ctx, const Graph& g, const Op& op,
                                           ComputePipelineDesc desc, LocalSize local)
    : context_(fmt::format("model '{}': {}", g.model_name, g.describe(op))),
      out_shape_(shape_of(g, op.outputs.at(0))),
      local_(local),
      desc_([&] {
        desc.storage_buffers = std::max(desc.storage_buffers, bound_buffers(g, op));
        return desc;
      }()),
      pipeline_(ctx.device, desc_, ctx.cache) {
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const int t = op.inputs[i];
    if (t < 0) continue;
    if (g.tensors.at(size_t(t)).is_constant) constants_.push_back(upload_phwc4_constant(ctx.device, g, op, t));
    else activation_inputs_.push_back(i);
  }
}

std::vector<WorkgroupSize> SingleDispatchKernel::workgroup_candidates(const DeviceInfo& device) const {
  return gpu::workgroup_candidates(out_shape_, {local_.x, local_.y, local_.z}, false, device);
}

void SingleDispatchKernel::set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) {
  ComputePipelineDesc desc = *candidate_pipeline(size);
  pipeline_ = ComputePipeline(ctx.device, desc, ctx.cache);
  desc_ = std::move(desc);
  local_ = {size.x, size.y, size.z};
}

std::optional<ComputePipelineDesc> SingleDispatchKernel::candidate_pipeline(const WorkgroupSize& size) const {
  ComputePipelineDesc desc = desc_;
  desc.spec.set(0, size.x).set(1, size.y).set(2, size.z);
  return desc;
}

uint32_t reduction_invocations(int items, uint32_t max_invocations) {
  const uint32_t limit = std::min<uint32_t>(256, std::bit_floor(max_invocations ? max_invocations : 128));
  return std::min(limit, std::bit_ceil(uint32_t(std::max(1, items))));
}

GroupReductionKernel::GroupReductionKernel(const GpuKernelContext& ctx, const Graph& g, const Op& op,
                                           ComputePipelineDesc desc, Grid grid)
    : context_(fmt::format("model '{}': {}", g.model_name, g.describe(op))),
      out_(shape_of(g, op.outputs.at(0))),
      grid_(grid),
      pipeline_(ctx.device, std::move(desc), ctx.cache) {}

void GroupReductionKernel::bind(DescriptorArena& arena, std::span<const BufferRange> inputs,
                                const BufferRange& output) {
  if (inputs.empty() || inputs[0].size == 0)
    fail(ErrorKind::kInternal, "{}: input 0 has no buffer range to bind", context_);
  const std::vector<BufferRange> bindings = {output, inputs[0]};
  set_ = arena.allocate(pipeline_, bindings, context_);
}

void GroupReductionKernel::record(CommandBuffer& cmd, const OutputRange& range) const {
  if (range.empty()) return;
  if (set_ == VK_NULL_HANDLE) fail(ErrorKind::kInternal, "{}: record() before bind()", context_);
  if (range.slice_begin < 0 || range.slice_end > out_.slices() || range.row_begin < 0 || range.row_end > out_.h)
    fail(ErrorKind::kInvalidArgument, "{}: range slices [{},{}) rows [{},{}) outside the output {}", context_,
         range.slice_begin, range.slice_end, range.row_begin, range.row_end, out_.to_string());
  cmd.dispatch(pipeline_, set_, range_push(range), grid_(out_, range), context_);
}

void SingleDispatchKernel::bind(DescriptorArena& arena, std::span<const BufferRange> inputs,
                                const BufferRange& output) {
  std::vector<BufferRange> ranges{output};
  for (size_t i : activation_inputs_) {
    if (i >= inputs.size() || inputs[i].size == 0)
      fail(ErrorKind::kInternal, "{}: input {} has no buffer range to bind", context_, i);
    ranges.push_back(inputs[i]);
  }
  for (const Buffer& c : constants_) ranges.push_back(c.whole());
  const BufferRange filler = ranges.size() > 1 ? ranges[1] : ranges[0];
  while (ranges.size() < pipeline_.storage_buffers()) ranges.push_back(filler);
  set_ = arena.allocate(pipeline_, ranges, context_);
}

void SingleDispatchKernel::record(CommandBuffer& cmd, const OutputRange& range) const {
  if (range.empty()) return;
  if (set_ == VK_NULL_HANDLE) fail(ErrorKind::kInternal, "{}: recorded before bind()", context_);
  if (range.slice_begin < 0 || range.slice_end > out_shape_.slices() || range.row_begin < 0 ||
      range.row_end > out_shape_.h)
    fail(ErrorKind::kInvalidArgument, "{}: range slices [{},{}) rows [{},{}) exceeds the output {}", context_,
         range.slice_begin, range.slice_end, range.row_begin, range.row_end, out_shape_.to_string());
  const uint32_t rows = uint32_t(range.row_end - range.row_begin);
  const uint32_t slices = uint32_t(range.slice_end - range.slice_begin);
  cmd.dispatch(pipeline_, set_, range_push(range),
               {groups_for(uint32_t(out_shape_.w), local_.x), groups_for(rows, local_.y),
                groups_for(slices * uint32_t(out_shape_.n), local_.z)},
               context_);
}

}  // namespace hetsched::gpu
