// CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV on cooperative matrices (gpu/shaders/conv2d_coopmat.comp): an
// implicit GEMM with float16 operands and float32 accumulators, for devices created with
// cooperative matrices (VulkanDevice::coopmat_enabled(): precision fp16 or mixed on a device that
// reports VK_NV_cooperative_matrix's 16x16x16 fp16 shape). The try_create_* are the kernel table's
// tensor-core factories (GpuKernelEntry::tensor_cores): create_gpu_kernel builds them beside the
// conv2d.comp / fully_connected.comp / transpose_conv.comp kernels and tuning keeps the faster
// (gpu/ops/tensor_core_choice.h). They return nullptr where the cooperative path does not apply or
// the driver rejects its pipeline (then saying so on stderr): the shader alone runs.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// Weights [O,KH,KW,I] -> B, row-major K x N in vec4 of 4 output channels: row k = kslice * 4 + lane,
// kslice = (ky * KW + kx) * ceil(I/4) + input slice, rows padded with zeros to a multiple of 16;
// element (k, o) at (k * ceil(O/4) + o/4) * 4 + o%4. Zero where the input or output lane is padding.
std::vector<float> pack_coopmat_weights(std::span<const float> w, int O, int KH, int KW, int I);

// A tile of conv2d_coopmat.comp: grid x grid subgroups split a tile of 16 * grid * mats_m pixels x
// 16 * grid * mats_n channels (each mats_m x mats_n matrices of 16 x 16), and sg_k such grids split
// every staged K step of 16 * sg_k. As a WorkgroupSize (what tuning stores): x = grid * grid *
// subgroup, y = sg_k, z = 1, block_x = mats_m, block_s = mats_n.
struct CoopMatTile {
  uint32_t grid = 2, sg_k = 1, mats_m = 2, mats_n = 2;  // the shader's defaults: 2 x 2 quarters of 64 x 64
  uint32_t pixels() const { return 16 * grid * mats_m; }
  uint32_t channels() const { return 16 * grid * mats_n; }
  uint32_t subgroups() const { return grid * grid * sg_k; }
  // The shader's shared arrays for this tile (float16 A and B stages, float32 reduction slots).
  uint32_t shared_bytes() const;
  WorkgroupSize workgroup(uint32_t subgroup) const;
  // The tile a WorkgroupSize encodes for this subgroup size; nullopt when it encodes none.
  static std::optional<CoopMatTile> from_workgroup(const WorkgroupSize& w, uint32_t subgroup);
  bool operator==(const CoopMatTile&) const = default;
};

// Workgroups of an output range: x = pixel tiles over batch * rows * width, y = channel tiles.
std::array<uint32_t, 3> coopmat_conv_groups(const Shape4& out, const OutputRange& range, const CoopMatTile& tile = {});

// The tuning candidates (the default 2 x 2 quarters of 64 x 64 first; then smaller quarter tiles,
// and whole 16-32 x 16-32 tiles with 2-8 K groups for few pixels and long reductions), those whose
// shared memory and invocations the device allows.
std::vector<CoopMatTile> coopmat_tile_candidates(uint32_t subgroup, uint32_t max_shared_bytes,
                                                 uint32_t max_invocations);

// nullptr when the device has no cooperative matrices enabled or the pipeline cannot be built.
std::unique_ptr<GpuKernel> try_create_conv2d_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                          const Op& op);
// FULLY_CONNECTED whose input is a flat vector per batch (h = w = 1, I = channels); else nullptr.
std::unique_ptr<GpuKernel> try_create_fully_connected_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                                   const Op& op);

// TRANSPOSE_CONV (gather form, as transpose_conv.comp); nullptr as above.
std::unique_ptr<GpuKernel> try_create_transpose_conv_coopmat_kernel(const GpuKernelContext& ctx, const Graph& graph,
                                                                  const Op& op);

// Cooperative-matrix kernels created in this process (for tests and the device benchmark).
int coopmat_kernels_created();

}  // namespace hetsched::gpu
