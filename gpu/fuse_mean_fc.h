// MEAN + fully connected fusion (a kind of gpu_fusions.h): a global average pool followed by one or
// two FULLY_CONNECTED / 1x1 CONV_2D ops on the pooled vector runs as one single-workgroup dispatch
// (gpu/ops/mean_fc.h, gpu/shaders/mean_fc.comp) at the last FC's place: the squeeze-excite
// block's MEAN -> FC -> act -> FC -> sigmoid (its MUL by the gate stays a dispatch), and the
// classifier head's MEAN -> FC. Every workgroup of the fused kernel pools the whole input and
// computes all of FC1 itself (only the last op's outputs are split among workgroups), so FC1 joins
// the chain only when small (kMeanFcMaxRedundantMacs): a wide squeeze-excite (mobilenet_v3's
// 960 -> 240 -> 960) fuses MEAN + FC1 and keeps FC2's own dispatch. The bound is a guess to
// calibrate on the GPU machine (bench/coopmat_device.sh times HETSCHED_NO_FUSE_MEANFC=1 against it).
//
// Conditions: MEAN over axes H and W (or an AVERAGE_POOL_2D whose one window is the whole map,
// no padding or activation) of a non-constant input of batch 1 with at most 2048
// channels, no epilogue; its output read once, by FC1 (as its data input); FC1 is a
// FULLY_CONNECTED of weights [O, C] or a CONV_2D of weights [O, 1, 1, C] on the 1x1 map. FC2 is
// taken into the chain when FC1's output is read once, by such an op, FC1 has at most 1536
// outputs, at most kMeanFcMaxRedundantMacs weights and an epilogue of at most 2 steps without
// operand tensors. The last op's epilogue is any.
#pragma once
#include <cstdint>

#include "gpu/gpu_fusions.h"

namespace hetsched::gpu {

// Adds every fusable chain (MEAN, FC1[, FC2]) to `fusions`.
void plan_mean_fc_fusions(const Graph& graph, GpuFusions& fusions);

// The shader's shared-memory capacity: pooled channels and FC1 outputs.
inline constexpr int kMeanFcMaxChannels = 2048;
inline constexpr int kMeanFcMaxHidden = 1536;
// FC1's largest weight count (C x hidden) when every workgroup repeats it: 64K (256 KB of float32).
inline constexpr int64_t kMeanFcMaxRedundantMacs = 65536;

}  // namespace hetsched::gpu
