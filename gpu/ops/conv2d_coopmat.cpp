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

constexpr int kPackRows = 16;  // weight rows are padded to a multiple of one 16-deep matrix
constexpr uint32_t kGridSpecId = 20, kKGroupsSpecId = 21;  // conv2d_coopmat_body.glsl's GRID, SG_K

std::atomic<int> g_created{0};

// Specialization constants of conv2d_coopmat.comp (field i = constant_id i); ids 3..18 as conv2d.comp.
struct CoopMatConvSpec {
  uint32_t local_x, local_y, local_z;
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int32_t activation;
  VkBool32 transposed;
  int32_t grid, sg_k;  // ids 20, 21: the tile's subgroup grid and K groups
};

class CoopMatConvKernel final : public GpuKernel {
 public:
  CoopMatConvKernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op, const ConvGeometry& g,
                    const std::vector<float>& weights, const std::vector<float>& bias)
      : context_(fmt::format("model '{}': {} (cooperative matrix)", graph.model_name, graph.describe(op))),
        out_(g.out),
        op_(op),
        subgroup_(std::max(ctx.device.info().subgroup_size, 8u)),
        shader_(ctx.device.coopmat_emulated() ? "conv2d_coopmat_emulated" : "conv2d_coopmat"),
        spec_(with_epilogue(SpecConstants::from_struct(CoopMatConvSpec{
                                tile_.grid * tile_.grid * subgroup_, tile_.sg_k, 1, g.out.n, g.in.h, g.in.w, g.in.c,
                                g.out.h, g.out.w, g.out.c,
                                g.kh, g.kw, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w,
                                g.pad_top, g.pad_left, int32_t(g.activation), g.transposed ? VK_TRUE : VK_FALSE,
                                int32_t(tile_.grid), int32_t(tile_.sg_k)}),
                            op)),
        pipeline_(ctx.device, pipeline_desc(), ctx.cache),
        weights_(upload_constant(ctx.device, std::span<const float>(weights), context_ + " packed weights")),
        bias_(upload_constant(ctx.device, std::span<const float>(bias), context_ + " bias")),
        tuning_key_(tuning_key_of(pipeline_, spec_)) {
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
  // The key of the untuned kernel: the tile's constants (ids 0-1, 20-21, 90-91) are the cache's value.
  std::string tuning_key() const override { return tuning_key_; }
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const override {
    std::vector<WorkgroupSize> c = {tile_.workgroup(subgroup_)};
    for (const CoopMatTile& t :
         coopmat_tile_candidates(subgroup_, device.max_shared_memory_bytes, device.max_workgroup_invocations))
      if (!(t == tile_)) c.push_back(t.workgroup(subgroup_));
    return c;
  }
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override {
    const std::optional<CoopMatTile> tile = CoopMatTile::from_workgroup(size, subgroup_);
    if (!tile)
      fail(ErrorKind::kInternal, "{}: tile {}x{}x{} block {}x{} is no cooperative-matrix candidate", context_, size.x,
           size.y, size.z, size.block_s, size.block_x);
    const ComputePipelineDesc desc = pipeline_desc(*tile);
    pipeline_ = ComputePipeline(ctx.device, desc, ctx.cache);
    spec_ = desc.spec;
    tile_ = *tile;
  }
  std::optional<ComputePipelineDesc> candidate_pipeline(const WorkgroupSize& size) const override {
    const std::optional<CoopMatTile> tile = CoopMatTile::from_workgroup(size, subgroup_);
    return tile ? std::optional(pipeline_desc(*tile)) : std::nullopt;
  }

  bool on_tensor_cores() const override { return true; }

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
    cmd.dispatch(pipeline_, set_, push, coopmat_conv_groups(out_, range, tile_), context_);
  }

 private:
  ComputePipelineDesc pipeline_desc() const {
    return ComputePipelineDesc{.shader = shader_, .spec = spec_,
                               .push_constant_bytes = sizeof(conv_kernels::RangePush),
                               .storage_buffers = 4 + kEpilogueBindings};
  }
  // The description with `tile`'s constants (local size, block, grid, K groups).
  ComputePipelineDesc pipeline_desc(const CoopMatTile& tile) const {
    ComputePipelineDesc desc = pipeline_desc();
    desc.spec.set(0, tile.grid * tile.grid * subgroup_)
        .set(1, tile.sg_k)
        .set(kBlockXSpecId, int32_t(tile.mats_m))
        .set(kBlockSSpecId, int32_t(tile.mats_n))
        .set(kGridSpecId, int32_t(tile.grid))
        .set(kKGroupsSpecId, int32_t(tile.sg_k));
    return desc;
  }

  std::string context_;
  Shape4 out_;
  Op op_;  // for the epilogue's operand positions
  uint32_t subgroup_;                  // invocations per subgroup the tile's geometry assumes
  CoopMatTile tile_;                   // the shader's defaults; tuned by set_workgroup
  std::string shader_;
  SpecConstants spec_;                 // ids 0-1, 20-21, 90-91 (the tile)
  ComputePipeline pipeline_;
  Buffer weights_, bias_;
  std::string tuning_key_;             // of the untuned kernel (see tuning_key)
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
  const size_t rows = size_t((kslices * 4 + kPackRows - 1) / kPackRows) * kPackRows;
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

uint32_t CoopMatTile::shared_bytes() const {
  const uint32_t tk = 16 * sg_k, slots = (sg_k + 1) / 2;
  return pixels() * (tk + 8) * 2 + tk * (channels() + 8) * 2 + slots * pixels() * (channels() + 4) * 4;
}

WorkgroupSize CoopMatTile::workgroup(uint32_t subgroup) const {
  return WorkgroupSize{grid * grid * subgroup, sg_k, 1, /*block_s=*/mats_n, /*block_x=*/mats_m};
}

std::optional<CoopMatTile> CoopMatTile::from_workgroup(const WorkgroupSize& w, uint32_t subgroup) {
  const uint32_t grid = w.x == subgroup ? 1 : w.x == 4 * subgroup ? 2 : 0;
  const bool sg_k_ok = w.y == 1 || w.y == 2 || w.y == 4 || w.y == 8;
  if (grid == 0 || !sg_k_ok || w.z != 1 || w.block_x < 1 || w.block_x > 2 || w.block_s < 1 || w.block_s > 2)
    return std::nullopt;
  return CoopMatTile{grid, w.y, w.block_x, w.block_s};
}

std::array<uint32_t, 3> coopmat_conv_groups(const Shape4& out, const OutputRange& range, const CoopMatTile& tile) {
  const uint32_t pixels = uint32_t(out.n) * uint32_t(range.row_end - range.row_begin) * uint32_t(out.w);
  return {groups_for(pixels, tile.pixels()), groups_for(uint32_t(range.slice_end - range.slice_begin), tile.channels() / 4),
          1};
}

std::vector<CoopMatTile> coopmat_tile_candidates(uint32_t subgroup, uint32_t max_shared_bytes,
                                                 uint32_t max_invocations) {
  static constexpr CoopMatTile kTiles[] = {
      {2, 1, 2, 2}, {2, 1, 2, 1}, {2, 1, 1, 2}, {2, 1, 1, 1},  // quarters: 64-32 x 64-32, K step 16
      {2, 2, 2, 2},                                            // 64 x 64, K step 32
      {1, 4, 2, 2}, {1, 4, 1, 2},                              // 32 x 32 and 16 x 32, K step 64
      {1, 8, 2, 2}, {1, 8, 1, 2}, {1, 8, 1, 1},                // 32 x 32 to 16 x 16, K step 128
  };
  std::vector<CoopMatTile> c;
  for (const CoopMatTile& t : kTiles)
    if (t.shared_bytes() <= max_shared_bytes && t.subgroups() * subgroup <= max_invocations) c.push_back(t);
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
