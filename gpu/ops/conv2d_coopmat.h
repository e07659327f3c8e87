// CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV on cooperative matrices (gpu/shaders/conv2d_coopmat.comp): an
// implicit GEMM with float16 operands and float32 accumulators, for devices created with
// cooperative matrices (VulkanDevice::coopmat_enabled(): precision fp16 or mixed on a device that
// reports VK_NV_cooperative_matrix's 16x16x16 fp16 shape). The conv2d.comp / fully_connected.comp
// / transpose_conv.comp kernels are the fallback; try_create_* return nullptr where the cooperative path does not apply or
// the driver rejects its pipeline (then saying so on stderr), so the caller falls back.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// Weights [O,KH,KW,I] -> B, row-major K x N in vec4 of 4 output channels: row k = kslice * 4 + lane,
// kslice = (ky * KW + kx) * ceil(I/4) + input slice, rows padded with zeros to a multiple of 16;
// element (k, o) at (k * ceil(O/4) + o/4) * 4 + o%4. Zero where the input or output lane is padding.
std::vector<float> pack_coopmat_weights(std::span<const float> w, int O, int KH, int KW, int I);

// Workgroups of an output range for a tile of mats_m x mats_n 16x16 matrices per subgroup (4
// subgroups: 32 * mats_m pixels x 8 * mats_n slices): x = pixel tiles over batch * rows * width,
// y = slice tiles.
std::array<uint32_t, 3> coopmat_conv_groups(const Shape4& out, const OutputRange& range, uint32_t mats_m = 2,
                                            uint32_t mats_n = 2);
// The tuning candidates of the tile (WorkgroupSize: x = the group's invocations, block_x = mats_m,
// block_s = mats_n): 2x2 (64 x 64, the default) first, then 2x1, 1x2, 1x1.
std::vector<WorkgroupSize> coopmat_tile_candidates(uint32_t invocations);

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
