// The fused depthwise + pointwise GPU kernel (see dwpw_conv2d.h).
#include "gpu/ops/dwpw_conv2d.h"

#include <algorithm>
#include <atomic>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/epilogue.h"
#include "graph/epilogue.h"

namespace hetsched::gpu {
namespace {

std::atomic<int> g_created{0};

// Specialization constants of dwpw_conv2d.comp (field i = constant_id i); the block is BLOCK_S_ID.
struct DwPwSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, mid_c, out_h, out_w, out_c;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t dw_activation, activation;
  int32_t dw_ep_op0, dw_ep_act0;
  float dw_ep_scalar0;
  int32_t dw_ep_op1, dw_ep_act1;
  float dw_ep_scalar1;
};

// Bindings: output, input, dw weights, dw bias, pw weights, pw bias, then the epilogue's.
constexpr uint32_t kBindings = 6 + kEpilogueBindings;

uint32_t pow2_at_least(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p *= 2;
  return p;
}

uint32_t pow2_at_most(uint32_t n) {
  uint32_t p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

// A workgroup of `z` x a pixel tile of at most `pixels` (x over the width first, at most 8), block_s `block`.
WorkgroupSize pixel_tile(const Shape4& out, uint32_t z, uint32_t pixels, uint32_t block) {
  pixels = pow2_at_most(std::max<uint32_t>(pixels, 1));
  const uint32_t x = std::min({8u, pixels, pow2_at_least(uint32_t(std::max(out.w, 1)))});
  const uint32_t y = std::min(pixels / x, pow2_at_least(uint32_t(std::max(out.h, 1))));
  return {x, y, z, block, 1};
}

class DwPwKernel final : public GpuKernel {
 public:
  DwPwKernel(const GpuKernelContext& ctx, const Graph& graph, const Op& dw, const Op& pw);

  uint32_t storage_buffers() const override { return kBindings; }
  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override;
  void record(CommandBuffer& cmd, const OutputRange& range) const override;
  std::string tuning_key() const override { return tuning_key_of(pipeline_, spec_); }
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const override;
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override;

 private:
  ComputePipelineDesc desc() const {
    return {.shader = "dwpw_conv2d", .spec = spec_, .push_constant_bytes = sizeof(conv_kernels::RangePush),
            .storage_buffers = kBindings};
  }
  std::string context_;
  Shape4 out_;
  WorkgroupSize size_;
  Op pw_;  // for the epilogue's operand positions
  SpecConstants spec_;
  ComputePipeline pipeline_;
  Buffer dw_weights_, dw_bias_, pw_weights_, pw_bias_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

SpecConstants make_spec(const Graph& g, const Op& dw, const Op& pw, const WorkgroupSize& size) {
  const auto& a = dw.attrs<DepthwiseConv2DAttributes>();
  const Shape4 in = g.tensors[size_t(dw.inputs[0])].shape4();
  const Shape4 mid = g.tensors[size_t(dw.outputs[0])].shape4();
  const Shape4 out = g.tensors[size_t(pw.outputs[0])].shape4();
  const Tensor& w = g.tensors[size_t(dw.inputs[1])];
  DwPwSpec s{size.x, size.y, size.z, out.n, in.h, in.w, mid.c, out.h, out.w, out.c, w.shape[1], w.shape[2],
             a.stride_h, a.stride_w, a.dilation_h, a.dilation_w, a.pads.top, a.pads.left, int32_t(a.activation),
             int32_t(pw.activation()), 0, 0, 0.0f, 0, 0, 0.0f};
  if (!dw.epilogue.empty())
    s.dw_ep_op0 = epilogue_step_code(dw.epilogue[0]), s.dw_ep_act0 = int32_t(dw.epilogue[0].activation),
    s.dw_ep_scalar0 = dw.epilogue[0].scalar;
  if (dw.epilogue.size() > 1)
    s.dw_ep_op1 = epilogue_step_code(dw.epilogue[1]), s.dw_ep_act1 = int32_t(dw.epilogue[1].activation),
    s.dw_ep_scalar1 = dw.epilogue[1].scalar;
  SpecConstants spec = with_epilogue(SpecConstants::from_struct(s), pw);
  spec.set(kBlockSSpecId, int32_t(size.block_s));
  return spec;
}

std::vector<float> pack_depthwise(const Tensor& w) {  // [1,KH,KW,C] -> [slice][ky][kx] vec4
  const int KH = w.shape[1], KW = w.shape[2], C = w.shape[3];
  const std::span<const float> v = w.f32();
  std::vector<float> p(size_t(slices_of(C)) * KH * KW * 4, 0.0f);
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx)
      for (int c = 0; c < C; ++c) p[((size_t(c / 4) * KH + ky) * KW + kx) * 4 + size_t(c % 4)] = v[(size_t(ky) * KW + kx) * C + c];
  return p;
}

DwPwKernel::DwPwKernel(const GpuKernelContext& ctx, const Graph& g, const Op& dw, const Op& pw)
    : context_(fmt::format("model '{}': {} fused with {}", g.model_name, g.describe(dw), g.describe(pw))),
      out_(g.tensors[size_t(pw.outputs[0])].shape4()),
      size_(dwpw_default_workgroup(out_, ctx.device.info().max_workgroup_invocations)),
      pw_(pw),
      spec_(make_spec(g, dw, pw, size_)),
      pipeline_(ctx.device, desc(), ctx.cache),
      dw_weights_(upload_constant(ctx.device, std::span<const float>(pack_depthwise(g.tensors[size_t(dw.inputs[1])])),
                                  context_ + " depthwise weights")),
      dw_bias_(upload_constant(ctx.device,
                               std::span<const float>(conv_kernels::pack_bias(g, dw, 2, g.tensors[size_t(dw.outputs[0])].shape4().c)),
                               context_ + " depthwise bias")),
      pw_weights_(upload_constant(ctx.device, std::span<const float>([&] {
                                    const Tensor& w = g.tensors[size_t(pw.inputs[1])];
                                    return conv_kernels::pack_conv_weights(w.f32(), w.shape[0], 1, 1, w.shape[3]);
                                  }()),
                                  context_ + " pointwise weights")),
      pw_bias_(upload_constant(ctx.device, std::span<const float>(conv_kernels::pack_bias(g, pw, 2, out_.c)),
                               context_ + " pointwise bias")) {
  g_created.fetch_add(1);
}

std::vector<WorkgroupSize> DwPwKernel::workgroup_candidates(const DeviceInfo& device) const {
  // The default first, then: fewer slices per group (wider grid, depthwise recomputed more), a
  // register block of 2 (half the invocations), and the 8x8-pixel tile with one slice lane and a
  // block of 4 (64 invocations); each within the device's invocation limit.
  const uint32_t limit = std::min<uint32_t>(256, device.max_workgroup_invocations ? device.max_workgroup_invocations : 128);
  const uint32_t slices = uint32_t(out_.slices());
  std::vector<WorkgroupSize> c{size_};
  const auto add = [&](const WorkgroupSize& s) {
    if (s.invocations() <= limit && std::find(c.begin(), c.end(), s) == c.end()) c.push_back(s);
  };
  const uint32_t z4 = std::clamp<uint32_t>(slices, 1, 4);
  add(pixel_tile(out_, z4, std::min<uint32_t>(64, limit / z4), 1));
  const uint32_t z2 = std::clamp<uint32_t>((slices + 1) / 2, 1, 16);
  if (slices >= 2) add(pixel_tile(out_, z2, std::min<uint32_t>(64, limit / z2), 2));
  if (slices >= 4) add(pixel_tile(out_, 1, 64, 4));
  return c;
}

void DwPwKernel::set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) {
  if (size.x * size.y > 64 || size.block_x != 1)
    fail(ErrorKind::kInternal, "{}: workgroup {}x{}x{} block {}x{} (the shader takes a tile of at most 64 pixels, block_x 1)",
         context_, size.x, size.y, size.z, size.block_s, size.block_x);
  spec_.set(0, size.x).set(1, size.y).set(2, size.z).set(kBlockSSpecId, int32_t(size.block_s));
  pipeline_ = ComputePipeline(ctx.device, desc(), ctx.cache);
  size_ = size;
}

void DwPwKernel::bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) {
  if (inputs.empty() || inputs[0].buffer == VK_NULL_HANDLE)
    fail(ErrorKind::kInternal, "{}: no buffer bound for the depthwise input", context_);
  std::vector<BufferRange> bindings = {output, inputs[0], dw_weights_.whole(), dw_bias_.whole(), pw_weights_.whole(),
                                       pw_bias_.whole()};
  for (const BufferRange& r : epilogue_operand_ranges(pw_, inputs, inputs[0])) bindings.push_back(r);
  set_ = arena.allocate(pipeline_, bindings, context_);
}

void DwPwKernel::record(CommandBuffer& cmd, const OutputRange& range) const {
  if (range.empty()) return;
  const conv_kernels::RangePush push = conv_kernels::checked_range_push(set_, range, out_, context_);
  cmd.dispatch(pipeline_, set_, push, dwpw_groups(out_, range, size_), context_);
}

}  // namespace

WorkgroupSize dwpw_default_workgroup(const Shape4& out, uint32_t max_invocations) {
  const uint32_t z = std::clamp<uint32_t>(uint32_t(out.slices()), 1, 16);
  return pixel_tile(out, z, std::min<uint32_t>(64, std::max<uint32_t>(1, std::min<uint32_t>(256, max_invocations) / z)), 1);
}

std::array<uint32_t, 3> dwpw_groups(const Shape4& out, const OutputRange& range, const WorkgroupSize& size) {
  const uint32_t rows = uint32_t(range.row_end - range.row_begin);
  const uint32_t slice_groups = groups_for(uint32_t(range.slice_end - range.slice_begin), size.z * size.block_s);
  return {groups_for(uint32_t(out.w), size.x), groups_for(rows, size.y), slice_groups * uint32_t(out.n)};
}

std::unique_ptr<GpuKernel> create_dwpw_conv2d_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                         const Op& depthwise, const Op& pointwise) {
  return std::make_unique<DwPwKernel>(ctx, graph, depthwise, pointwise);
}

int dwpw_kernels_created() { return g_created.load(); }

}  // namespace hetsched::gpu
