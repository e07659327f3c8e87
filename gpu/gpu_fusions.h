// Kernel fusions the GPU executor makes in GPU-only runs, beyond the graph's epilogues: a chain of
// ops computed by one dispatch at the place of its last op, the earlier ops recording nothing
// (their outputs never reach memory). Like in-place concats (concat_in_place.h) these are the
// executor's choice where every op runs whole; the graph keeps every op, so the CPU, the
// partitioner and co-execution (which split ops into ranges) see the unfused ops. Each fused kernel
// still computes any range of its output's slices and rows (tests/gpu/*fusion_gpu_test.cpp).
//   kDepthwisePointwise  DEPTHWISE_CONV_2D -> 1x1 CONV_2D   (gpu/fuse_dwpw.h, gpu/ops/dwpw_conv2d.h)
//   kMeanFc              MEAN over H, W -> 1 or 2 FULLY_CONNECTED / 1x1 CONV_2D on 1x1 maps: the
//                        squeeze-excite block's squeeze and both FCs, or global pool + classifier
//                        (gpu/fuse_mean_fc.h, gpu/ops/mean_fc.h)
// Memory: the kernel reads the chain head's input when the last op runs, so that input's planner
// record must last until then (extend_fused_live_ranges).
// HETSCHED_FUSE_DWPW=1 turns the depthwise + pointwise kind on (off by default: slower on the H100),
// HETSCHED_NO_FUSE_MEANFC=1 the MEAN + FC kind off (A/B timings: bench/coopmat_device.sh);
// GpuExecutorOptions holds the typed switches.
#pragma once
#include <vector>

#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched::gpu {

enum class FusionKind { kNone, kDepthwisePointwise, kMeanFc };

struct GpuFusions {
  std::vector<FusionKind> kind;  // per op: the fused kernel that stands at this op, or kNone
  std::vector<int> head_of;      // per op with a kind: the chain's first op (the kernel reads its input 0)
  std::vector<bool> elided_op;   // per op: computed inside a later op's fused kernel
  int count(FusionKind k) const;  // fused kernels of kind k
  int elided() const;             // dispatches removed
  // Sized for `ops` ops, nothing fused.
  static GpuFusions none(size_t ops);
  // Fuses `ops` (head first) into a kernel of kind k at ops.back().
  void add(FusionKind k, const std::vector<int>& ops);
};

struct GpuFusionSwitches {
  // Off by default: on the H100 (bench/results/coopmat_h100_2026-12-06-s9/, fully tuned, fp32) the
  // fused kernel made GPU-only runs slower: hand_landmark_full 0.59 -> 1.36 ms, mobilenet_v2
  // 0.71 -> 1.06, palm_detection_full 0.69 -> 0.96 (one thread per output element recomputes the
  // depthwise for every output channel). HETSCHED_FUSE_DWPW=1 turns it on.
  bool depthwise_pointwise = false;
  bool mean_fc = true;
  // On a software device (lavapipe: shared memory and barriers emulated on the CPU) the fused
  // depthwise + pointwise kernel ran slower than the two it replaces (one untuned smoke run:
  // mobilenet_v1 1.8 s vs 0.93 s), so there it is on only when this is set (the tests do).
  bool depthwise_pointwise_on_software = false;
  // Defaults from the environment: HETSCHED_FUSE_DWPW=1 turns the depthwise + pointwise fusion on,
  // HETSCHED_NO_FUSE_MEANFC=1 the MEAN + FC fusion off (set and not "0").
  static GpuFusionSwitches from_env();
};

GpuFusions plan_gpu_fusions(const Graph& graph, const GpuFusionSwitches& switches);

// The ops of the chain ending at `last` (a fused kernel's op), head first: back from `last` along
// each op's data input (inputs[0]) to head_of[last].
std::vector<int> fused_chain(const Graph& graph, const GpuFusions& fusions, int last);

// Widens the records so each fused chain head's input lives until the chain's last op runs
// (`tensors[i]` is record i's tensor, as activation_usage_records returns them).
void extend_fused_live_ranges(const Graph& graph, const GpuFusions& fusions, const std::vector<int>& tensors,
                              std::vector<memory::TensorUsageRecord>& records);

// Shared conditions: tensor t is read exactly once in the graph (by any op input) and is not a
// model output; an op's epilogue has at most `steps` steps, none with an operand tensor.
bool read_once(const Graph& graph, int tensor);
bool epilogue_without_operands(const Op& op, size_t steps);

}  // namespace hetsched::gpu
