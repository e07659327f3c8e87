// The fused MEAN -> FC [-> FC] GPU kernel (see mean_fc.h).
#include "gpu/ops/mean_fc.h"

#include <algorithm>
#include <atomic>
#include <optional>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/epilogue.h"
#include "graph/epilogue.h"

namespace hetsched::gpu {
namespace {

std::atomic<int> g_created{0};

// Specialization constants of mean_fc.comp (field i = constant_id i).
struct MeanFcSpec {
  uint32_t local_x, local_y, local_z;  // ids 1, 2 are fixed in the shader; set for a uniform layout
  int32_t in_h, in_w, in_c, mid_c, out_c, num_fc, act1, act;
  int32_t ep1_op0, ep1_act0;
  float ep1_scalar0;
  int32_t ep1_op1, ep1_act1;
  float ep1_scalar1;
  int32_t group_slices;
};

constexpr uint32_t kBindings = 6 + kEpilogueBindings;

// FC weights (FULLY_CONNECTED [O, C] or CONV_2D [O, 1, 1, C], the same row-major layout) packed as
// conv2d.comp's 1x1 weights.
std::vector<float> pack_fc(const Tensor& w) {
  const int O = w.shape[0], C = w.shape.back();
  return conv_kernels::pack_conv_weights(w.f32(), O, 1, 1, C);
}

class MeanFcKernel final : public GpuKernel {
 public:
  MeanFcKernel(const GpuKernelContext& ctx, const Graph& g, const std::vector<int>& chain)
      : context_(fmt::format("model '{}': {} fused with {} FC op(s) up to {}", g.model_name,
                             g.describe(g.ops[size_t(chain[0])]), chain.size() - 1, g.describe(g.ops[size_t(chain.back())]))),
        last_(g.ops[size_t(chain.back())]),
        out_(g.tensors[size_t(last_.outputs[0])].shape4()) {
    const Op& mean = g.ops[size_t(chain[0])];
    const Op& fc1 = g.ops[size_t(chain[1])];
    const Shape4 in = g.tensors[size_t(mean.inputs[0])].shape4();
    const int mid_c = g.tensors[size_t(fc1.outputs[0])].shape4().c;
    const uint32_t local = mean_fc_invocations(ctx.device.info().max_workgroup_invocations);
    MeanFcSpec s{local, 1, 1, in.h, in.w, in.c, mid_c, out_.c, int32_t(chain.size() - 1),
                 int32_t(fc1.activation()), int32_t(last_.activation()), 0, 0, 0.0f, 0, 0, 0.0f,
                 int32_t(mean_fc_group_slices(out_))};
    group_slices_ = uint32_t(s.group_slices);
    if (chain.size() == 3) {
      if (!fc1.epilogue.empty())
        s.ep1_op0 = epilogue_step_code(fc1.epilogue[0]), s.ep1_act0 = int32_t(fc1.epilogue[0].activation),
        s.ep1_scalar0 = fc1.epilogue[0].scalar;
      if (fc1.epilogue.size() > 1)
        s.ep1_op1 = epilogue_step_code(fc1.epilogue[1]), s.ep1_act1 = int32_t(fc1.epilogue[1].activation),
        s.ep1_scalar1 = fc1.epilogue[1].scalar;
    }
    // (ids 1 and 2 are literal sizes in the shader: Vulkan ignores map entries of undeclared ids.)
    const SpecConstants spec = with_epilogue(SpecConstants::from_struct(s), last_);
    pipeline_.emplace(ctx.device,
                      ComputePipelineDesc{.shader = "mean_fc", .spec = spec,
                                          .push_constant_bytes = sizeof(conv_kernels::RangePush),
                                          .storage_buffers = kBindings},
                      ctx.cache);
    w1_ = upload_constant(ctx.device, std::span<const float>(pack_fc(g.tensors[size_t(fc1.inputs[1])])), context_ + " FC1 weights");
    b1_ = upload_constant(ctx.device, std::span<const float>(conv_kernels::pack_bias(g, fc1, 2, mid_c)), context_ + " FC1 bias");
    if (chain.size() == 3) {
      w2_ = upload_constant(ctx.device, std::span<const float>(pack_fc(g.tensors[size_t(last_.inputs[1])])),
                            context_ + " FC2 weights");
      b2_ = upload_constant(ctx.device, std::span<const float>(conv_kernels::pack_bias(g, last_, 2, out_.c)),
                            context_ + " FC2 bias");
    } else {
      w2_ = upload_constant(ctx.device, std::span<const float>(), context_ + " (no FC2)");
      b2_ = upload_constant(ctx.device, std::span<const float>(), context_ + " (no FC2)");
    }
    g_created.fetch_add(1);
  }

  uint32_t storage_buffers() const override { return kBindings; }

  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override {
    if (inputs.empty() || inputs[0].buffer == VK_NULL_HANDLE)
      fail(ErrorKind::kInternal, "{}: no buffer bound for the MEAN's input", context_);
    std::vector<BufferRange> bindings = {output, inputs[0], w1_.whole(), b1_.whole(), w2_.whole(), b2_.whole()};
    for (const BufferRange& r : epilogue_operand_ranges(last_, inputs, inputs[0])) bindings.push_back(r);
    set_ = arena.allocate(*pipeline_, bindings, context_);
  }

  void record(CommandBuffer& cmd, const OutputRange& range) const override {
    if (range.empty()) return;
    const conv_kernels::RangePush push = conv_kernels::checked_range_push(set_, range, out_, context_);
    cmd.dispatch(*pipeline_, set_, push, {groups_for(uint32_t(range.slice_end - range.slice_begin), group_slices_), 1, 1},
                 context_);
  }

 private:
  std::string context_;
  Op last_;  // for the epilogue's operand positions
  Shape4 out_;
  uint32_t group_slices_ = 1;
  std::optional<ComputePipeline> pipeline_;
  Buffer w1_, b1_, w2_, b2_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

}  // namespace

uint32_t mean_fc_invocations(uint32_t max_invocations) {
  return std::min<uint32_t>(256, max_invocations ? max_invocations : 128);
}

uint32_t mean_fc_group_slices(const Shape4& out) {
  const uint32_t slices = uint32_t(out.slices());
  return std::max<uint32_t>(8, groups_for(slices, 32));
}

std::unique_ptr<GpuKernel> create_mean_fc_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                     const std::vector<int>& chain) {
  if (chain.size() < 2 || chain.size() > 3)
    fail(ErrorKind::kInternal, "model '{}': a MEAN + FC chain of {} ops", graph.model_name, chain.size());
  return std::make_unique<MeanFcKernel>(ctx, graph, chain);
}

int mean_fc_kernels_created() { return g_created.load(); }

}  // namespace hetsched::gpu
