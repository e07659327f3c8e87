// CONV_2D / FULLY_CONNECTED on cooperative matrices: weight packing, the kernel (one pipeline, one
// descriptor set, one dispatch per range) and the factories that fall back (see conv2d_coopmat.h).
#include "gpu/ops/conv2d_coopmat.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "gpu/device.h"
#include "gpu/ops/conv2d_common.h"
#include "gpu/ops/epilogue.h"
#include "graph/ops/conv_geometry.h"
#include "base/error.h"

namespace hetsched::gpu {
namespace {

constexpr int kTileK = 16;                  // conv2d_coopmat.comp's TK
constexpr uint32_t kSubgroupsPerGroup = 4;  // its 2 x 2 subgroup quarters

std::atomic<int> g_created{0};

// Specialization constants of conv2d_coopmat.comp (field i = constant_id i); ids 3..18 as conv2d.comp.
struct CoopMatConvSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation;
  VkBool32 transposed;
};

class CoopMatConvKernel final : public GpuKernel {
 public:
  CoopMatConvKernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op, const ConvGeometry& g,
                    const std::vector<float>& weights, const std::vector<float>& bias)
      : context_(fmt::format("model '{}': {} (cooperative matrix)", graph.model_name, graph.describe(op))),
        out_(g.out),
        op_(op),
        invocations_(kSubgroupsPerGroup * std::max(ctx.device.info().subgroup_size, 8u)),
        shader_(ctx.device.coopmat_emulated() ? "conv2d_coopmat_emulated" : "conv2d_coopmat"),
        spec_(with_epilogue(SpecConstants::from_struct(CoopMatConvSpec{
                                invocations_, 1, 1, g.out.n, g.in.h, g.in.w, g.in.c, g.out.h, g.out.w, g.out.c,
                                g.kh, g.kw, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w,
                                g.pad_top, g.pad_left, int32_t(g.activation), g.transposed ? VK_TRUE : VK_FALSE}),
                            op)),
        pipeline_(make_pipeline(ctx)),
        weights_(upload_constant(ctx.device, std::span<const float>(weights), context_ + " packed weights")),
        bias_(upload_constant(ctx.device, std::span<const float>(bias), context_ + " bias")) {
    const Tensor& in = graph.tensors[size_t(op.inputs[0])];
    if (in.is_constant) {
      const Shape4 s = in.shape4();
      std::vector<float> phwc4(s.phwc4_elements());
      nhwc_to_phwc4(in.f32().data(), s, phwc4.data());
      constant_input_ =
          upload_constant(ctx.device, std::span<const float>(phwc4), context_ + " constant input '" + in.name + "'");
    }
  }

  uint32_t storage_buffers() const override { return 4 + kEpilogueBindings; }
  std::string tuning_key() const override { return tuning_key_of(pipeline_, spec_); }
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo&) const override {
    std::vector<WorkgroupSize> c = coopmat_tile_candidates(invocations_);
    const WorkgroupSize current{invocations_, 1, 1, mats_n_, mats_m_};
    std::erase(c, current);
    c.insert(c.begin(), current);
    return c;
  }
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override {
    if (size.x != invocations_ || size.y != 1 || size.z != 1 || size.block_x < 1 || size.block_x > 2 ||
        size.block_s < 1 || size.block_s > 2)
      fail(ErrorKind::kInternal, "{}: tile {}x{}x{} block {}x{} is no cooperative-matrix candidate", context_, size.x,
           size.y, size.z, size.block_s, size.block_x);
    spec_.set(kBlockXSpecId, int32_t(size.block_x)).set(kBlockSSpecId, int32_t(size.block_s));
    pipeline_ = make_pipeline(ctx);
    mats_m_ = size.block_x;
    mats_n_ = size.block_s;
  }

  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override {
    const BufferRange input = constant_input_ ? constant_input_->whole() : (inputs.empty() ? BufferRange{} : inputs[0]);
    if (input.buffer == VK_NULL_HANDLE) fail(ErrorKind::kInternal, "{}: no buffer bound for the data input", context_);
    std::vector<BufferRange> bindings = {output, input, weights_.whole(), bias_.whole()};
    for (const BufferRange& r : epilogue_operand_ranges(op_, inputs, input)) bindings.push_back(r);
    set_ = arena.allocate(pipeline_, bindings, context_);
  }

  void record(CommandBuffer& cmd, const OutputRange& range) const override {
    if (range.empty()) return;
    const conv_kernels::RangePush push = conv_kernels::checked_range_push(set_, range, out_, context_);
    cmd.dispatch(pipeline_, set_, push, coopmat_conv_groups(out_, range, mats_m_, mats_n_), context_);
  }

 private:
  ComputePipeline make_pipeline(const GpuKernelContext& ctx) const {
    return ComputePipeline(ctx.device,
                           ComputePipelineDesc{.shader = shader_, .spec = spec_,
                                               .push_constant_bytes = sizeof(conv_kernels::RangePush),
                                               .storage_buffers = 4 + kEpilogueBindings},
                           ctx.cache);
  }

  std::string context_;
  Shape4 out_;
  Op op_;  // for the epilogue's operand positions
  uint32_t invocations_;               // 4 subgroups
  uint32_t mats_m_ = 2, mats_n_ = 2;   // the tile (shader defaults; tuned by set_workgroup)
  std::string shader_;
  SpecConstants spec_;                 // ids 90/91 (the tile) set only once tuned
  ComputePipeline pipeline_;
  Buffer weights_, bias_;
  std::optional<Buffer> constant_input_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
};

// Builds the kernel; a driver that rejects the pipeline (or any other build error) is reported on
// stderr and answered with nullptr: the caller's fallback kernel runs instead.
std::unique_ptr<GpuKernel> build(const GpuKernelContext& ctx, const Graph& graph, const Op& op,
                                 const ConvGeometry& g, std::span<const float> w, int O, int I) {
  try {
    const std::vector<float> weights = pack_coopmat_weights(w, O, g.kh, g.kw, I);
    const std::vector<float> bias = conv_kernels::pack_bias(graph, op, 2, O);
    auto kernel = std::make_unique<CoopMatConvKernel>(ctx, graph, op, g, weights, bias);
    ++g_created;
    return kernel;
  } catch (const Error& e) {
    std::fprintf(stderr, "hetsched: cooperative-matrix kernel unavailable, using the fallback shader: %s\n", e.what());
    return nullptr;
  }
}

}  // namespace

std::vector<float> pack_coopmat_weights(std::span<const float> w, int O, int KH, int KW, int I) {
  const int OS = slices_of(O), IS = slices_of(I);
  const int kslices = KH * KW * IS;
  const size_t rows = size_t((kslices * 4 + kTileK - 1) / kTileK) * kTileK;
  std::vector<float> p(rows * size_t(OS) * 4, 0.0f);
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < I; ++i) {
          const size_t k = size_t(((ky * KW + kx) * IS + i / 4) * 4 + i % 4);
          p[(k * size_t(OS) + size_t(o / 4)) * 4 + size_t(o % 4)] = w[((size_t(o) * KH + ky) * KW + kx) * I + i];
        }
  return p;
}

std::array<uint32_t, 3> coopmat_conv_groups(const Shape4& out, const OutputRange& range, uint32_t mats_m,
                                            uint32_t mats_n) {
  const uint32_t pixels = uint32_t(out.n) * uint32_t(range.row_end - range.row_begin) * uint32_t(out.w);
  return {groups_for(pixels, 32 * mats_m), groups_for(uint32_t(range.slice_end - range.slice_begin), 8 * mats_n), 1};
}

std::vector<WorkgroupSize> coopmat_tile_candidates(uint32_t invocations) {
  std::vector<WorkgroupSize> c;
  for (const auto& [m, n] : {std::pair<uint32_t, uint32_t>{2, 2}, {2, 1}, {1, 2}, {1, 1}})
    c.push_back(WorkgroupSize{invocations, 1, 1, /*block_s=*/n, /*block_x=*/m});
  return c;
}

std::unique_ptr<GpuKernel> try_create_conv2d_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                            const Op& op) {
  if (!ctx.device.coopmat_enabled()) return nullptr;
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  return build(ctx, graph, op, conv_geometry(graph, op), wt.f32(), wt.shape[0], wt.shape[3]);
}

std::unique_ptr<GpuKernel> try_create_fully_connected_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                                   const Op& op) {
  if (!ctx.device.coopmat_enabled()) return nullptr;
  const auto& a = op.attrs<FullyConnectedAttributes>();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  ConvGeometry g;
  g.in = graph.tensors[size_t(op.inputs[0])].shape4();
  g.out = graph.tensors[size_t(op.outputs[0])].shape4();
  const int O = wt.shape[0], I = wt.shape[1];
  // A flat input per batch row (N x 1 x 1 x I) and output (N x 1 x 1 x O): a 1x1 conv.
  if (g.in.h != 1 || g.in.w != 1 || g.in.c != I || g.out.h != 1 || g.out.w != 1 || g.out.c != O || g.out.n != g.in.n)
    return nullptr;
  g.activation = a.activation;
  return build(ctx, graph, op, g, wt.f32(), O, I);
}

std::unique_ptr<GpuKernel> try_create_transpose_conv_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                                    const Op& op) {
  if (!ctx.device.coopmat_enabled()) return nullptr;
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  return build(ctx, graph, op, conv_geometry(graph, op), wt.f32(), wt.shape[0], wt.shape[3]);
}

int coopmat_kernels_created() { return g_created.load(); }

}  // namespace hetsched::gpu
